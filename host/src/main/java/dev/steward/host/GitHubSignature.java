package dev.steward.host;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Verifies GitHub's {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>}. GitHub
 * signs no timestamp and no id, so a captured delivery could be replayed: the delivery id
 * ({@code X-GitHub-Delivery}, required) deduplicates the same capture sent again, but not one
 * sent again under a new id.
 * Immutable, thread-safe.
 */
final class GitHubSignature implements SignatureVerifier {

    static final String HEADER = "X-Hub-Signature-256";
    private static final String PREFIX = "sha256=";

    private final Hmac hmac;

    GitHubSignature(String secret) {
        this.hmac = new Hmac("sha256", secret.getBytes(StandardCharsets.UTF_8));
    }

    /** GitHub's id of a delivery, the same when GitHub redelivers it. Not signed. */
    @Override
    public Optional<String> deliveryIdHeader() {
        return Optional.of("X-GitHub-Delivery");
    }

    @Override
    public Optional<String> verify(UnaryOperator<String> headers, byte[] body) {
        String signature = headers.apply(HEADER);
        if (signature == null) {
            return Optional.of("missing " + HEADER + " header");
        }
        if (!signature.startsWith(PREFIX)) {
            return Optional.of(HEADER + " must start with '" + PREFIX + "'");
        }
        return Hmac.matches(hmac.sign(body), Hmac.hex(signature.substring(PREFIX.length())))
                ? Optional.empty() : Optional.of(HEADER + " does not match the body");
    }
}
