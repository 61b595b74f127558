package dev.steward.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How events are claimed, in plain SQL that H2 and PostgreSQL both run.
 *
 * <p>A claim is two steps. First an unlocked query lists candidates in seq order. Then one
 * transaction claims the batch: it locks the open events of every candidate's record ({@code
 * SELECT ... FOR UPDATE}, in seq order so two claimers lock in the same order), looks again with a
 * fresh statement (under READ COMMITTED it sees everything committed before the locks were
 * granted), and marks each candidate that is still the first open event of its record RUNNING
 * with a compare-and-set on (id, status, attempts). Because every claim of an event of one record
 * locks the open events of that record, two claimers of one record are serialised and the second
 * one sees the first one's claim: a record never has two runs at once, even across hosts. (On
 * PostgreSQL the claim locks a record's open events up to its candidate and the record's runs,
 * not the later events of its backlog: the first open event, which every claimer of the record
 * locks, is what serialises them.) Losing a race (lock timeout, deadlock) gives up this batch;
 * the next poll tries again.
 *
 * <p>On PostgreSQL the locks are taken with {@code SKIP LOCKED}: a record any of whose open
 * events another transaction holds (another host's claim, an outcome being committed) is left
 * for the next poll instead of waited for, so hosts claiming at once do not queue behind each
 * other. Each claim takes the event's next claim token (V20), which its run's outcome must still
 * find to be recorded (see {@link OutcomeCommitter}).
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

    /** The pending events in seq order, one index probe each, as many as the query around it reads. */
    private static final String PG_WALK = "WITH RECURSIVE walk(e) AS ("
            + "SELECT (SELECT f FROM events f WHERE f.status = 'PENDING' ORDER BY f.seq LIMIT 1)"
            + " UNION ALL SELECT (SELECT f FROM events f WHERE f.status = 'PENDING' AND f.seq > (w.e).seq ORDER BY f.seq LIMIT 1)"
            + " FROM walk w WHERE (w.e).seq IS NOT NULL)";

    /** No earlier open event of the walked event's record; {@code OFFSET 0}: see {@link #PG_PENDING_CANDIDATES}. */
    private static final String PG_NO_EARLIER_OPEN = " AND NOT EXISTS (SELECT 1 FROM events p"
            + " WHERE p.entity = (w.e).entity AND p.record_key = (w.e).record_key AND p.status IN ('PENDING', 'RUNNING')"
            + " AND p.seq < (w.e).seq OFFSET 0)";

    /**
     * The pending candidates on PostgreSQL: the same events in the same order as {@link
     * #PENDING_CANDIDATES}, in a shape whose plan does not depend on the statistics. PostgreSQL
     * planned the query above from the table's statistics, and those are stale exactly when it
     * matters: after a burst that autovacuum has not analyzed yet, the statistics say nothing is
     * pending, and it fetched every pending event, ran the check for each and sorted them (1.5 s
     * per claim at 28,000 pending); once analyzed, it walked the primary key past the whole
     * finished history to the first pending event (bench/pgclaim.md). Here a recursive walk
     * steps through the pending events one index probe at a time ({@code events_pending}, a
     * partial index in seq order, {@link #POSTGRES_INDEXES}), and the outer {@code LIMIT} stops
     * the walk once enough candidates passed the check: there is no plan that reads the whole
     * backlog first. The check is two probes of {@code events_open_record}, which holds only
     * the open events of a record: an earlier open event (none, for a record's first event, so
     * the probe touches no row), and a later event running under a live lease (a replayed or
     * retried event behind a newer run). {@code OFFSET 0} keeps each probe a subquery run per
     * walked event: as a join, stale statistics ("nothing is open") made PostgreSQL read every
     * open event once into memory and test each candidate against all of them. The cost is the
     * events walked until enough are found, whatever the history or the backlog: the blocked
     * ones (later events of records with an event open) are walked past, as above.
     */
    static final String PG_PENDING_CANDIDATES = PG_WALK
            + " SELECT (w.e).id, (w.e).entity, (w.e).record_key, (w.e).seq FROM walk w"
            + " WHERE (w.e).seq IS NOT NULL AND (w.e).next_attempt_at <= ?" + PG_NO_EARLIER_OPEN
            + " AND NOT EXISTS (SELECT 1 FROM events p WHERE p.entity = (w.e).entity AND p.record_key = (w.e).record_key"
            + " AND p.status = 'RUNNING' AND p.seq > (w.e).seq AND p.lease_until > ? OFFSET 0) LIMIT ?";

    /**
     * {@link Store#oldestDue()} on PostgreSQL, for the same reason and in the same shape as
     * {@link #PG_PENDING_CANDIDATES}: the {@code next_attempt_at} of the first due event with no
     * earlier open event of its record (one parameter: now).
     */
    static final String PG_OLDEST_DUE = PG_WALK + " SELECT (w.e).next_attempt_at FROM walk w"
            + " WHERE (w.e).seq IS NOT NULL AND (w.e).next_attempt_at <= ?" + PG_NO_EARLIER_OPEN + " LIMIT 1";

    /**
     * PostgreSQL's partial indexes for {@link #PG_PENDING_CANDIDATES} and the claim's locks (H2
     * has none, so they are not a migration; {@link Database#open} creates them): the pending
     * events in seq order, and the open events by entity, record key, status and seq. Both hold
     * the backlog only, not the history, so a walk or a probe reads only open events. Each leads
     * with the columns of an index the table has ({@code events_pkey}, {@code events_record})
     * and adds the status condition, so for the walk and the probes the planner took them over
     * those with stale and with fresh statistics alike; led by the record key instead, fresh
     * statistics made it probe {@code events_record} and the record's history
     * (bench/pgclaim.md). For the claim's locks over many records, stale statistics can make it
     * scan the entity's open events in the index instead of positioning on each record (a few ms
     * at 30,000 pending) until the statistics are refreshed ({@link #STALE_AFTER_CHANGES}). An
     * event enters the first when it is stored, the second when it is stored and when claimed.
     */
    static final List<String> POSTGRES_INDEXES = List.of(
            "CREATE INDEX IF NOT EXISTS events_pending ON events (seq) WHERE status = 'PENDING'",
            "CREATE INDEX IF NOT EXISTS events_open_record ON events (entity, record_key, status, seq)"
                    + " WHERE status IN ('PENDING', 'RUNNING')");

    private static final String EXPIRED_CANDIDATES = "SELECT e.id, e.entity, e.record_key, e.seq FROM events e"
            + " WHERE e.status = 'RUNNING' AND e.lease_until <= ?" + NOT_BLOCKED + " ORDER BY e.status, e.seq LIMIT ?";

    private static final String MARK_RUNNING = "UPDATE events SET status = 'RUNNING', claimed_by = ?, lease_until = ?,"
            + " attempts = attempts + 1, claim_token = claim_token + 1"
            + " WHERE id = ? AND status = ? AND attempts = ? AND claim_token = ?";

    /** On PostgreSQL, how often at most a host looks whether the events table's statistics are stale. */
    static final Duration STATISTICS_EVERY = Duration.ofSeconds(10);

    /**
     * Rows of events changed (stored, claimed, finished) since the last {@code ANALYZE} from which
     * Steward analyzes the table itself. Autovacuum waits for a tenth of the table (and up to a
     * minute more): after a burst on a table with a long history, the statistics still say that
     * nothing is pending, and PostgreSQL plans by that: the claim's compare-and-set by id
     * ({@link #MARK_RUNNING}) scanned every pending event instead of taking the one row by its
     * unique index (55 ms instead of 0.3 ms at 30,000 pending; bench/pgclaim.md). An {@code
     * ANALYZE} reads a sample of the table, not all of it, so it costs about the same at any size.
     */
    static final long STALE_AFTER_CHANGES = 5_000;

    private record Candidate(String id, String entity, String key, long seq) {}

    /** The candidate was taken by someone else while we looked; not an error. */
    private static final class LostRace extends RuntimeException {
        LostRace() {
            super(null, null, false, false);
        }
    }

    private final Database database;
    private final Clock clock;
    private final java.util.concurrent.atomic.AtomicLong nextStatisticsCheck = new java.util.concurrent.atomic.AtomicLong();

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
        // Ask for some spare candidates: other claimers may take a few of the first ones. (Not
        // twice a large batch: the claim transaction locks and reads every candidate's record.)
        int limit = (int) Math.min(2L * max, max + 64L);
        if (database.isPostgres()) {
            refreshStatistics(now);
        }
        String pending = database.isPostgres() ? PG_PENDING_CANDIDATES : PENDING_CANDIDATES;
        List<Candidate> candidates = database.run("list claimable events", c -> candidates(c, pending, now, limit));
        if (candidates.isEmpty()) {
            return List.of();
        }
        try {
            return database.transaction("claim events",
                    c -> claimAll(c, candidates, max, worker, now, leaseUntil, database.isPostgres()));
        } catch (LostRace e) {
            // Someone else is claiming some of these records right now; the next poll will see them.
            return List.of();
        }
    }

    /**
     * At most every {@link #STATISTICS_EVERY}, in the background: {@code ANALYZE} the events table
     * when {@link #STALE_AFTER_CHANGES} rows changed since it was last analyzed (by anyone: another
     * host, autovacuum). {@code SKIP_LOCKED}: when autovacuum is at it already, leave it be.
     */
    private void refreshStatistics(long now) {
        long due = nextStatisticsCheck.get();
        if (now < due || !nextStatisticsCheck.compareAndSet(due, now + STATISTICS_EVERY.toMillis())) {
            return;
        }
        Thread.ofVirtual().name("steward-events-statistics").start(() -> {
            try {
                database.run("refresh the events table's statistics", c -> {
                    try (java.sql.Statement statement = c.createStatement()) {
                        try (ResultSet changed = statement.executeQuery(
                                "SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relid = 'events'::regclass")) {
                            if (!changed.next() || changed.getLong(1) < STALE_AFTER_CHANGES) {
                                return null;
                            }
                        }
                        statement.execute("ANALYZE (SKIP_LOCKED) events");
                    }
                    return null;
                });
            } catch (StoreUnavailableException e) {
                // Only a matter of plans: the next check tries again.
                org.slf4j.LoggerFactory.getLogger(Claims.class).debug("{}", e.getMessage());
            }
        });
    }

    private static List<Candidate> candidates(Connection c, String pending, long now, int limit) throws SQLException {
        List<Candidate> candidates = new ArrayList<>();
        for (String query : List.of(EXPIRED_CANDIDATES, pending)) {
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

    /**
     * One transaction for the whole batch: lock the open events of every candidate's record (in
     * seq order, so two claimers lock in the same order; on PostgreSQL only those up to the last
     * candidate, and the record's runs), read them again with a fresh statement, keep the
     * candidates that are still the first open event of their record and due, with no other run
     * of the record alive, and mark those RUNNING with one compare-and-set each.
     */
    private static List<StoredEvent> claimAll(Connection c, List<Candidate> candidates, int max, String worker, long now,
                                              long leaseUntil, boolean postgres) throws SQLException {
        try {
            List<String> keys = Sql.padded(candidates.stream().map(Candidate::key).distinct().toList());
            String inKeys = " record_key IN (" + Sql.marks(keys.size()) + ") AND status IN ('PENDING', 'RUNNING')";
            // On PostgreSQL only what decides the claim: the open events of the candidates' records
            // up to the last candidate (an earlier one is in the way), and their runs. Locking and
            // reading every open event of each record (its payload too) cost as much as the
            // record's backlog: at 34 open events per record, 60 ms and 2,000 row locks a claim.
            long upTo = candidates.stream().mapToLong(Candidate::seq).max().orElseThrow();
            List<String> entities = postgres
                    ? Sql.padded(candidates.stream().map(Candidate::entity).distinct().toList())
                    : List.of();
            String inRecords = " entity IN (" + Sql.marks(entities.size()) + ")"
                    + " AND record_key IN (" + Sql.marks(keys.size()) + ")";
            List<String> scopes = postgres
                    ? List.of(inRecords + " AND status IN ('PENDING', 'RUNNING') AND seq <= ?",
                            inRecords + " AND status = 'RUNNING' AND seq > ?")
                    : List.of(inKeys);
            java.util.Set<Long> locked = new java.util.HashSet<>();
            for (String scope : scopes) {
                try (PreparedStatement lock = c.prepareStatement("SELECT seq FROM events WHERE" + scope + " ORDER BY seq"
                        + (postgres ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE"))) {
                    bind(lock, entities, keys, postgres, upTo);
                    try (ResultSet rows = lock.executeQuery()) {
                        while (rows.next()) {
                            locked.add(rows.getLong(1)); // reading the rows is what takes the locks
                        }
                    }
                }
            }
            Map<RecordKey, List<OpenEvent>> open = new HashMap<>();
            for (String scope : scopes) {
                try (PreparedStatement select = c.prepareStatement("SELECT " + Store.EVENT_COLUMNS + ", lease_until, claim_token"
                        + " FROM events WHERE" + scope + " ORDER BY seq")) {
                    bind(select, entities, keys, postgres, upTo);
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            long lease = rows.getLong("lease_until");
                            boolean leaseHeld = !rows.wasNull() && lease > now;
                            StoredEvent event = Store.toEvent(rows);
                            event = withClaim(event, rows.getLong("claim_token"));
                            open.computeIfAbsent(new RecordKey(event.entity(), event.key()), k -> new ArrayList<>())
                                    .add(new OpenEvent(event, leaseHeld, locked.contains(event.seq())));
                        }
                    }
                }
            }
            List<StoredEvent> marked = new ArrayList<>();
            try (PreparedStatement update = c.prepareStatement(MARK_RUNNING)) {
                for (Candidate candidate : candidates) {
                    if (marked.size() == max) {
                        break;
                    }
                    List<OpenEvent> events = open.getOrDefault(new RecordKey(candidate.entity(), candidate.key()), List.of());
                    if (events.isEmpty() || !events.getFirst().event().id().equals(candidate.id())) {
                        continue; // finished meanwhile, or an earlier event of the record is open
                    }
                    StoredEvent event = events.getFirst().event();
                    boolean due = event.status() == EventStatus.PENDING
                            ? event.nextAttemptAt() == null || event.nextAttemptAt().toEpochMilli() <= now
                            : !events.getFirst().leaseHeld();
                    boolean elsewhere = events.stream().skip(1).anyMatch(e -> e.event().status() == EventStatus.RUNNING && e.leaseHeld());
                    // SKIP LOCKED left the event, or a run of its record, to another transaction: its
                    // turn. (A newer event that arrived after the locks is not locked either; it is
                    // not in the way.)
                    boolean busy = events.stream().anyMatch(e -> !e.locked()
                            && (e.event().seq() <= event.seq() || e.event().status() == EventStatus.RUNNING));
                    if (!due || elsewhere || busy) {
                        continue; // not yet, or the record is being processed elsewhere
                    }
                    update.setString(1, worker);
                    update.setLong(2, leaseUntil);
                    update.setString(3, event.id());
                    update.setString(4, event.status().name());
                    update.setInt(5, event.attempts());
                    update.setLong(6, event.claim());
                    update.addBatch();
                    marked.add(event);
                }
                // One round trip for the batch's compare-and-sets.
                int[] counts = marked.isEmpty() ? new int[0] : update.executeBatch();
                List<StoredEvent> claimed = new ArrayList<>();
                for (int i = 0; i < marked.size(); i++) {
                    if (counts[i] == 1) {
                        StoredEvent event = marked.get(i);
                        claimed.add(new StoredEvent(event.id(), event.seq(), event.flowId(), event.deliveryId(), event.entity(),
                                event.key(), event.payload(), EventStatus.RUNNING, event.attempts() + 1, event.receivedAt(),
                                event.nextAttemptAt(), event.finishedAt(), event.trace(), event.error(), event.claim() + 1));
                    }
                }
                return claimed;
            }
        } catch (SQLException e) {
            if (Database.isLostRace(e)) {
                throw new LostRace();
            }
            throw e;
        }
    }

    private record OpenEvent(StoredEvent event, boolean leaseHeld, boolean locked) {}

    private static StoredEvent withClaim(StoredEvent e, long claim) {
        return new StoredEvent(e.id(), e.seq(), e.flowId(), e.deliveryId(), e.entity(), e.key(), e.payload(), e.status(),
                e.attempts(), e.receivedAt(), e.nextAttemptAt(), e.finishedAt(), e.trace(), e.error(), claim);
    }

    private static void bind(PreparedStatement statement, List<String> entities, List<String> keys, boolean postgres, long upTo)
            throws SQLException {
        int i = 0;
        for (String entity : entities) {
            statement.setString(++i, entity);
        }
        for (String key : keys) {
            statement.setString(++i, key);
        }
        if (postgres) {
            statement.setLong(++i, upTo);
        }
    }
}
