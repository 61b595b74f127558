package dev.steward.connector.dynamics;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code format: dynamics}: the key, the RemoteExecutionContext, the notification's id and payload. */
class DynamicsWebhookFormatTest {

    private static final String KEY = "s3cret-key";
    private static final String URL = "https://steward.example.com/hooks/dynamics/account";
    private static final WebhookSettings SETTINGS = new WebhookSettings(Optional.of(KEY), Map.of());
    private final DynamicsWebhookFormat format = new DynamicsWebhookFormat();

    /** An Update of an account as an asynchronous PostOperation step sends it, with a post image. */
    static String accountUpdate(String operationId, String accountId) {
        return """
                {"BusinessUnitId":"e2b9dd85-e89e-e711-8122-000d3aa2331c",
                 "CorrelationId":"1c0f7a6e-2f5b-4bb0-9c7e-5d1e2f3a4b5c","Depth":1,
                 "InitiatingUserId":"75c2dd85-e89e-e711-8122-000d3aa2331c",
                 "InputParameters":[{"key":"Target","value":{
                   "__type":"Entity:http:\\/\\/schemas.microsoft.com\\/xrm\\/2011\\/Contracts",
                   "Attributes":[
                     {"key":"creditlimit","value":{"__type":"Money:http:\\/\\/schemas.microsoft.com\\/xrm\\/2011\\/Contracts","Value":7500.5}},
                     {"key":"industrycode","value":{"__type":"OptionSetValue:http:\\/\\/schemas.microsoft.com\\/xrm\\/2011\\/Contracts","Value":7}},
                     {"key":"accountid","value":"%2$s"},
                     {"key":"modifiedon","value":"\\/Date(1506384247000)\\/"}],
                   "EntityState":null,"FormattedValues":[],"Id":"%2$s",
                   "KeyAttributes":[{"key":"accountnumber","value":"A-1"}],
                   "LogicalName":"account","RelatedEntities":[],"RowVersion":"470871"}}],
                 "IsExecutingOffline":false,"IsInTransaction":false,"IsOfflinePlayback":false,"IsolationMode":1,
                 "MessageName":"Update","Mode":1,"OperationCreatedOn":"\\/Date(1506409448000-0700)\\/",
                 "OperationId":"%1$s","OrganizationId":"4ef5b371-e89e-e711-8122-000d3aa2331c",
                 "OrganizationName":"contoso","OutputParameters":[],"ParentContext":null,
                 "PostEntityImages":[{"key":"PostImage","value":{"Attributes":[
                     {"key":"name","value":"Contoso"},
                     {"key":"primarycontactid","value":{"__type":"EntityReference:http:\\/\\/schemas.microsoft.com\\/xrm\\/2011\\/Contracts","Id":"6d81597f-0f9f-e711-8122-000d3aa2331c","KeyAttributes":[],"LogicalName":"contact","Name":null,"RowVersion":null}}],
                   "Id":"%2$s","LogicalName":"account"}}],
                 "PreEntityImages":[],"PrimaryEntityId":"%2$s","PrimaryEntityName":"account","RequestId":null,
                 "SecondaryEntityName":"none","SharedVariables":[],"Stage":40,
                 "UserId":"75c2dd85-e89e-e711-8122-000d3aa2331c"}
                """.formatted(operationId, accountId);
    }

    private static WebhookRequest request(String url, Map<String, String> headers, String body) {
        return new WebhookRequest("POST", url, headers, body.getBytes(StandardCharsets.UTF_8), Instant.now());
    }

    private static final String OPERATION = "4af10637-4ea2-e711-8122-000d3aa2331c";
    private static final String ACCOUNT = "a1b2c3d4-0f9f-e711-8122-000d3aa2331c";

    @Test
    void anUpdateBecomesOneNotificationWithTheRowsAttributes() {
        WebhookDelivery delivery = format.read(request(URL, Map.of("x-steward-key", KEY),
                accountUpdate(OPERATION, ACCOUNT)), SETTINGS);

        assertEquals(1, delivery.notifications().size());
        WebhookDelivery.Notification notification = delivery.notifications().getFirst();
        assertEquals(OPERATION + ":Update:" + ACCOUNT, notification.id());
        Map<String, Object> payload = notification.payload();
        assertEquals(ACCOUNT, payload.get("accountid"));
        assertEquals("A-1", payload.get("accountnumber"), "the alternate key of an upsert by key");
        assertEquals(new java.math.BigDecimal("7500.5"), new java.math.BigDecimal(payload.get("creditlimit").toString()),
                "money as its number");
        assertEquals(7, ((Number) payload.get("industrycode")).intValue(), "an option set as its value");
        assertEquals("2017-09-26T00:04:07Z", payload.get("modifiedon"));
        assertEquals("Contoso", payload.get("name"), "from the post image");
        assertEquals("6d81597f-0f9f-e711-8122-000d3aa2331c", payload.get("primarycontactid"), "a lookup as its GUID");
        assertEquals(Optional.empty(), delivery.reply(), "Dataverse wants any 2xx");
    }

    @Test
    void theKeyMayComeAsTheWebhookKeyQueryParameter() {
        WebhookDelivery delivery = format.read(request(URL + "?code=" + KEY, Map.of(),
                accountUpdate(OPERATION, ACCOUNT)), SETTINGS);
        assertEquals(1, delivery.notifications().size());
    }

