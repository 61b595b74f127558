package dev.steward.api;

import java.time.Instant;
import java.util.Optional;

/** The rows of the access tables. No row holds a secret: only hashes of passwords, tokens and session ids. */
public final class AccessRecords {

    private AccessRecords() {
    }

    /** A person who signs in with a password; {@code passwordHash} is a bcrypt hash. */
    public record User(String name, String role, String passwordHash, Instant createdAt) {
        @Override
        public String toString() {
            return "User[" + name + ", " + role + "]";
        }
    }

    /** An API token as listed: never the token itself, which is shown once when created. */
    public record Token(String id, String name, String role, String createdBy, Instant createdAt,
                        Optional<Instant> lastUsedAt, Optional<Instant> revokedAt) {
        public boolean isRevoked() {
            return revokedAt.isPresent();
        }
    }

    /** A signed-in browser; {@code idHash} is the SHA-256 of the cookie's value. */
    public record Session(String idHash, String user, String csrfToken, Instant createdAt, Instant lastSeenAt) {
        @Override
        public String toString() {
            return "Session[" + user + ", since " + createdAt + "]";
        }
    }

    /** One change made through the API: who, when, what, and the content's hash before and after. */
    public record AuditEntry(long seq, Instant at, String actor, String action, String target,
                             String beforeHash, String afterHash, String detail) {
    }
}
