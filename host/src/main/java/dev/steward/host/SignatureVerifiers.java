package dev.steward.host;

import dev.steward.model.SignatureScheme;
import dev.steward.model.WebhookTrigger;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** The verifier of each signature scheme, by the scheme's name. Immutable, thread-safe. */
final class SignatureVerifiers {

    /** Makes the verifier of one scheme for one secret. */
    @FunctionalInterface
    interface Factory {
        SignatureVerifier create(SignatureScheme scheme, String secret, Clock clock);
    }

    private static final Map<String, Factory> FACTORIES = Map.of(
            SignatureScheme.StandardWebhooks.NAME, (scheme, secret, clock) -> new StandardWebhooksSignature(secret, clock),
            SignatureScheme.GitHub.NAME, (scheme, secret, clock) -> new GitHubSignature(secret),
            SignatureScheme.Hmac.NAME, (scheme, secret, clock) -> new HmacHeaderSignature((SignatureScheme.Hmac) scheme, secret, clock));

    private final Clock clock;

    SignatureVerifiers(Clock clock) {
        this.clock = clock;
    }

    /** The verifier of a trigger's scheme with its secret; empty when the trigger has no secret. */
    Optional<SignatureVerifier> of(WebhookTrigger trigger) {
        return trigger.secret().map(secret -> {
            Factory factory = FACTORIES.get(trigger.signature().name());
            if (factory == null) {
                throw new IllegalStateException("no verifier for signature scheme '" + trigger.signature().name() + "'");
            }
            return factory.create(trigger.signature(), secret, clock);
        });
    }

    /** Empty when the delivery is authentic or the trigger verifies nothing; otherwise why not. */
    Optional<String> verify(WebhookTrigger trigger, UnaryOperator<String> headers, byte[] body) {
        return of(trigger).flatMap(verifier -> verifier.verify(headers, body));
    }
}
