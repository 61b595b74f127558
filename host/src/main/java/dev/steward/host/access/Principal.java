package dev.steward.host.access;

import dev.steward.api.AccessRecords.Session;

import java.util.Optional;

/**
 * Who made a request: a signed-in user (with its browser session), an API token, or the
 * {@code STEWARD_ADMIN_TOKEN} of the environment.
 */
public record Principal(String name, Kind kind, Role role, Optional<Session> session) {

    public enum Kind { USER, TOKEN, ENVIRONMENT_TOKEN }

    /** How the audit log and the log lines name it: {@code user:ada}, {@code token:ci}. */
    public String actor() {
        return switch (kind) {
            case USER -> "user:" + name;
            case TOKEN -> "token:" + name;
            case ENVIRONMENT_TOKEN -> "token:STEWARD_ADMIN_TOKEN";
        };
    }

    public boolean viaCookie() {
        return session.isPresent();
    }
}
