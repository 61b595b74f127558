package dev.steward.testing.vendors.hubspot;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The fake HubSpot's records: CRM object types with their properties (types, options, unique
 * and read-only ones), records with ids HubSpot chooses and {@code updatedAt} times that move
 * on every real change, and HubSpot's property validation. Every change is reported to a
 * listener (the webhook sender). Thread-safe: one lock for everything.
 */
final class FakeCrm {

    /** A property's kind, as HubSpot's property definitions say. */
    enum Kind { STRING, NUMBER, BOOL, ENUMERATION, EMAIL, DATETIME }

    /** A property definition. */
    record Property(String name, Kind kind, List<String> options, boolean unique, boolean readOnly) {
    }

    /** An object type: its path name, its webhook subscription prefix and its properties. */
    static final class ObjectType {
        final String name;
        final String subscription;
        final Map<String, Property> properties = new LinkedHashMap<>();
        final TreeMap<Long, Rec> records = new TreeMap<>();

        ObjectType(String name, String subscription) {
            this.name = name;
            this.subscription = subscription;
        }

        void define(String property, Kind kind, List<String> options, boolean unique, boolean readOnly) {
            properties.put(property, new Property(property, kind, options, unique, readOnly));
        }
    }

    /** One record. */
    static final class Rec {
        final long id;
        final Map<String, String> properties = new LinkedHashMap<>();
        final Instant createdAt;
        Instant updatedAt;

        Rec(long id, Instant createdAt) {
            this.id = id;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }
    }

    /** One property that failed validation, as HubSpot lists them. */
    record Invalid(String name, String error, String message) {
    }

    /** A change: a new record, or the properties whose values changed, and who made it. */
    record Change(String objectType, String subscription, long objectId, boolean created,
                  Map<String, String> changed, String source) {
    }

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final List<String> LIFECYCLE = List.of("subscriber", "lead", "marketingqualifiedlead",
            "salesqualifiedlead", "opportunity", "customer", "evangelist", "other");

    private final Map<String, ObjectType> types = new LinkedHashMap<>();
    private final Consumer<Change> listener;
    private long nextId = 1001;
    private Instant lastUpdate = Instant.EPOCH;

    FakeCrm(Consumer<Change> listener) {
        this.listener = listener;
        ObjectType contacts = type("contacts", "contact");
        contacts.define("email", Kind.EMAIL, List.of(), true, false);
        contacts.define("firstname", Kind.STRING, List.of(), false, false);
        contacts.define("lastname", Kind.STRING, List.of(), false, false);
        contacts.define("phone", Kind.STRING, List.of(), false, false);
        contacts.define("company", Kind.STRING, List.of(), false, false);
        contacts.define("lifecyclestage", Kind.ENUMERATION, LIFECYCLE, false, false);
        contacts.define("credit_limit", Kind.NUMBER, List.of(), false, false);
        contacts.define("erp_account_number", Kind.STRING, List.of(), true, false);
        contacts.define("opted_in", Kind.BOOL, List.of(), false, false);
        ObjectType companies = type("companies", "company");
        companies.define("name", Kind.STRING, List.of(), false, false);
        companies.define("domain", Kind.STRING, List.of(), false, false);
        companies.define("phone", Kind.STRING, List.of(), false, false);
        companies.define("lifecyclestage", Kind.ENUMERATION, LIFECYCLE, false, false);
        companies.define("credit_limit", Kind.NUMBER, List.of(), false, false);
        companies.define("erp_account_number", Kind.STRING, List.of(), true, false);
        ObjectType deals = type("deals", "deal");
        deals.define("dealname", Kind.STRING, List.of(), false, false);
        deals.define("amount", Kind.NUMBER, List.of(), false, false);
        deals.define("dealstage", Kind.ENUMERATION, List.of("appointmentscheduled", "qualifiedtobuy",
                "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"), false, false);
        deals.define("pipeline", Kind.STRING, List.of(), false, false);
        deals.define("closedate", Kind.DATETIME, List.of(), false, false);
    }

    private ObjectType type(String name, String subscription) {
        ObjectType type = new ObjectType(name, subscription);
        for (String readOnly : List.of("hs_object_id", "createdate", "lastmodifieddate")) {
            type.define(readOnly, readOnly.equals("hs_object_id") ? Kind.NUMBER : Kind.DATETIME, List.of(), false, true);
        }
        types.put(name, type);
        return type;
    }

