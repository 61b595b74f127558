package dev.steward.bench.camel;

import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.dataformat.JsonLibrary;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The job that bench/e2e.sh gives every system: a CRM deal arrives as a webhook on
 * {@code POST /hooks/crm/deal}; deals in stage {@code closedlost} are dropped; every other deal's
 * synced fields (name, stage, amount, currency, close date, owner's email) go to the sink as JSON,
 * {@code POST /deals/<id>} with an {@code Idempotency-Key} (the delivery's {@code webhook-id}), and
 * the webhook is answered {@code 202} once the sink has answered. Any failure (a sink that does not
 * answer 2xx, a body that is not JSON) is Camel's default error: a 500 to the sender, which fails
 * the benchmark.
 *
 * <p>The request to the sink also carries {@code X-Received-At}, the epoch milliseconds at which
 * the route took the webhook, so that the sink's log gives the event-to-write time the same way as
 * for Steward (whose store keeps each event's {@code received_at}).
 */
final class DealRoute extends RouteBuilder {

    private final int sinkPort;

    DealRoute(int sinkPort) {
        this.sinkPort = sinkPort;
    }

    @Override
    public void configure() {
        from("platform-http:/hooks/crm/deal?httpMethodRestrict=POST")
                .routeId("deal")
                .process(exchange -> {
                    exchange.setProperty("receivedAt", System.currentTimeMillis());
                    exchange.setProperty("deliveryId", exchange.getMessage().getHeader("webhook-id", String.class));
                })
                .unmarshal().json(JsonLibrary.Jackson, Map.class)
                .filter(simple("${body[stage]} != 'closedlost'"))
                    .process(DealRoute::toSinkRecord)
                    .marshal().json(JsonLibrary.Jackson)
                    .to("http://127.0.0.1:" + sinkPort + "?httpMethod=POST")
                .end()
                .removeHeaders("*")
                .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(202))
                .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                .setBody(constant("{\"status\":\"accepted\"}"));
    }

    /** The deal's synced fields under the sink's names, the path of its record, and the headers. */
    private static void toSinkRecord(Exchange exchange) throws InvalidPayloadException {
        Map<?, ?> deal = exchange.getMessage().getMandatoryBody(Map.class);
        Object id = deal.get("id");
        if (id == null) {
            throw new IllegalArgumentException("the deal has no id");
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("name", deal.get("name"));
        record.put("stage", deal.get("stage"));
        record.put("amount", deal.get("amount"));
        record.put("currency", deal.get("currency"));
        record.put("close_date", deal.get("close_date"));
        if (deal.get("owner") instanceof Map<?, ?> owner) {
            record.put("owner_email", owner.get("email"));
        }
        var message = exchange.getMessage();
        // nothing of the incoming request (its path, query, headers) may leak into the sink's request
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_PATH, "/deals/" + URLEncoder.encode(id.toString(), StandardCharsets.UTF_8));
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader("Idempotency-Key", exchange.getProperty("deliveryId", String.class));
        message.setHeader("X-Received-At", exchange.getProperty("receivedAt", Long.class).toString());
        message.setBody(record);
    }
}
