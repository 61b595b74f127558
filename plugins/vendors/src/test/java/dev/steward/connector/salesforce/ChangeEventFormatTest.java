package dev.steward.connector.salesforce;

import dev.steward.connector.vendor.StandardWebhooks;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** format: salesforce-cdc: Change Data Capture events from a relay, signed the Standard Webhooks way. */
class ChangeEventFormatTest {

    /** The Standard Webhooks specification's published test vector. */
    private static final String VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SECRET = "whsec_c2VjcmV0LW9mLXRoZS1yZWxheQ==";
    private static final String EVENT = """
            {"ChangeEventHeader":{"entityName":"Account","recordIds":["0015g00000AAAAAAA1","0015g00000AAAAAAA2"],
             "changeType":"UPDATE","changeOrigin":"com/salesforce/api/rest/62.0","transactionKey":"0002343d-9d90",
             "sequenceNumber":3,"commitTimestamp":1732780800000,"commitNumber":11,"commitUser":"0055g00000FakeUAAA",
             "changedFields":["Phone","LastModifiedDate"]},
             "Phone":"555-0100","LastModifiedDate":"2026-11-28T08:00:00.000Z"}
            """;

    private final ChangeEventFormat format = new ChangeEventFormat();

    @Test
    void signsLikeTheStandardWebhooksTestVector() {
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
        assertThat(StandardWebhooks.signature(VECTOR_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        ChangeEventFormat.verify(new WebhookRequest("POST", "https://s/hooks", Map.of(
                        "webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp", "1614265330",
                        "webhook-signature", "v1,bm90LXRoaXMtb25l v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
                body, Instant.ofEpochSecond(1614265330 + 10)), settings(VECTOR_SECRET));
    }

    @Test
    void anEventAboutSeveralRecordsBecomesOneNotificationEach() {
        Instant now = Instant.now();
        WebhookDelivery delivery = format.read(signed(EVENT, now, SECRET), settings(SECRET));

        assertThat(delivery.notifications()).extracting(WebhookDelivery.Notification::id).containsExactly(
                "0002343d-9d90:3:0015g00000AAAAAAA1", "0002343d-9d90:3:0015g00000AAAAAAA2");
        assertThat(delivery.notifications().get(1).payload())
                .containsEntry("Id", "0015g00000AAAAAAA2").containsEntry("sObjectType", "Account")
                .containsEntry("changeType", "UPDATE").containsEntry("Phone", "555-0100")
                .doesNotContainKey("ChangeEventHeader");
        assertThat(delivery.reply()).isEmpty();
    }

    @Test
    void anArrayOfEventsIsReadAndWildcardIdsSkipped() {
        String body = "[" + EVENT + ",{\"ChangeEventHeader\":{\"entityName\":\"Account\",\"recordIds\":[\"001*\"],"
                + "\"changeType\":\"GAP_OVERFLOW\",\"transactionKey\":\"t2\",\"sequenceNumber\":1}}]";
        WebhookDelivery delivery = format.read(signed(body, Instant.now(), SECRET), settings(SECRET));
        assertThat(delivery.notifications()).hasSize(2);
    }

    @Test
    void aWrongSignatureIsRefused401() {
        WebhookRequest request = signed(EVENT, Instant.now(), "whsec_b3RoZXI=");
        assertThatThrownBy(() -> format.read(request, settings(SECRET)))
                .isInstanceOf(WebhookRefusedException.class)
                .hasMessageContaining("does not match")
                .satisfies(e -> assertThat(((WebhookRefusedException) e).status()).isEqualTo(401));
    }

    @Test
    void anOldDeliveryIsRefusedAsAReplay() {
        Instant signedAt = Instant.now().minus(Duration.ofMinutes(6));
        WebhookRequest request = signed(EVENT, signedAt, SECRET);
        assertThatThrownBy(() -> format.read(request, settings(SECRET)))
                .isInstanceOf(WebhookRefusedException.class)
                .hasMessageContaining("replay")
                .satisfies(e -> assertThat(((WebhookRefusedException) e).status()).isEqualTo(401));
    }

    @Test
    void anUnsignedDeliveryIsRefused401() {
        WebhookRequest request = new WebhookRequest("POST", "https://s/hooks", Map.of(), EVENT.getBytes(
                StandardCharsets.UTF_8), Instant.now());
        assertThatThrownBy(() -> format.read(request, settings(SECRET)))
                .satisfies(e -> assertThat(((WebhookRefusedException) e).status()).isEqualTo(401));
    }

    @Test
    void aSignedBodyThatIsNotAChangeEventIs400() {
        for (String body : new String[] {"not json", "42", "{\"x\":1}",
                "{\"ChangeEventHeader\":{\"entityName\":\"Account\",\"recordIds\":[],\"changeType\":\"UPDATE\","
                        + "\"transactionKey\":\"t\",\"sequenceNumber\":1}}"}) {
            assertThatThrownBy(() -> format.read(signed(body, Instant.now(), SECRET), settings(SECRET)))
                    .isInstanceOf(WebhookRefusedException.class)
                    .satisfies(e -> assertThat(((WebhookRefusedException) e).status()).isEqualTo(400));
        }
    }

    @Test
    void settingsNeedASecret() {
        assertThat(format.validate(new WebhookSettings(Optional.empty(), Map.of()))).extracting(p -> p.path())
                .containsExactly("secret");
        assertThat(format.validate(new WebhookSettings(Optional.of("whsec_%%%"), Map.of("tolerance", "soon"))))
                .extracting(p -> p.path()).containsExactlyInAnyOrder("secret", "options.tolerance");
        assertThat(format.validate(new WebhookSettings(Optional.of(SECRET), Map.of("tolerance", "2m")))).isEmpty();
    }

    private static WebhookSettings settings(String secret) {
        return new WebhookSettings(Optional.of(secret), Map.of());
    }

    static WebhookRequest signed(String body, Instant at, String secret) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String id = "msg_" + Math.abs(body.hashCode());
        String timestamp = String.valueOf(at.getEpochSecond());
        return new WebhookRequest("POST", "https://steward.example.com/hooks/sf/cdc", Map.of(
                "Content-Type", "application/json", "webhook-id", id, "webhook-timestamp", timestamp,
                "webhook-signature", StandardWebhooks.signature(secret, id, timestamp, bytes)), bytes, Instant.now());
    }
}