    synchronized Optional<ObjectType> objectType(String name) {
        return Optional.ofNullable(types.get(name));
    }

    /** Adds a property to a type (a custom property made in HubSpot's settings). */
    synchronized void define(String type, String property, Kind kind, boolean unique) {
        types.get(type).define(property, kind, List.of(), unique, false);
    }

    /** The record with this id, or with this value of a unique property. */
    synchronized Optional<Rec> find(ObjectType type, String key, Optional<String> idProperty) {
        if (idProperty.isEmpty() || idProperty.get().equals("hs_object_id")) {
            try {
                return Optional.ofNullable(type.records.get(Long.parseLong(key)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return type.records.values().stream().filter(r -> key.equals(r.properties.get(idProperty.get()))).findFirst();
    }

    /** HubSpot's checks of property values; empty when all are valid. */
    synchronized List<Invalid> check(ObjectType type, Map<String, String> values) {
        List<Invalid> invalid = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            Property p = type.properties.get(e.getKey());
            String v = e.getValue();
            if (p == null) {
                invalid.add(new Invalid(e.getKey(), "PROPERTY_DOESNT_EXIST", "Property \"" + e.getKey()
                        + "\" does not exist"));
            } else if (p.readOnly()) {
                invalid.add(new Invalid(p.name(), "READ_ONLY_VALUE", "\"" + p.name() + "\" is a read only property; its value cannot be set."));
            } else if (v.isEmpty()) {
                continue;
            } else if (p.kind() == Kind.NUMBER && !number(v)) {
                invalid.add(new Invalid(p.name(), "INVALID_DECIMAL", v + " was not a valid number."));
            } else if (p.kind() == Kind.BOOL && !v.equals("true") && !v.equals("false")) {
                invalid.add(new Invalid(p.name(), "INVALID_BOOLEAN", v + " was not a valid boolean (true or false)."));
            } else if (p.kind() == Kind.EMAIL && !EMAIL.matcher(v).matches()) {
                invalid.add(new Invalid(p.name(), "INVALID_EMAIL", "Email address " + v + " is invalid"));
            } else if (p.kind() == Kind.ENUMERATION && !p.options().contains(v)) {
                invalid.add(new Invalid(p.name(), "INVALID_OPTION", v + " was not one of the allowed options: "
                        + p.options()));
            }
        }
        return invalid;
    }

    /** The id of another record that already holds one of these unique values, if any. */
    synchronized Optional<Long> uniqueClash(ObjectType type, Map<String, String> values, long self) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            Property p = type.properties.get(e.getKey());
            if (p != null && p.unique() && !e.getValue().isEmpty()) {
                for (Rec r : type.records.values()) {
                    if (r.id != self && e.getValue().equals(r.properties.get(e.getKey()))) {
                        return Optional.of(r.id);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Creates a record from checked values. */
    synchronized Rec create(ObjectType type, Map<String, String> values, String source) {
        Rec rec = new Rec(nextId++, tick());
        values.forEach((k, v) -> {
            if (!v.isEmpty()) {
                rec.properties.put(k, v);
            }
        });
        type.records.put(rec.id, rec);
        listener.accept(new Change(type.name, type.subscription, rec.id, true, Map.copyOf(rec.properties), source));
        return rec;
    }

    /** Updates a record with checked values; {@code updatedAt} moves only when a value changed. */
    synchronized void update(ObjectType type, Rec rec, Map<String, String> values, String source) {
        Map<String, String> changed = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String old = rec.properties.getOrDefault(e.getKey(), "");
            if (!old.equals(e.getValue())) {
                changed.put(e.getKey(), e.getValue());
                if (e.getValue().isEmpty()) {
                    rec.properties.remove(e.getKey());
                } else {
                    rec.properties.put(e.getKey(), e.getValue());
                }
            }
        }
        if (!changed.isEmpty()) {
            rec.updatedAt = tick();
            listener.accept(new Change(type.name, type.subscription, rec.id, false, changed, source));
        }
    }

    /** A time after every earlier one, so each change has its own {@code updatedAt}. */
    private Instant tick() {
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        lastUpdate = now.isAfter(lastUpdate) ? now : lastUpdate.plusMillis(1);
        return lastUpdate;
    }

    private static boolean number(String text) {
        try {
            new BigDecimal(text);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
