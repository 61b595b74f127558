package dev.steward.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code trigger.webhook} of a flow: events arrive as {@code POST /hooks/{path}}.
 *
 * @param secret           the shared secret that signs deliveries, if the flow verifies them
 * @param deliveryIdHeader the header that carries the delivery id, if the flow names one;
 *                         otherwise the usual ones are tried ({@code webhook-id},
 *                         {@code X-GitHub-Delivery}, {@code X-Request-Id}). Not used when the
 *                         flow's signature scheme has an id of its own (Standard Webhooks'
 *                         signed {@code webhook-id}, GitHub's {@code X-GitHub-Delivery}) or the
 *                         flow has a format (each notification carries the vendor's own id)
 * @param signature        how the secret signs a delivery; Standard Webhooks unless the flow names
 *                         another scheme. Only meaningful with a secret, and not used with a format.
 * @param format           the vendor's webhook format ({@code format: hubspot}), if the flow names
 *                         one: it verifies deliveries and splits them into notifications
 * @param options          the format's own settings ({@code options:}), {@code ${env:...}} resolved;
 *                         empty without a format
 */
public record WebhookTrigger(String path, Optional<String> secret, Optional<String> deliveryIdHeader,
                             SignatureScheme signature, Optional<String> format, Map<String, Object> options)
        implements Trigger {

    public WebhookTrigger {
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** A trigger without a vendor format. */
    public WebhookTrigger(String path, Optional<String> secret, Optional<String> deliveryIdHeader,
                          SignatureScheme signature) {
        this(path, secret, deliveryIdHeader, signature, Optional.empty(), Map.of());
    }

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
