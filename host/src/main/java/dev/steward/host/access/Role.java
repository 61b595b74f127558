package dev.steward.host.access;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What a person or token may do; each role includes every one before it. */
public enum Role {
    /** Flows, rules, runs and traces, the error report, health details. */
    VIEWER,
    /** + replay dead letters, release holds, dry runs, read records through the connectors. */
    OPERATOR,
    /** + save mastership tables, decision tables, flows and rule scenarios. */
    AUTHOR,
    /** + DRL, transforms and systems. */
    DEVELOPER,
    /** + users, tokens, steward.yaml and the audit log. */
    ADMIN;

    public boolean includes(Role other) {
        return ordinal() >= other.ordinal();
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String text) {
        return text == null ? Optional.empty() : Arrays.stream(values()).filter(r -> r.label().equals(text.trim().toLowerCase(Locale.ROOT))).findFirst();
    }

    public static String choices() {
        return Arrays.stream(values()).map(Role::label).collect(Collectors.joining(", "));
    }
}
