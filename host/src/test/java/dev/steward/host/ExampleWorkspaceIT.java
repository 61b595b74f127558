package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo, end to end: the example workspace on a real host on a random port, real webhooks
 * over HTTP, real H2 databases for the CRM and the ERP, read back with plain JDBC.
 */
class ExampleWorkspaceIT {

    @TempDir
    static Path temp;
    static Path home;
    static RunningHost host;

    @BeforeAll
    static void start() throws Exception {
        home = RunningHost.copyExample(temp.resolve("workspace"));
        host = new RunningHost(home);
    }

    @AfterAll
    static void stop() {
        host.close();
    }

    @Test
    void aCrmCustomerChangeReachesTheErpForCrmFieldsOnly() throws SQLException {
        JsonNode event = host.deliver("crm/customer",
                "{\"id\":\"C-1001\",\"email\":\"ada@lovelace.example\",\"phone\":\"+44 20 7946 0001\",\"credit_limit\":9000}",
                id());

        assertThat(event.get("status").asText()).isEqualTo("succeeded");
        JsonNode decisions = event.at("/trace/decisions");
        assertThat(decision(decisions, "email").get("decision").asText()).isEqualTo("accept");
        JsonNode credit = decision(decisions, "creditLimit");
        assertThat(credit.get("decision").asText()).isEqualTo("reject");
        assertThat(credit.get("reason").asText()).isEqualTo("ERP manages fiscal risk and accounting.");
        assertThat(credit.get("by").asText()).isEqualTo("rules/mastership.yaml:17");
        assertThat(row("erp", "SELECT email, credit_limit FROM customers WHERE crm_id = 'C-1001'"))
                .containsExactly("ada@lovelace.example", "5000.00");

        JsonNode view = host.getJson("/api/systems/erp/customer/C-1001");
        assertThat(view.get("exists").asBoolean()).isTrue();
        assertThat(view.at("/fields/email").asText()).isEqualTo("ada@lovelace.example");
        assertThat(view.at("/fields/creditLimit").asInt()).isEqualTo(5000);
    }

    @Test
    void anErpInventoryChangeReachesTheCrm() throws SQLException {
        // erp-product-poll's first poll syncs SKU-42 as the ERP holds it (3); let it finish first
        assertThat(awaitPolled("SKU-42").get("status").asText()).isEqualTo("succeeded");
        JsonNode event = host.deliver("erp/product", "{\"item\":{\"sku\":\"SKU-42\",\"qtyOnHand\":17}}", id());

        assertThat(event.get("status").asText()).isEqualTo("succeeded");
        assertThat(decision(event.at("/trace/decisions"), "inventoryQty").get("decision").asText()).isEqualTo("accept");
        assertThat(row("crm", "SELECT inventory_qty FROM products WHERE sku = 'SKU-42'")).containsExactly("17");
        assertThat(host.getJson("/api/systems/crm/product/SKU-42").at("/fields/inventoryQty").asInt()).isEqualTo(17);
    }

    @Test
    void theErpQuantityTransformTurnsDecimalTextIntoWholeUnitsAndRefusesNonsense() throws SQLException {
        JsonNode event = host.deliver("erp/product", "{\"item\":{\"sku\":\"SKU-42\",\"qtyOnHand\":\"23.000\"}}", id());

        assertThat(event.get("status").asText()).isEqualTo("succeeded");
        assertThat(event.at("/trace/steps/0/detail").asText()).isEqualTo("transforms/erp-quantity.js: changed inventoryQty");
        assertThat(row("crm", "SELECT inventory_qty FROM products WHERE sku = 'SKU-42'")).containsExactly("23");

        JsonNode nonsense = host.deliver("erp/product", "{\"item\":{\"sku\":\"SKU-42\",\"qtyOnHand\":\"lots\"}}", id());
        assertThat(nonsense.get("status").asText()).isEqualTo("failed");
        assertThat(nonsense.get("error").asText()).contains("transforms/erp-quantity.js:8")
                .contains("inventoryQty of SKU-42 is not a number: lots");
        assertThat(row("crm", "SELECT inventory_qty FROM products WHERE sku = 'SKU-42'")).containsExactly("23");
    }

