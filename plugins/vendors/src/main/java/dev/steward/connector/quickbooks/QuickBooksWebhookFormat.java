package dev.steward.connector.quickbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.DurationSetting;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookFormat;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code format: quickbooks}: QuickBooks Online webhooks. The {@code intuit-signature} header is
 * checked first (Base64 HMAC-SHA256 of the raw body keyed with the app's verifier token, the
 * flow's {@code secret}; compared in constant time; 401 otherwise). Both of Intuit's bodies are
 * read: the classic {@code {"eventNotifications":[{realmId, dataChangeEvent:{entities:[...]}}]}}
 * and the newer array of CloudEvents ({@code type: qbo.customer.updated.v1},
 * {@code intuitentityid}, {@code intuitaccountid}). Each changed object is one notification, thin
 * (ids only: the flow reads the record with {@code fetch: true}) with the payload
 * {@code {realmId, entity, id, operation, lastUpdated}}; its id is the CloudEvent's id, or realm,
 * entity, id, operation and lastUpdated for the classic form (Intuit gives those events no id).
 * The reply is the {@code 200} Intuit expects.
 *
 * <p>Options: {@code realmId} (deliveries for other companies are refused with 403),
 * {@code entities} (the objects this flow takes, e.g. [Customer]: Intuit sends every object of
 * every company to the app's one endpoint; others are skipped), {@code operations} (default every
 * one but Delete) and {@code maxAge} (notifications older than that are refused with 401; Intuit
 * retries for hours, so keep it above a day). Stateless.
 */
public final class QuickBooksWebhookFormat implements WebhookFormat {

    static final String SIGNATURE = "intuit-signature";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OPTIONS = Set.of("realmId", "entities", "operations", "maxAge");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSSSSSSSS][.SSS][XXX][XX]");

    @Override
    public String name() {
        return "quickbooks";
    }

    @Override
    public List<ConfigProblem> validate(WebhookSettings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (settings.secret().isEmpty() || settings.secret().get().isBlank()) {
            problems.add(new ConfigProblem("secret", "format quickbooks needs the app's webhook verifier token as secret"
                    + " (developer.intuit.com > your app > Webhooks > Show verifier token)"));
        }
        settings.options().keySet().stream().filter(k -> !OPTIONS.contains(k)).forEach(k -> problems.add(
                new ConfigProblem("options." + k, "format quickbooks has no option " + k + " (it has " + OPTIONS + ")")));
        settings.option("realmId").filter(r -> !r.matches("\\d{1,30}")).ifPresent(r -> problems.add(
                new ConfigProblem("options.realmId", "realmId '" + r + "' is not a QuickBooks company id (digits)")));
        for (String list : List.of("entities", "operations")) {
            Object value = settings.options().get(list);
            if (value != null && !(value instanceof List<?>)) {
                problems.add(new ConfigProblem("options." + list, list + " must be a list, e.g. [Customer]"));
            }
        }
        Object maxAge = settings.options().get("maxAge");
        if (maxAge != null && DurationSetting.parse(maxAge).isEmpty()) {
            problems.add(new ConfigProblem("options.maxAge", "maxAge must be a duration such as 2d"));
        }
        return problems;
    }

    @Override
    public WebhookDelivery read(WebhookRequest request, WebhookSettings settings) {
        verify(request, settings.secret().orElse(""));
        JsonNode body;
        try {
            body = JSON.readTree(request.body());
        } catch (IOException e) {
            throw new WebhookRefusedException(400, "the body is not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        List<Event> events;
        if (body != null && body.isObject() && body.has("eventNotifications")) {
            events = classic(body.get("eventNotifications"));
        } else if (body != null && body.isArray()) {
            events = cloudEvents(body);
        } else {
            throw new WebhookRefusedException(400, "not a QuickBooks webhook: neither {\"eventNotifications\": [...]}"
                    + " nor an array of CloudEvents");
        }
        Optional<String> realm = settings.option("realmId");
        Set<String> entities = lower(settings.options().get("entities"));
        Set<String> operations = lower(settings.options().get("operations"));
        Optional<Duration> maxAge = Optional.ofNullable(settings.options().get("maxAge")).flatMap(DurationSetting::parse);
        List<WebhookDelivery.Notification> notifications = new ArrayList<>();
        for (Event e : events) {
            if (realm.isPresent() && !realm.get().equals(e.realmId())) {
                throw new WebhookRefusedException(403, "a delivery for QuickBooks company " + e.realmId()
                        + "; this flow takes company " + realm.get() + " only");
            }
            if (maxAge.isPresent() && e.at().isPresent()
                    && e.at().get().isBefore(request.receivedAt().minus(maxAge.get()))) {
                throw new WebhookRefusedException(401, "a notification from " + e.at().get() + ", older than maxAge "
                        + DurationSetting.format(maxAge.get()) + ": refused as a replay");
            }
            boolean wanted = (entities.isEmpty() || entities.contains(e.entity().toLowerCase(Locale.ROOT)))
                    && (operations.isEmpty() ? !e.operation().equals("Delete")
                    : operations.contains(e.operation().toLowerCase(Locale.ROOT)));
            if (wanted) {
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("realmId", e.realmId());
                payload.put("entity", e.entity());
                payload.put("id", e.id());
                payload.put("operation", e.operation());
                payload.put("lastUpdated", e.lastUpdated());
                notifications.add(new WebhookDelivery.Notification(e.eventId(), payload));
            }
        }
        // Intuit counts a delivery as received on a 200 (and retries otherwise), within 3 seconds
        return new WebhookDelivery(notifications, Optional.of(new WebhookDelivery.Reply(200, "application/json",
                "{\"received\":" + notifications.size() + "}")));
    }

    private record Event(String eventId, String realmId, String entity, String id, String operation,
                         String lastUpdated, Optional<Instant> at) {
    }

    private static void verify(WebhookRequest request, String verifierToken) {
        Optional<String> signature = request.header(SIGNATURE);
        if (signature.isEmpty() || signature.get().isBlank()) {
            throw new WebhookRefusedException(401, "no " + SIGNATURE + " header");
        }
        byte[] expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(verifierToken.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            expected = Base64.getEncoder().encode(mac.doFinal(request.body()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new WebhookRefusedException(401, "the signature cannot be checked: the flow has no verifier token");
        }
        if (!MessageDigest.isEqual(expected, signature.get().trim().getBytes(StandardCharsets.US_ASCII))) {
            throw new WebhookRefusedException(401, SIGNATURE + " does not match the body (wrong verifier token,"
                    + " or the body was changed on its way)");
        }
    }

    private static List<Event> classic(JsonNode notifications) {
        if (!notifications.isArray()) {
            throw new WebhookRefusedException(400, "eventNotifications is not an array");
        }
        List<Event> events = new ArrayList<>();
        for (JsonNode n : notifications) {
            String realmId = required(n, "realmId", "eventNotifications[].realmId");
            JsonNode entities = n.path("dataChangeEvent").path("entities");
            if (!entities.isArray()) {
                throw new WebhookRefusedException(400, "eventNotifications[].dataChangeEvent.entities is not an array");
            }
            for (JsonNode e : entities) {
                String name = required(e, "name", "entities[].name");
                String id = required(e, "id", "entities[].id");
                String operation = required(e, "operation", "entities[].operation");
                String lastUpdated = required(e, "lastUpdated", "entities[].lastUpdated");
                events.add(new Event(realmId + ":" + name + ":" + id + ":" + operation + ":" + lastUpdated,
                        realmId, name, id, operation, lastUpdated, instant(lastUpdated)));
            }
        }
        return events;
    }

    private static List<Event> cloudEvents(JsonNode array) {
        List<Event> events = new ArrayList<>();
        for (JsonNode e : array) {
            String eventId = required(e, "id", "CloudEvent id");
            String type = required(e, "type", "CloudEvent type");
            String[] parts = type.split("\\.");
            if (parts.length != 4 || !parts[0].equals("qbo")) {
                throw new WebhookRefusedException(400, "CloudEvent type '" + type + "' is not qbo.<entity>.<operation>.v<N>");
            }
            String id = required(e, "intuitentityid", "CloudEvent intuitentityid");
            String realmId = required(e, "intuitaccountid", "CloudEvent intuitaccountid");
            String time = e.path("time").asText("");
            if (eventId.length() > 200) {
                throw new WebhookRefusedException(400, "CloudEvent id longer than 200 characters");
            }
            events.add(new Event(eventId, realmId, entity(parts[1]), id, operation(parts[2]), time, instant(time)));
        }
        return events;
    }

    /** QuickBooks' own spelling of an object named in lower case by a CloudEvent type. */
    private static String entity(String lower) {
        for (String known : List.of("Customer", "Item", "Invoice", "Vendor", "Employee", "Account", "Bill", "BillPayment",
                "Class", "CreditMemo", "Department", "Deposit", "Estimate", "JournalEntry", "Payment", "PaymentMethod",
                "Purchase", "PurchaseOrder", "RefundReceipt", "SalesReceipt", "TaxAgency", "Term", "TimeActivity",
                "Transfer", "VendorCredit", "Budget", "Currency")) {
            if (known.equalsIgnoreCase(lower)) {
                return known;
            }
        }
        return lower.isEmpty() ? lower : Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    /** The classic form's operation for a CloudEvent's past tense: created -> Create. */
    private static String operation(String past) {
        return switch (past.toLowerCase(Locale.ROOT)) {
            case "created" -> "Create";
            case "updated" -> "Update";
            case "deleted" -> "Delete";
            case "merged" -> "Merge";
            case "voided" -> "Void";
            case "emailed" -> "Emailed";
            default -> past;
        };
    }

    private static String required(JsonNode node, String field, String what) {
        JsonNode value = node.get(field);
        if (value == null || !value.isValueNode() || value.asText().isBlank()) {
            throw new WebhookRefusedException(400, "a QuickBooks notification without " + what);
        }
        return value.asText();
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text, STAMP).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Set<String> lower(Object list) {
        if (!(list instanceof List<?> items)) {
            return Set.of();
        }
        return items.stream().map(i -> String.valueOf(i).toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }
}
