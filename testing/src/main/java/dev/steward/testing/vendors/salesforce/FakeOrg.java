package dev.steward.testing.vendors.salesforce;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The records of the fake org: sObject types (Account and Contact with their usual standard
 * fields, any other type made on first use and taking any field), 18-character ids, external id
 * fields, required fields and validation rules, and a version per record from which Account's
 * ETag is made. Every change is told to a listener (the Outbound Messages). Thread-safe: every
 * method locks the org.
 */
final class FakeOrg {

    /** A refusal of a write, as Salesforce words it. */
    static final class Refusal extends RuntimeException {
        final int status;
        final String errorCode;
        final List<String> fields;

        Refusal(int status, String errorCode, String message, List<String> fields) {
            super(message);
            this.status = status;
            this.errorCode = errorCode;
            this.fields = List.copyOf(fields);
        }
    }

    /** One change of a record: its type, id, whether it was created, and the fields written. */
    record Change(String type, String id, boolean created, Set<String> fields, boolean byApi) {
    }

    /** One record. */
    static final class Row {
        final String id;
        final Map<String, Object> fields = new LinkedHashMap<>();
        long version;

        Row(String id) {
            this.id = id;
        }
    }

    static final class Type {
        final String name;
        /** Null: any field is taken. */
        final Set<String> fields;
        final Set<String> externalIds = new LinkedHashSet<>();
        final Set<String> required = new LinkedHashSet<>();
        final List<Rule> rules = new ArrayList<>();
        final Map<String, Row> rows = new LinkedHashMap<>();

        Type(String name, Set<String> fields) {
            this.name = name;
            this.fields = fields;
        }

        boolean defines(String field) {
            return fields == null || fields.contains(field) || SYSTEM.contains(field);
        }
    }

    record Rule(String field, Predicate<Object> refuses, String message) {
    }

    static final Set<String> SYSTEM = Set.of("Id", "CreatedDate", "LastModifiedDate", "SystemModstamp", "IsDeleted");

    private final Map<String, Type> types = new TreeMap<>();
    private final SalesforceIds ids = new SalesforceIds();
    private final Clock clock;
    private final Consumer<Change> listener;

    FakeOrg(Clock clock, Consumer<Change> listener) {
        this.clock = clock;
        this.listener = listener;
        define("Account", Set.of("Name", "AccountNumber", "Phone", "Website", "Industry", "Type", "AnnualRevenue",
                "NumberOfEmployees", "Description", "BillingStreet", "BillingCity", "BillingPostalCode",
                "BillingState", "BillingCountry", "OwnerId")).required.add("Name");
        define("Contact", Set.of("FirstName", "LastName", "Email", "Phone", "Title", "AccountId", "MailingCity",
                "MailingCountry", "Description", "OwnerId")).required.add("LastName");
    }

    synchronized Type define(String name, Set<String> fields) {
        Type type = new Type(name, new LinkedHashSet<>(fields));
        types.put(name, type);
        return type;
    }

    /** The type by API name; types other than the defined ones are made on first use and take any field. */
    synchronized Type type(String name) {
        return types.computeIfAbsent(name, n -> new Type(n, null));
    }

    synchronized boolean isDefined(String name) {
        return types.containsKey(name) && types.get(name).fields != null;
    }

    synchronized void addField(String type, String field, boolean externalId) {
        Type t = type(type);
        if (t.fields != null) {
            t.fields.add(field);
        }
        if (externalId) {
            t.externalIds.add(field);
        }
    }

    /** Whether {@code field} may address records of the type (declared external ids; any field on a free type). */
    synchronized boolean isExternalId(String type, String field) {
        Type t = type(type);
        return field.equals("Id") || t.externalIds.contains(field) || t.fields == null;
    }

    synchronized Optional<Map<String, Object>> get(String type, String id) {
        Row row = row(type, id);
        return row == null ? Optional.empty() : Optional.of(snapshot(type(type), row));
    }

    synchronized List<String> find(String type, String field, Object value) {
        List<String> found = new ArrayList<>();
        for (Row row : type(type).rows.values()) {
            Object v = field.equals("Id") ? row.id : row.fields.get(field);
            if (v != null && String.valueOf(v).equals(String.valueOf(value))) {
                found.add(row.id);
            }
        }
        return found;
    }