    @Test
    void aDrlExceptionLetsTheErpCancelADealButNothingElse() throws SQLException {
        JsonNode shipped = host.deliver("erp/order", "{\"crm_deal_id\":\"D-7\",\"status\":\"Shipped\"}", id());
        assertThat(decision(shipped.at("/trace/decisions"), "status").get("decision").asText()).isEqualTo("reject");
        assertThat(row("crm", "SELECT stage FROM deals WHERE id = 'D-7'")).containsExactly("Negotiation");

        JsonNode cancelled = host.deliver("erp/order", "{\"crm_deal_id\":\"D-7\",\"status\":\"Cancelled\"}", id());
        JsonNode decision = decision(cancelled.at("/trace/decisions"), "status");
        assertThat(decision.get("decision").asText()).isEqualTo("accept");
        assertThat(decision.get("by").asText()).isEqualTo("rules/deal-exceptions.drl: rule \"ERP may cancel a deal\"");
        assertThat(row("crm", "SELECT stage FROM deals WHERE id = 'D-7'")).containsExactly("Cancelled");
    }

    @Test
    void aWonDealGetsAnErpOrderWhoseNumberGoesBackToTheCrmAndOtherStagesAreFiltered() throws SQLException {
        JsonNode open = host.deliver("crm/deal-won", "{\"id\":\"D-7\",\"name\":\"Engine for Ada\",\"stage\":\"Negotiation\"}", id());
        assertThat(open.get("status").asText()).isEqualTo("filtered");
        assertThat(row("erp", "SELECT COUNT(*) FROM orders")).containsExactly("0");

        JsonNode won = host.deliver("crm/deal-won", "{\"id\":\"D-7\",\"name\":\"Engine for Ada\",\"stage\":\"Closed Won\"}", id());
        assertThat(won.get("status").asText()).isEqualTo("succeeded");
        assertThat(row("erp", "SELECT order_no, crm_deal_id, deal_name, request_key FROM orders"))
                .containsExactly("9100", "D-7", "Engine for Ada", won.get("eventId").asText() + ":order");
        assertThat(row("crm", "SELECT erp_order_no FROM deals WHERE id = 'D-7'")).containsExactly("SO-9100");

        // The CRM's next webhook about the deal carries the number: no second order.
        JsonNode again = host.deliver("crm/deal-won",
                "{\"id\":\"D-7\",\"name\":\"Engine for Ada\",\"stage\":\"Closed Won\",\"erp_order_no\":\"SO-9100\"}", id());
        assertThat(again.get("status").asText()).isEqualTo("filtered");
        assertThat(row("erp", "SELECT COUNT(*) FROM orders")).containsExactly("1");
    }

    @Test
    void anInvalidRecordIsQuarantinedAndNothingOfItIsWritten() throws SQLException {
        JsonNode event = host.deliver("crm/customer",
                "{\"id\":\"C-2002\",\"email\":\"not-an-email\",\"phone\":\"+1 555 0100\"}", id());

        assertThat(event.get("status").asText()).isEqualTo("invalid");
        assertThat(event.get("error").asText()).contains("email 'not-an-email' is not an email address");
        assertThat(row("erp", "SELECT COUNT(*) FROM customers WHERE crm_id = 'C-2002'")).containsExactly("0");
    }

    @Test
    void aRepeatedDeliveryAnswersWithTheFirstEventId() {
        String delivery = id();
        String body = "{\"id\":\"C-3003\",\"email\":\"x@y.example\"}";
        HttpResponse<String> first = host.hook("crm/customer", body, delivery);
        HttpResponse<String> second = host.hook("crm/customer", body, delivery);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(RunningHost.json(second).get("eventId").asText()).isEqualTo(RunningHost.json(first).get("eventId").asText());
        assertThat(RunningHost.json(second).get("duplicate").asBoolean()).isTrue();
    }