    @Test
    void aConfiguredHeaderCarriesTheKey() {
        WebhookSettings settings = new WebhookSettings(Optional.of(KEY), Map.of("header", "X-Dataverse-Secret"));
        assertEquals(1, format.read(request(URL, Map.of("x-dataverse-secret", KEY), accountUpdate(OPERATION, ACCOUNT)),
                settings).notifications().size());
        assertEquals(401, assertThrows(WebhookRefusedException.class, () -> format.read(request(URL,
                Map.of("x-steward-key", KEY), accountUpdate(OPERATION, ACCOUNT)), settings)).status());
    }

    @Test
    void aWrongOrMissingKeyIsRefused401() {
        WebhookRefusedException wrong = assertThrows(WebhookRefusedException.class, () -> format.read(
                request(URL, Map.of("x-steward-key", "guess"), accountUpdate(OPERATION, ACCOUNT)), SETTINGS));
        assertEquals(401, wrong.status());
        assertTrue(!wrong.getMessage().contains(KEY), "the key is never shown");
        WebhookRefusedException wrongCode = assertThrows(WebhookRefusedException.class, () -> format.read(
                request(URL + "?code=guess", Map.of(), accountUpdate(OPERATION, ACCOUNT)), SETTINGS));
        assertEquals(401, wrongCode.status());
        WebhookRefusedException missing = assertThrows(WebhookRefusedException.class, () -> format.read(
                request(URL, Map.of(), accountUpdate(OPERATION, ACCOUNT)), SETTINGS));
        assertEquals(401, missing.status());
    }

    @Test
    void aRedeliveryHasTheSameIdAndAnotherChangeAnother() {
        String first = format.read(request(URL, Map.of("x-steward-key", KEY), accountUpdate(OPERATION, ACCOUNT)),
                SETTINGS).notifications().getFirst().id();
        String again = format.read(request(URL, Map.of("x-steward-key", KEY), accountUpdate(OPERATION, ACCOUNT)),
                SETTINGS).notifications().getFirst().id();
        String next = format.read(request(URL, Map.of("x-steward-key", KEY),
                accountUpdate("5bf10637-4ea2-e711-8122-000d3aa2331c", ACCOUNT)), SETTINGS).notifications().getFirst().id();
        assertEquals(first, again);
        assertNotEquals(first, next);
    }

    @Test
    void aBodyThatIsNotAContextIsRefused400() {
        for (String body : List.of("{not json", "[1,2]", "{\"MessageName\":\"Update\"}",
                accountUpdate(OPERATION, ACCOUNT).replace("\"OperationId\":\"" + OPERATION + "\"", "\"OperationId\":null"))) {
            WebhookRefusedException refused = assertThrows(WebhookRefusedException.class,
                    () -> format.read(request(URL, Map.of("x-steward-key", KEY), body), SETTINGS), body);
            assertEquals(400, refused.status(), body);
        }
    }

    @Test
    void anotherOrganizationIsRefused403WhenTheFlowNamesOne() {
        WebhookSettings settings = new WebhookSettings(Optional.of(KEY),
                Map.of("organizationId", "00000000-0000-0000-0000-000000000001"));
        assertEquals(403, assertThrows(WebhookRefusedException.class, () -> format.read(request(URL,
                Map.of("x-steward-key", KEY), accountUpdate(OPERATION, ACCOUNT)), settings)).status());
        WebhookSettings ours = new WebhookSettings(Optional.of(KEY),
                Map.of("organizationId", "4EF5B371-E89E-E711-8122-000D3AA2331C"));
        assertEquals(1, format.read(request(URL, Map.of("x-steward-key", KEY), accountUpdate(OPERATION, ACCOUNT)),
                ours).notifications().size());
    }

    @Test
    void settingsAreChecked() {
        assertEquals(List.of("secret"), paths(new WebhookSettings(Optional.empty(), Map.of())));
        assertEquals(List.of("options.header"), paths(new WebhookSettings(Optional.of(KEY), Map.of("header", "a b"))));
        assertEquals(List.of("options.maxAge"), paths(new WebhookSettings(Optional.of(KEY), Map.of("maxAge", "5m"))));
        assertEquals(List.of(), paths(SETTINGS));
    }

    private List<String> paths(WebhookSettings settings) {
        return format.validate(settings).stream().map(ConfigProblem::path).toList();
    }

    /**
     * Microsoft's documented example body (use-webhooks.md), read from the shared vendor
     * specifications when they are beside the repository: its license for redistribution is
     * unconfirmed, so it is not copied into the project.
     */
    @Test
    void theDocumentedContactUpdate() throws IOException {
        Optional<Path> sample = VendorSpecs.file("dataverse/webhook-remote-execution-context.contact-update.json");
        Assumptions.assumeTrue(sample.isPresent(), "the shared vendor-specs folder is not beside this checkout;"
                + " the documented example is skipped (the tests above use an equivalent context)");
        WebhookDelivery delivery = format.read(request(URL, Map.of("x-steward-key", KEY),
                Files.readString(sample.get())), SETTINGS);

        WebhookDelivery.Notification notification = delivery.notifications().getFirst();
        assertEquals("4af10637-4ea2-e711-8122-000d3aa2331c:Update:6d81597f-0f9f-e711-8122-000d3aa2331c",
                notification.id());
        assertEquals("James", notification.payload().get("firstname"));
        assertEquals("James Glynn (sample)", notification.payload().get("fullname"));
        assertEquals("6d81597f-0f9f-e711-8122-000d3aa2331c", notification.payload().get("contactid"));
        assertEquals("2017-09-26T00:04:07Z", notification.payload().get("modifiedon"));
        assertEquals("75c2dd85-e89e-e711-8122-000d3aa2331c", notification.payload().get("modifiedby"));
    }
}
