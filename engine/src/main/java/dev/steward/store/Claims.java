package dev.steward.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How events are claimed, in plain SQL that H2 and PostgreSQL both run.
 *
 * <p>A claim is two steps. First an unlocked query lists candidates in seq order. Then each
 * candidate gets its own short transaction: lock the open events of its record ({@code SELECT ...
 * FOR UPDATE}, in seq order so two claimers lock in the same order), look again with a fresh
 * statement (under READ COMMITTED it sees everything committed before the locks were granted),
 * and mark it RUNNING with a compare-and-set on (id, status, attempts). Because every claim of an
 * event of one record locks the open events of that record, two claimers of one record are
 * serialised and the second one sees the first one's claim: a record never has two runs at once,
 * even across hosts. Losing a race (lock timeout, deadlock) just skips the candidate.
 */
final class Claims {

    /**
     * Due events whose record has no earlier open event. Pending and expired-lease candidates are
     * two queries, each ordered by {@code (status, seq)} exactly as the index is: then H2 walks
     * the index in order and stops at the limit ("index sorted"), where {@code ORDER BY seq}
     * alone made it sort the whole backlog on every claim (500 ms at 100,000 pending events,
     * against 2 ms).
     */
    private static final String NOT_BLOCKED = " AND NOT EXISTS (SELECT 1 FROM events p WHERE p.entity = e.entity"
            + " AND p.record_key = e.record_key AND p.seq <> e.seq AND ((p.seq < e.seq AND p.status IN ('PENDING', 'RUNNING'))"
            + " OR (p.status = 'RUNNING' AND p.lease_until > ?)))";

    private static final String PENDING_CANDIDATES = "SELECT e.id, e.entity, e.record_key, e.seq FROM events e"
            + " WHERE e.status = 'PENDING' AND e.next_attempt_at <= ?" + NOT_BLOCKED + " ORDER BY e.status, e.seq LIMIT ?";

    private static final String EXPIRED_CANDIDATES = "SELECT e.id, e.entity, e.record_key, e.seq FROM events e"
            + " WHERE e.status = 'RUNNING' AND e.lease_until <= ?" + NOT_BLOCKED + " ORDER BY e.status, e.seq LIMIT ?";

    private static final String LOCK_RECORD = "SELECT seq FROM events WHERE entity = ? AND record_key = ?"
            + " AND status IN ('PENDING', 'RUNNING') ORDER BY seq FOR UPDATE";

    private static final String OPEN_EVENTS = "SELECT id, status, attempts, next_attempt_at, lease_until FROM events"
            + " WHERE entity = ? AND record_key = ? AND status IN ('PENDING', 'RUNNING') ORDER BY seq";

    private static final String MARK_RUNNING = "UPDATE events SET status = 'RUNNING', claimed_by = ?, lease_until = ?,"
            + " attempts = attempts + 1 WHERE id = ? AND status = ? AND attempts = ?";

    private record Candidate(String id, String entity, String key, long seq) {}

    /** The candidate was taken by someone else while we looked; not an error. */
    private static final class LostRace extends RuntimeException {
        LostRace() {
            super(null, null, false, false);
        }
    }

    private final Database database;
    private final Clock clock;

    Claims(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    List<StoredEvent> claim(String worker, int max, Duration lease) {
        if (max <= 0) {
            return List.of();
        }
        long now = clock.millis();
        long leaseUntil = now + lease.toMillis();
        // Ask for some spare candidates: other claimers may take a few of the first ones.
        List<Candidate> candidates = database.run("list claimable events", c -> candidates(c, now, (int) Math.min(2L * max, Integer.MAX_VALUE)));
        List<StoredEvent> claimed = new ArrayList<>();
        for (Candidate candidate : candidates) {
            if (claimed.size() == max) {
                break;
            }
            try {
                database.transaction("claim an event", c -> tryClaim(c, candidate, worker, now, leaseUntil))
                        .ifPresent(claimed::add);
            } catch (LostRace e) {
                // Someone else is claiming this record right now; the next poll will see it.
            }
        }
        return claimed;
    }

    private static List<Candidate> candidates(Connection c, long now, int limit) throws SQLException {
        List<Candidate> candidates = new ArrayList<>();
        for (String query : List.of(EXPIRED_CANDIDATES, PENDING_CANDIDATES)) {
            try (PreparedStatement select = c.prepareStatement(query)) {
                select.setLong(1, now);
                select.setLong(2, now);
                select.setInt(3, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        candidates.add(new Candidate(rows.getString(1), rows.getString(2), rows.getString(3), rows.getLong(4)));
                    }
                }
            }
        }
        // Oldest first across both, so a reclaimed event keeps its place in line.
        candidates.sort(java.util.Comparator.comparingLong(Candidate::seq));
        return candidates.size() > limit ? candidates.subList(0, limit) : candidates;
    }

    private static Optional<StoredEvent> tryClaim(Connection c, Candidate candidate, String worker, long now, long leaseUntil)
            throws SQLException {
        try {
            try (PreparedStatement lock = c.prepareStatement(LOCK_RECORD)) {
                lock.setString(1, candidate.entity());
                lock.setString(2, candidate.key());
                try (ResultSet rows = lock.executeQuery()) {
                    while (rows.next()) {
                        // Reading the rows is what takes the locks.
                    }
                }
            }
            String status = null;
            int attempts = 0;
            try (PreparedStatement open = c.prepareStatement(OPEN_EVENTS)) {
                open.setString(1, candidate.entity());
                open.setString(2, candidate.key());
                try (ResultSet rows = open.executeQuery()) {
                    boolean first = true;
                    while (rows.next()) {
                        String id = rows.getString("id");
                        String rowStatus = rows.getString("status");
                        long lease = rows.getLong("lease_until");
                        boolean leaseHeld = !rows.wasNull() && lease > now;
                        if (id.equals(candidate.id())) {
                            if (!first) {
                                return Optional.empty(); // an earlier event of the record is open
                            }
                            boolean due = rowStatus.equals("PENDING")
                                    ? rows.getLong("next_attempt_at") <= now
                                    : !leaseHeld;
                            if (!due) {
                                return Optional.empty();
                            }
                            status = rowStatus;
                            attempts = rows.getInt("attempts");
                        } else if (rowStatus.equals("RUNNING") && leaseHeld) {
                            return Optional.empty(); // the record is being processed elsewhere
                        }
                        first = false;
                    }
                }
            }
            if (status == null) {
                return Optional.empty(); // finished meanwhile
            }
            try (PreparedStatement update = c.prepareStatement(MARK_RUNNING)) {
                update.setString(1, worker);
                update.setLong(2, leaseUntil);
                update.setString(3, candidate.id());
                update.setString(4, status);
                update.setInt(5, attempts);
                if (update.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            try (PreparedStatement select =
                    c.prepareStatement("SELECT " + Store.EVENT_COLUMNS + " FROM events WHERE id = ?")) {
                select.setString(1, candidate.id());
                return Store.readEvents(select).stream().findFirst();
            }
        } catch (SQLException e) {
            if (Database.isLostRace(e)) {
                throw new LostRace();
            }
            throw e;
        }
    }
}
