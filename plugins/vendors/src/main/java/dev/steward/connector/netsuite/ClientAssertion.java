package dev.steward.connector.netsuite;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The JWT a NetSuite OAuth 2.0 client credentials (M2M) token request carries as
 * {@code client_assertion}: header {@code kid} = the certificate id of the M2M mapping,
 * claims {@code iss} = the integration's client id, {@code scope}, {@code aud} = the token URL,
 * {@code iat}, {@code exp} (NetSuite takes at most an hour; Steward asks for five minutes) and a
 * {@code jti}, signed with the certificate's private key by the JDK's {@link Signature}.
 * Stateless.
 */
final class ClientAssertion {

    /** How long an assertion is good for: it is used at once, once. */
    static final Duration LIFETIME = Duration.ofMinutes(5);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    /** The signature algorithms NetSuite's M2M setup takes. */
    enum Algorithm {
        /** RSASSA-PSS with SHA-256 (NetSuite's recommendation). */
        PS256,
        /** RSASSA-PKCS1-v1_5 with SHA-256. */
        RS256,
        /** ECDSA on P-256 with SHA-256, the signature as R || S. */
        ES256;

        Signature signature() throws GeneralSecurityException {
            return switch (this) {
                case PS256 -> {
                    Signature s = Signature.getInstance("RSASSA-PSS");
                    s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                    yield s;
                }
                case RS256 -> Signature.getInstance("SHA256withRSA");
                case ES256 -> Signature.getInstance("SHA256withECDSAinP1363Format");
            };
        }
    }

    private ClientAssertion() {
    }

    /** A signed assertion for {@code m2m}, issued at {@code now}. */
    static String sign(NetSuiteSettings.M2m m2m, Instant now) {
        ObjectNode header = JSON.createObjectNode();
        header.put("alg", m2m.algorithm().name());
        header.put("typ", "JWT");
        header.put("kid", m2m.certificateId());
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", m2m.clientId());
        var scope = claims.putArray("scope");
        for (String s : List.of(m2m.scope().split(","))) {
            if (!s.isBlank()) {
                scope.add(s.strip());
            }
        }
        claims.put("aud", m2m.tokenUrl().toString());
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(LIFETIME).getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        String input = B64URL.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + B64URL.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        return input + "." + B64URL.encodeToString(sign(m2m.algorithm(), m2m.privateKey(), input));
    }

    private static byte[] sign(Algorithm algorithm, PrivateKey key, String input) {
        try {
            Signature signature = algorithm.signature();
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return signature.sign();
        } catch (GeneralSecurityException e) {
            // the key was checked against the algorithm when the settings were read
            throw new IllegalStateException("cannot sign the client assertion with " + algorithm + ": " + e.getMessage(), e);
        }
    }
}
