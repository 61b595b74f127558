package dev.steward.host;

import dev.steward.model.SignatureScheme;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Verifies a flow's own HMAC header ({@code signature: { header: ..., algorithm: ..., encoding:
 * ..., prefix: ..., timestamp: ..., signed: ... }}): the header holds the prefix and the MAC of
 * the signed content, which is the body, or a template around it with the timestamp header's
 * value; a timestamp must be within five minutes of now. Immutable, thread-safe.
 */
final class HmacHeaderSignature implements SignatureVerifier {

    static final Duration TOLERANCE = Duration.ofMinutes(5);

    private final SignatureScheme.Hmac scheme;
    private final Hmac hmac;
    private final Clock clock;
    private final String before;
    private final String after;

    HmacHeaderSignature(SignatureScheme.Hmac scheme, String secret, Clock clock) {
        this.scheme = scheme;
        this.hmac = new Hmac(scheme.algorithm(), secret.getBytes(StandardCharsets.UTF_8));
        this.clock = clock;
        int body = scheme.signedContent().indexOf(SignatureScheme.Hmac.BODY);
        this.before = scheme.signedContent().substring(0, body);
        this.after = scheme.signedContent().substring(body + SignatureScheme.Hmac.BODY.length());
    }

    @Override
    public Optional<String> verify(UnaryOperator<String> headers, byte[] body) {
        String signature = headers.apply(scheme.header());
        if (signature == null) {
            return Optional.of("missing " + scheme.header() + " header");
        }
        String timestamp = "";
        if (scheme.timestampHeader().isPresent()) {
            String header = scheme.timestampHeader().get();
            timestamp = headers.apply(header);
            if (timestamp == null) {
                return Optional.of("missing " + header + " header");
            }
            Optional<String> stale = Timestamps.check(header, timestamp, clock, TOLERANCE);
            if (stale.isPresent()) {
                return stale;
            }
            timestamp = timestamp.trim();
        }
        signature = signature.trim();
        if (!signature.startsWith(scheme.prefix())) {
            return Optional.of(scheme.header() + " must start with '" + scheme.prefix() + "'");
        }
        String mac = signature.substring(scheme.prefix().length());
        Optional<byte[]> given = scheme.encoding() == SignatureScheme.Encoding.HEX ? Hmac.hex(mac) : Hmac.base64(mac);
        byte[] expected = hmac.sign(fill(before, timestamp), body, fill(after, timestamp));
        return Hmac.matches(expected, given) ? Optional.empty() : Optional.of(scheme.header() + " does not match the body");
    }

    private static byte[] fill(String template, String timestamp) {
        return template.replace(SignatureScheme.Hmac.TIMESTAMP, timestamp).getBytes(StandardCharsets.UTF_8);
    }
}