    synchronized List<Map<String, Object>> all(String type) {
        Type t = type(type);
        return t.rows.values().stream().map(r -> snapshot(t, r)).toList();
    }

    /** The Account ETag of a record, or empty for other types. */
    synchronized Optional<String> etag(String type, String id) {
        Row row = row(type, id);
        if (row == null || !type.equals("Account")) {
            return Optional.empty();
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((row.id + ":" + row.version)
                    .getBytes(StandardCharsets.UTF_8));
            return Optional.of("\"" + Base64.getEncoder().encodeToString(hash) + "--gzip\"");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates a record; the Refusal says why not. */
    synchronized String create(String type, Map<String, Object> fields, boolean byApi) {
        Type t = type(type);
        check(t, fields, true);
        Row row = new Row(ids.next(SalesforceIds.prefix(type)));
        String now = now();
        row.fields.put("CreatedDate", now);
        apply(t, row, fields, now);
        t.rows.put(row.id, row);
        listener.accept(new Change(type, row.id, true, Set.copyOf(fields.keySet()), byApi));
        return row.id;
    }

    /** Updates a record; the Refusal says why not. */
    synchronized void update(String type, String id, Map<String, Object> fields, boolean byApi) {
        Type t = type(type);
        Row row = row(type, id);
        if (row == null) {
            throw new Refusal(404, "NOT_FOUND", "The requested resource does not exist", List.of());
        }
        check(t, fields, false);
        apply(t, row, fields, now());
        listener.accept(new Change(type, row.id, false, Set.copyOf(fields.keySet()), byApi));
    }

    /** Checks a write without applying it. */
    synchronized void check(String type, Map<String, Object> fields, boolean create) {
        check(type(type), fields, create);
    }

    synchronized void require(String type, String field) {
        type(type).required.add(field);
    }

    synchronized void rule(String type, String field, Predicate<Object> refuses, String message) {
        type(type).rules.add(new Rule(field, refuses, message));
    }

    private void check(Type t, Map<String, Object> fields, boolean create) {
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (!t.defines(e.getKey())) {
                throw new Refusal(400, "INVALID_FIELD", "No such column '" + e.getKey() + "' on sobject of type "
                        + t.name, List.of(e.getKey()));
            }
            if (SYSTEM.contains(e.getKey())) {
                throw new Refusal(400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: "
                        + e.getKey() + ". Please check the security settings of this field and verify that it is "
                        + "read/write for your profile or permission set.", List.of(e.getKey()));
            }
            if (e.getValue() instanceof Map<?, ?> || e.getValue() instanceof List<?>) {
                throw new Refusal(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of string from "
                        + (e.getValue() instanceof List<?> ? "START_ARRAY" : "START_OBJECT") + " value at [line:1] "
                        + "for field " + e.getKey(), List.of(e.getKey()));
            }
        }
        List<String> missing = new ArrayList<>();
        for (String field : t.required) {
            boolean given = fields.containsKey(field);
            if ((create && (!given || blank(fields.get(field)))) || (given && blank(fields.get(field)))) {
                missing.add(field);
            }
        }
        if (!missing.isEmpty()) {
            throw new Refusal(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: " + missing, missing);
        }
        for (Rule rule : t.rules) {
            if (fields.containsKey(rule.field()) && rule.refuses().test(fields.get(rule.field()))) {
                throw new Refusal(400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", rule.message(), List.of(rule.field()));
            }
        }
    }

    private static boolean blank(Object value) {
        return value == null || String.valueOf(value).isBlank();
    }

    private void apply(Type t, Row row, Map<String, Object> fields, String now) {
        row.fields.putAll(fields);
        row.fields.put("LastModifiedDate", now);
        row.fields.put("SystemModstamp", now);
        row.version++;
    }

    private Row row(String type, String id) {
        Type t = type(type);
        if (id.length() == 15) {
            id = SalesforceIds.eighteen(id);
        }
        return t.rows.get(id);
    }

    private Map<String, Object> snapshot(Type t, Row row) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Id", row.id);
        if (t.fields != null) {
            for (String f : t.fields) {
                out.put(f, null);
            }
        }
        out.put("IsDeleted", false);
        out.putAll(row.fields);
        return out;
    }

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS).toString().replace("Z", "+0000");
    }

    Instant instant() {
        return clock.instant();
    }
}
