package dev.steward.host;

import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Checks that a webhook delivery was signed with a flow's secret, before anything of it is
 * parsed. One implementation per {@link dev.steward.model.SignatureScheme}; {@link SignatureVerifiers}
 * picks it by the scheme's name. Implementations are immutable and thread-safe, take the time from
 * an injected clock, and compare MACs in constant time.
 */
interface SignatureVerifier {

    /**
     * @param headers the request's headers by name, case-insensitive; null when absent
     * @param body    the raw body, exactly as received
     * @return empty when the delivery is authentic; otherwise why not, for the 401 answer
     */
    Optional<String> verify(UnaryOperator<String> headers, byte[] body);

    /**
     * The header that identifies a delivery under this scheme, if it has one: deliveries are then
     * deduplicated on it, whatever header the flow names, and refused without it. Standard
     * Webhooks signs {@code webhook-id}, so a captured delivery sent again under another id fails
     * its signature; GitHub signs no id, but sends one with every delivery.
     */
    default Optional<String> deliveryIdHeader() {
        return Optional.empty();
    }
}
