package dev.steward.connector.salesforce;

import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** format: salesforce-outbound, on Salesforce Outbound Messages as published in ASP.NET WebHooks' tests. */
class OutboundMessageFormatTest {

    private final OutboundMessageFormat format = new OutboundMessageFormat();

    @Test
    void splitsAMessageIntoOneNotificationPerRecordWithTheNotificationIds() throws IOException {
        WebhookDelivery delivery = format.read(request(resource("notifications-contact.request.xml")),
                settings("012345678901234"));

        assertThat(delivery.notifications()).extracting(WebhookDelivery.Notification::id)
                .containsExactly("04l1I000000fztEQAQ", "04l1I000000fzt9QAA");
        assertThat(delivery.notifications().get(1).payload())
                .containsEntry("sObjectType", "Contact")
                .containsEntry("Id", "0031I0000081tb0QAA")
                .containsEntry("Email", "drb24@cornell.edu")
                .containsEntry("LastName", "Bunting");
        WebhookDelivery.Reply reply = delivery.reply().orElseThrow();
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("text/xml");
        assertThat(reply.body()).contains("<Ack>true</Ack>").contains("http://soap.sforce.com/2005/09/outbound");
    }

    @Test
    void theAckIsTheOneSalesforcesListenersAnswer() throws IOException {
        String published = resource("notifications-ack.response.xml");
        assertThat(normalise(OutboundMessageFormat.ACK)).contains(normalise(published.substring(
                published.indexOf("<soapenv:Body>"), published.indexOf("</soapenv:Body>"))));
    }

    @Test
    void readsEveryNotificationOfALongerMessage() throws IOException {
        WebhookDelivery delivery = format.read(request(resource("notifications-lead.request.xml")),
                settings("0123456789ABCDENNN"));

        assertThat(delivery.notifications()).hasSize(3);
        assertThat(delivery.notifications().getFirst().payload())
                .containsEntry("sObjectType", "Lead1").containsEntry("Company", "Microsoft")
                .containsEntry("IsConverted", "false");
    }

    @Test
    void anotherOrganizationIsRefused403() throws IOException {
        String body = resource("notifications-contact.request.xml");

        assertThatThrownBy(() -> format.read(request(body), settings("00D000000000001")))
                .isInstanceOf(WebhookRefusedException.class)
                .hasMessageContaining("012345678901234")
                .satisfies(e -> assertThat(((WebhookRefusedException) e).status()).isEqualTo(403));
    }

    @Test
    void theFirst15CharactersOfAnOrgIdDecide() {
        assertThat(OutboundMessageFormat.sameOrg("00D5g00000Fake1EAA", "00D5g00000Fake1")).isTrue();
        assertThat(OutboundMessageFormat.sameOrg("00D5g00000Fake1EAA", "00D5g00000fake1EAA")).isFalse();
        assertThat(OutboundMessageFormat.sameOrg("", "")).isFalse();
    }

    @Test
    void somethingThatIsNotAnOutboundMessageIs400() {
        for (String body : new String[] {"", "not xml", "<a/>",
                "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body/>"
                        + "</soapenv:Envelope>"}) {
            assertThatThrownBy(() -> format.read(request(body), settings("012345678901234")))
                    .isInstanceOf(WebhookRefusedException.class)
                    .satisfies(e -> assertThat(((WebhookRefusedException) e).status()).isEqualTo(400));
        }
    }

    @Test
    void externalEntitiesAndDtdsAreNeverRead(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-CONTENT");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>"
                + resource("notifications-contact.request.xml").replace("<sf:Title>White</sf:Title>",
                "<sf:Title>&x;</sf:Title>");
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;"
                + "&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><l>&c;</l>";

        for (String body : new String[] {xxe, laughs}) {
            assertThatThrownBy(() -> format.read(request(body), settings("012345678901234")))
                    .isInstanceOf(WebhookRefusedException.class)
                    .hasMessageContaining("DOCTYPE")
                    .hasMessageNotContaining("TOP-SECRET")
                    .satisfies(e -> assertThat(((WebhookRefusedException) e).status()).isEqualTo(400));
        }
    }

    @Test
    void settingsNeedTheOrganizationIdAndNoSecret() {
        assertThat(format.validate(new WebhookSettings(Optional.empty(), Map.of())))
                .extracting(p -> p.path()).containsExactly("options.organizationId");
        assertThat(format.validate(new WebhookSettings(Optional.of("s"), Map.of("organizationId", "xyz", "foo", 1))))
                .extracting(p -> p.path()).containsExactlyInAnyOrder("options.organizationId", "options.foo", "secret");
        assertThat(format.validate(settings("00D5g00000Fake1EAA"))).isEmpty();
        assertThat(format.accepts("text/xml")).isTrue();
        assertThat(format.accepts("application/json")).isFalse();
    }

    static WebhookSettings settings(String org) {
        return new WebhookSettings(Optional.empty(), Map.of("organizationId", org));
    }

    static WebhookRequest request(String body) {
        return new WebhookRequest("POST", "https://steward.example.com/hooks/sf/contact",
                Map.of("Content-Type", "text/xml; charset=utf-8"), body.getBytes(StandardCharsets.UTF_8), Instant.now());
    }

    static String resource(String name) throws IOException {
        try (InputStream in = OutboundMessageFormatTest.class.getResourceAsStream("/salesforce/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\uFEFF", "");
        }
    }

    private static String normalise(String xml) {
        return xml.replaceAll("\\s+", "");
    }
}
