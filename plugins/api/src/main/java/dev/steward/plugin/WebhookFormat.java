package dev.steward.plugin;

import java.util.List;

/**
 * How one vendor delivers webhooks ({@code trigger.webhook.format: hubspot} in a flow): checks a
 * delivery (signature, organization, replay window), splits it into one {@link Notification}
 * per record, each with the vendor's own event id (which Steward deduplicates on), and says
 * what to answer when the vendor expects a particular reply (Salesforce's SOAP
 * {@code <Ack>true</Ack>}).
 *
 * <p>Lifecycle: found once per process through {@link java.util.ServiceLoader} (a file
 * {@code META-INF/services/dev.steward.plugin.WebhookFormat} in the plugin's jar), like
 * {@link ConnectorFactory}. Steward calls {@link #validate} when it loads a flow and
 * {@link #read} for every delivery, from many threads at once: implementations are stateless.
 * The format runs before anything is stored; it must not call out (no network, no files).
 */
public interface WebhookFormat {

    /** The value of {@code format:} in a flow's webhook trigger that selects this format. */
    String name();

    /**
     * Checks the flow's settings for this format, without connecting anywhere. Each problem's
     * path is relative to the trigger's {@code webhook} block ({@code secret},
     * {@code options.organizationId}).
     */
    default List<ConfigProblem> validate(WebhookSettings settings) {
        return List.of();
    }

    /**
     * Whether deliveries may come with this media type (lower case, without parameters); the
     * default takes JSON ({@code application/json} and {@code +json} types). Checked before
     * the body is read; others are answered 415.
     */
    default boolean accepts(String mediaType) {
        return mediaType.equals("application/json") || mediaType.endsWith("+json");
    }

    /**
     * Verifies one delivery and splits it into notifications. Called before anything is parsed
     * or stored by Steward.
     *
     * @throws WebhookRefusedException when the delivery is refused (401 for a bad or missing
     *                                 signature or a timestamp outside the replay window, 403 for
     *                                 a wrong organization, 400 for a body that is not the
     *                                 vendor's format); the message is the reason shown to the
     *                                 sender and in Steward's log, never a secret
     */
    WebhookDelivery read(WebhookRequest request, WebhookSettings settings);
}
