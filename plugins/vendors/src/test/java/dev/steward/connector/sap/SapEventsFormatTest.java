package dev.steward.connector.sap;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code format: sap-events}: CloudEvents from SAP Event Mesh, authenticated by a header key or basic auth. */
class SapEventsFormatTest {

    private static final String CHANGED = "sap.s4.beh.businesspartner.v1.BusinessPartner.Changed.v1";
    private static final String SOURCE = "/default/sap.s4.beh/FAKCLNT100";
    private final SapEventsFormat format = new SapEventsFormat();
    private final WebhookSettings keyed = new WebhookSettings(Optional.of("k3y"), Map.of());

    private static String event(String id, String type, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"" + SOURCE + "\",\"type\":\"" + type
                + "\",\"time\":\"2026-11-28T10:00:00Z\",\"datacontenttype\":\"application/json\",\"data\":" + data + "}";
    }

    private static WebhookRequest request(Map<String, String> headers, String body) {
        return new WebhookRequest("POST", "https://steward.example.com/hooks/sap/bp", headers,
                body.getBytes(StandardCharsets.UTF_8), Instant.parse("2026-11-28T10:00:01Z"));
    }

    private static Map<String, String> headers(String... pairs) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.put(pairs[i], pairs[i + 1]);
        }
        return headers;
    }

    @Test
    void aStructuredEventIsOneNotificationWithTheKeys() {
        WebhookDelivery delivery = format.read(request(headers("Content-Type", "application/cloudevents+json",
                "x-steward-key", "k3y"), event("e-1", CHANGED, "{\"BusinessPartner\":\"1000123\"}")), keyed);
        assertThat(delivery.notifications()).singleElement().satisfies(n -> {
            assertThat(n.id()).isEqualTo(SOURCE + "#e-1");
            assertThat(n.payload()).containsExactly(Map.entry("BusinessPartner", "1000123"));
        });
        assertThat(delivery.reply()).isEmpty();
    }

    @Test
    void aBinaryModeEventReadsItsAttributesFromCeHeaders() {
        WebhookDelivery delivery = format.read(request(headers("Content-Type", "application/json",
                "X-Steward-Key", "k3y", "ce-specversion", "1.0", "ce-id", "e-2", "ce-source", SOURCE, "ce-type", CHANGED),
                "{\"BusinessPartner\":\"1000124\"}"), keyed);
        assertThat(delivery.notifications()).singleElement().satisfies(n -> {
            assertThat(n.id()).isEqualTo(SOURCE + "#e-2");
            assertThat(n.payload()).containsEntry("BusinessPartner", "1000124");
        });
    }

    @Test
    void aBatchIsSplitAndUnwantedTypesAreIgnored() {
        WebhookSettings onlyChanges = new WebhookSettings(Optional.of("k3y"),
                Map.of("types", List.of("sap.s4.beh.businesspartner.v1.BusinessPartner.*")));
        String batch = "[" + event("a", CHANGED, "{\"BusinessPartner\":\"1\"}") + ","
                + event("b", "sap.s4.beh.salesorder.v1.SalesOrder.Created.v1", "{\"SalesOrder\":\"9\"}") + ","
                + event("c", "sap.s4.beh.businesspartner.v1.BusinessPartner.Created.v1", "{\"BusinessPartner\":\"2\"}") + "]";
        WebhookDelivery delivery = format.read(request(headers("X-Steward-Key", "k3y"), batch), onlyChanges);
        assertThat(delivery.notifications()).extracting(WebhookDelivery.Notification::id)
                .containsExactly(SOURCE + "#a", SOURCE + "#c");
        // all ignored: still a delivery (answered 2xx), so Event Mesh does not redeliver it forever
        WebhookSettings exact = new WebhookSettings(Optional.of("k3y"), Map.of("types", List.of(CHANGED)));
        assertThat(format.read(request(headers("X-Steward-Key", "k3y"),
                event("d", "sap.s4.beh.businesspartner.v1.BusinessPartner.Created.v1", "{\"BusinessPartner\":\"3\"}")),
                exact).notifications()).isEmpty();
    }

    @Test
    void aWrongOrMissingKeyIs401() {
        String body = event("e", CHANGED, "{\"BusinessPartner\":\"1\"}");
        assertThatThrownBy(() -> format.read(request(headers("X-Steward-Key", "k3z"), body), keyed))
                .isInstanceOfSatisfying(WebhookRefusedException.class, e -> assertThat(e.status()).isEqualTo(401))
                .hasMessageContaining("does not match").hasMessageNotContaining("k3y");
        assertThatThrownBy(() -> format.read(request(headers(), body), keyed))
                .isInstanceOfSatisfying(WebhookRefusedException.class, e -> assertThat(e.status()).isEqualTo(401))
                .hasMessageContaining("X-Steward-Key is missing");
        WebhookSettings ownHeader = new WebhookSettings(Optional.of("k3y"), Map.of("header", "X-Mesh-Key"));
        assertThat(format.read(request(headers("x-mesh-key", "k3y"), body), ownHeader).notifications()).hasSize(1);
    }

    @Test
    void basicAuthIsCheckedAgainstUserAndSecret() {
        WebhookSettings basic = new WebhookSettings(Optional.of("pw"), Map.of("auth", "basic", "user", "mesh"));
        String body = event("e", CHANGED, "{\"BusinessPartner\":\"1\"}");
        String good = "Basic " + Base64.getEncoder().encodeToString("mesh:pw".getBytes(StandardCharsets.UTF_8));
        String bad = "Basic " + Base64.getEncoder().encodeToString("mesh:pw2".getBytes(StandardCharsets.UTF_8));
        assertThat(format.read(request(headers("Authorization", good), body), basic).notifications()).hasSize(1);
        assertThatThrownBy(() -> format.read(request(headers("Authorization", bad), body), basic))
                .isInstanceOfSatisfying(WebhookRefusedException.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void whatIsNotACloudEventIs400() {
        Map<String, String> key = headers("X-Steward-Key", "k3y");
        assertThat(status(request(key, "{not json"))).isEqualTo(400);
        assertThat(status(request(key, "{\"specversion\":\"0.3\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"data\":{\"a\":\"1\"}}")))
                .isEqualTo(400);
        assertThat(status(request(key, "{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"t\",\"data\":{\"a\":\"1\"}}")))
                .isEqualTo(400);
        assertThat(status(request(key, event("e", CHANGED, "\"1000123\"")))).isEqualTo(400);
        assertThat(status(request(key, "[1]"))).isEqualTo(400);
        // the key is checked before the body is looked at
        assertThat(status(request(headers(), "{not json"))).isEqualTo(401);
    }

    private int status(WebhookRequest request) {
        try {
            format.read(request, keyed);
            return 200;
        } catch (WebhookRefusedException e) {
            return e.status();
        }
    }

    @Test
    void settingsAreChecked() {
        assertThat(format.validate(keyed)).isEmpty();
        assertThat(format.validate(new WebhookSettings(Optional.empty(), Map.of("auth", "bearer", "colour", "red",
                "types", "x")))).extracting(ConfigProblem::path)
                .containsExactlyInAnyOrder("secret", "options.auth", "options.colour", "options.types");
        assertThat(format.validate(new WebhookSettings(Optional.of("s"), Map.of("auth", "basic"))))
                .extracting(ConfigProblem::path).containsExactly("options.user");
        assertThat(format.validate(new WebhookSettings(Optional.of("s"), Map.of("header", "Authorization"))))
                .extracting(ConfigProblem::path).containsExactly("options.header");
    }

    @Test
    void longIdsAreHashedAndStayUnique() {
        String a = SapEventsFormat.id("/s/" + "x".repeat(250), "1");
        String b = SapEventsFormat.id("/s/" + "x".repeat(250), "2");
        assertThat(a).hasSizeLessThanOrEqualTo(200).startsWith("sha256:").isNotEqualTo(b);
    }
}
