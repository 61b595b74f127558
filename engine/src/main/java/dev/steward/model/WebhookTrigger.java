package dev.steward.model;

import java.util.Optional;

/**
 * {@code trigger.webhook} of a flow: events arrive as {@code POST /hooks/{path}}.
 *
 * @param secret           the shared secret that signs deliveries, if the flow verifies them
 * @param deliveryIdHeader the header that carries the delivery id, if the flow names one;
 *                         otherwise the usual ones are tried ({@code webhook-id},
 *                         {@code X-GitHub-Delivery}, {@code X-Request-Id}). Not used when the
 *                         flow's signature scheme has an id of its own (Standard Webhooks'
 *                         signed {@code webhook-id}, GitHub's {@code X-GitHub-Delivery})
 * @param signature        how the secret signs a delivery; Standard Webhooks unless the flow names
 *                         another scheme. Only meaningful with a secret.
 */
public record WebhookTrigger(String path, Optional<String> secret, Optional<String> deliveryIdHeader,
                             SignatureScheme signature) implements Trigger {

    @Override
    public String kind() {
        return "webhook";
    }

    /** A trigger signed the default way, Standard Webhooks, when it has a secret. */
    public WebhookTrigger(String path, Optional<String> secret, Optional<String> deliveryIdHeader) {
        this(path, secret, deliveryIdHeader, new SignatureScheme.StandardWebhooks());
    }

    /** The flow says {@code signature: none}: it takes unsigned deliveries on purpose. */
    public boolean unsignedOnPurpose() {
        return signature instanceof SignatureScheme.None;
    }
}
