package dev.steward.plugin;

import java.util.Map;
import java.util.Optional;

/**
 * A flow's settings for its {@link WebhookFormat}, from its {@code trigger.webhook} block:
 * <pre>
 * trigger:
 *   webhook:
 *     path: hubspot/contact
 *     format: hubspot
 *     secret: ${env:HUBSPOT_CLIENT_SECRET}   # what signs deliveries, if the vendor signs
 *     options: { maxAge: 5m }                # the format's own settings
 * </pre>
 *
 * @param secret  the shared secret (or key) deliveries are signed or authenticated with, with
 *                {@code ${env:...}} resolved
 * @param options the format's own settings, as YAML gave them (strings, numbers, booleans,
 *                lists, maps), with {@code ${env:...}} resolved
 */
public record WebhookSettings(Optional<String> secret, Map<String, Object> options) {

    public WebhookSettings {
        options = Map.copyOf(options);
    }

    /** A string option, if present. */
    public Optional<String> option(String key) {
        Object value = options.get(key);
        return value == null ? Optional.empty() : Optional.of(String.valueOf(value));
    }

    @Override
    public String toString() {
        return "WebhookSettings[secret=" + (secret.isPresent() ? "(set)" : "(none)") + ", options=" + options + "]";
    }
}
