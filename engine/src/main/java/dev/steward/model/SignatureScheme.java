package dev.steward.model;

import java.util.Optional;

/**
 * How a webhook flow's deliveries are signed with its {@code secret}. Data only: the host holds
 * one verifier per scheme, looked up by {@link #name()}.
 */
public sealed interface SignatureScheme {

    /** The scheme's name as a flow file writes it; the host's verifiers are registered under it. */
    String name();

    /**
     * <a href="https://www.standardwebhooks.com/">Standard Webhooks</a>, the default:
     * {@code webhook-id}, {@code webhook-timestamp} and {@code webhook-signature} with one or more
     * {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">}.
     */
    record StandardWebhooks() implements SignatureScheme {
        public static final String NAME = "standard-webhooks";

        @Override
        public String name() {
            return NAME;
        }
    }

    /**
     * {@code signature: none}: the flow takes unsigned deliveries on purpose. Needed for a flow
     * without a secret once webhooks are reachable beyond loopback; it has no verifier.
     */
    record None() implements SignatureScheme {
        public static final String NAME = "none";

        @Override
        public String name() {
            return NAME;
        }
    }

    /** GitHub's {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>}. */
    record GitHub() implements SignatureScheme {
        public static final String NAME = "github";

        @Override
        public String name() {
            return NAME;
        }
    }

    /**
     * An HMAC in one header, as many vendors sign their webhooks.
     *
     * @param header          the header that carries the signature
     * @param algorithm       {@code sha256}, {@code sha1} or {@code sha512}
     * @param encoding        how the MAC is written in the header
     * @param prefix          text before the MAC in the header ({@code sha256=}), or empty
     * @param timestampHeader a header with the send time in epoch seconds, checked to be within
     *                        five minutes of now, if the sender signs one
     * @param signedContent   what is signed: {@code {body}}, and {@code {timestamp}} if there is a
     *                        timestamp header, within fixed text (e.g. {@code v0:{timestamp}:{body}})
     */
    record Hmac(String header, String algorithm, Encoding encoding, String prefix, Optional<String> timestampHeader,
                String signedContent) implements SignatureScheme {
        public static final String NAME = "hmac";
        public static final String BODY = "{body}";
        public static final String TIMESTAMP = "{timestamp}";

        @Override
        public String name() {
            return NAME;
        }
    }

    /** How a MAC is written as text. */
    enum Encoding {
        HEX, BASE64
    }
}
