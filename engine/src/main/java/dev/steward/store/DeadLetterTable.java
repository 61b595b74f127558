package dev.steward.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Dead letters and quarantined events, their attempts, and their replay; see {@link Store}. */
final class DeadLetterTable {

    private final Database database;
    private final Clock clock;

    DeadLetterTable(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** Dead letters (FAILED) and quarantined events (INVALID), newest first, optionally of one flow. */
    List<StoredEvent> deadLetters(int limit, Optional<String> flowId) {
        if (limit <= 0) {
            return List.of();
        }
        String sql = "SELECT " + Store.EVENT_COLUMNS + " FROM events WHERE status IN ('FAILED', 'INVALID')"
                + (flowId.isPresent() ? " AND flow_id = ?" : "") + " ORDER BY seq DESC LIMIT ?";
        return database.run("list dead letters", c -> {
            try (PreparedStatement select = c.prepareStatement(sql)) {
                int i = 1;
                if (flowId.isPresent()) {
                    select.setString(i++, flowId.get());
                }
                select.setInt(i, limit);
                return Store.readEvents(select);
            }
        });
    }

    /**
     * Puts a dead letter (FAILED or INVALID) back to PENDING, due now, with its attempt count kept
     * so that attempts continue. With an edited payload, the event runs with it from now on, and
     * the payload as first received is kept (see {@link #originalPayload}). An event that
     * succeeded, or is still pending or running, is left as it is: a replay never applies an
     * event twice. The check and the change are one compare-and-set, safe against another host
     * replaying or claiming the same event.
     */
    Replay replay(String id, Optional<String> editedPayload) {
        Objects.requireNonNull(id, "id");
        long now = clock.millis();
        String sql = "UPDATE events SET status = 'PENDING', next_attempt_at = ?, finished_at = NULL,"
                + " claimed_by = NULL, lease_until = NULL"
                + (editedPayload.isPresent() ? ", original_payload = COALESCE(original_payload, payload), payload = ?" : "")
                + " WHERE id = ? AND status IN ('FAILED', 'INVALID')";
        return database.run("replay an event", c -> {
            try (PreparedStatement update = c.prepareStatement(sql)) {
                int i = 1;
                update.setLong(i++, now);
                if (editedPayload.isPresent()) {
                    update.setString(i++, editedPayload.get());
                }
                update.setString(i, id);
                if (update.executeUpdate() == 1) {
                    return Replay.REPLAYED;
                }
            }
            try (PreparedStatement select = c.prepareStatement("SELECT status FROM events WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        return Replay.NOT_FOUND;
                    }
                    return EventStatus.valueOf(rows.getString(1)) == EventStatus.SUCCEEDED
                            ? Replay.ALREADY_SUCCEEDED : Replay.STILL_OPEN;
                }
            }
        });
    }

    /** The payload as first received, if a replay has since replaced it with an edited one. */
    Optional<String> originalPayload(String id) {
        return database.run("read an original payload", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT original_payload FROM events WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** Adds a finished attempt to its event's history; the same attempt number twice is kept once. */
    void recordAttempt(Attempt attempt) {
        Objects.requireNonNull(attempt, "attempt");
        database.run("record an attempt", c -> {
            try (PreparedStatement insert = c.prepareStatement(OutcomeCommitter.INSERT_ATTEMPT)) {
                OutcomeCommitter.bindAttempt(insert, attempt);
                return insert.executeUpdate();
            } catch (SQLException e) {
                if (Database.isUniqueViolation(e)) {
                    return 0;
                }
                throw e;
            }
        });
    }

    /** An event's attempts, first to last. */
    List<Attempt> attempts(String eventId) {
        return database.run("read attempts", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT event_id, attempt, started_at, finished_at,"
                    + " outcome, error FROM attempts WHERE event_id = ? ORDER BY attempt, seq")) {
                select.setString(1, eventId);
                List<Attempt> attempts = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        attempts.add(new Attempt(rows.getString(1), rows.getInt(2), Instant.ofEpochMilli(rows.getLong(3)),
                                Instant.ofEpochMilli(rows.getLong(4)), rows.getString(5), rows.getString(6)));
                    }
                }
                return attempts;
            }
        });
    }
}