    @Test
    void eventsOfOneRecordApplyInTheOrderTheyArrived() throws SQLException {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            HttpResponse<String> response = host.hook("crm/customer",
                    "{\"id\":\"C-4004\",\"email\":\"v" + i + "@order.example\"}", id());
            ids.add(RunningHost.json(response).get("eventId").asText());
        }
        ids.forEach(host::awaitFinished);

        assertThat(row("erp", "SELECT email FROM customers WHERE crm_id = 'C-4004'")).containsExactly("v30@order.example");
    }

    @Test
    void badRequestsGetA4xxWithAReason() {
        assertThat(host.hook("crm/customer", "{\"id\": ", id())).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("not valid JSON");
        });
        assertThat(host.hook("crm/customer", "{\"email\":\"a@b.c\"}", id())).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(422);
            assertThat(r.body()).contains("no record key at 'id'");
        });
        assertThat(host.hook("nobody/listens", "{}", id()).statusCode()).isEqualTo(404);
        assertThat(host.post("/hooks/crm/customer", "id=1", Map.of("Content-Type", "application/x-www-form-urlencoded")))
                .satisfies(r -> {
                    assertThat(r.statusCode()).isEqualTo(415);
                    assertThat(r.body()).contains("application/json");
                });
        String huge = "{\"id\":\"C-1\",\"email\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        assertThat(host.hook("crm/customer", huge, id()).statusCode()).isEqualTo(413);
        assertThat(host.get("/api/events/evt_nope").statusCode()).isEqualTo(404);
        assertThat(host.get("/api/systems/ledger/customer/C-1")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("no system 'ledger'");
        });
    }

    @Test
    void aDryRunShowsTheDecisionsAndWritesNothing() throws SQLException {
        HttpResponse<String> response = host.post("/api/flows/crm-customer/dry-run",
                "{\"id\":\"C-5005\",\"email\":\"dry@run.example\",\"credit_limit\":1}", Map.of());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = RunningHost.json(response);
        assertThat(decision(body.get("decisions"), "email").get("decision").asText()).isEqualTo("accept");
        assertThat(body.at("/writes/0/result").asText()).isEqualTo("dry-run");
        assertThat(row("erp", "SELECT COUNT(*) FROM customers WHERE crm_id = 'C-5005'")).containsExactly("0");
    }

    /** The polled flow's event for a record, once it has finished; bounded. */
    private JsonNode awaitPolled(String key) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode event : host.getJson("/api/events?flow=erp-product-poll").get("events")) {
                if (event.path("key").asText().equals(key)) {
                    return host.awaitFinished(event.get("eventId").asText());
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("erp-product-poll stored no event for " + key + " within 20 s");
    }

    @Test
    void flowsHealthAndMetricsAnswer() {
        JsonNode flows = host.getJson("/api/flows");
        assertThat(flows.get("flows")).hasSize(7);
        assertThat(host.getJson("/health").get("status").asText()).isEqualTo("up");
        host.deliver("crm/customer", "{\"id\":\"C-6006\",\"email\":\"m@metrics.example\"}", id());
        assertThat(host.get("/metrics").body()).contains("steward_events_received_total").contains("steward_decisions_total");
        assertThat(host.get("/editor/").statusCode()).isEqualTo(200);
    }

    private static JsonNode decision(JsonNode decisions, String field) {
        for (JsonNode decision : decisions) {
            if (decision.get("field").asText().equals(field)) {
                return decision;
            }
        }
        throw new AssertionError("no decision for " + field + " in " + decisions);
    }

    /** One row of a query against a demo system's own database, as strings. */
    private static List<String> row(String system, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:h2:" + home.resolve("data").resolve(system), "", "");
             ResultSet result = connection.createStatement().executeQuery(sql)) {
            assertThat(result.next()).as("a row for " + sql).isTrue();
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= result.getMetaData().getColumnCount(); i++) {
                values.add(result.getString(i));
            }
            return values;
        }
    }

    private static String id() {
        return "msg_" + UUID.randomUUID();
    }
}
