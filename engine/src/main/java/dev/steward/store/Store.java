package dev.steward.store;

import dev.steward.model.StoreSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The event store: every event Steward acknowledged, the known values of each system, and the
 * ledger of Steward's own writes. It runs on the embedded H2 file database or on PostgreSQL with
 * the same migrations.
 *
 * <p>Lifecycle: {@link #open} connects, migrates and starts the intake committer; {@link #close}
 * fails the events still waiting to be stored, then releases the pool. Thread
 * safety: every method is safe to call from any thread, and several stores (in one process or on
 * several hosts sharing one PostgreSQL) may work on the same database at once. The store keeps no
 * state in memory that another host would need: claims are compare-and-set updates in the
 * database, and a claim is a lease, so an event held by a host that died is claimed again once its
 * lease expires. Every database failure surfaces as {@link StoreUnavailableException}.
 */
public final class Store implements AutoCloseable {

    static final String EVENT_COLUMNS = "id, seq, flow_id, delivery_id, entity, record_key, payload, status, attempts,"
            + " received_at, next_attempt_at, finished_at, trace, last_error";

    private final Database database;
    private final Clock clock;
    private final Claims claims;
    private final KnownValueTable knownValues;
    private final LedgerTable ledger;
    private final HoldTable holds;
    private final OutcomeCommitter outcomes;
    private final DeadLetterTable deadLetters;
    private final IntakeCommitter intake;
    private final Credentials credentials;
    private final Sessions sessions;
    private final AuditLog auditLog;
    private final TriggerTable triggers;
    private final SecretTable secrets;
    private final AuditTable audits;
    private final BatchTable batches;
    private final RateBucketTable rateBuckets;

    private Store(Database database, Clock clock, Supplier<String> ids) {
        this.database = database;
        this.clock = clock;
        this.claims = new Claims(database, clock);
        this.knownValues = new KnownValueTable(database, clock);
        this.ledger = new LedgerTable(database, clock);
        this.holds = new HoldTable(database, clock);
        this.outcomes = new OutcomeCommitter(database, clock);
        this.deadLetters = new DeadLetterTable(database, clock);
        this.intake = new IntakeCommitter(database, clock, ids);
        this.credentials = new Credentials(database, clock);
        this.sessions = new Sessions(database);
        this.auditLog = new AuditLog(database, clock);
        this.triggers = new TriggerTable(database, clock);
        this.secrets = new SecretTable(database, clock);
        this.audits = new AuditTable(database);
        this.batches = new BatchTable(database, clock);
        this.rateBuckets = new RateBucketTable(database, clock);
    }

    /** Whether several hosts may share this store: PostgreSQL (the embedded H2 file is one process's). */
    public boolean isShared() {
        return database.isPostgres();
    }

    /**
     * Takes up to {@code wanted} tokens from {@code system}'s rate limit shared by every host on
     * the store ({@code perSecond} a second, at most {@code burst} saved up): as many as are
     * whole in the bucket, or none. One short transaction on the system's row.
     */
    public RateTake takeRateTokens(String system, double perSecond, int burst, int wanted) {
        Objects.requireNonNull(system, "system");
        return rateBuckets.take(system, perSecond, burst, wanted);
    }

    /** The results of audits ({@code steward audit}, {@code POST /api/audits}). */
    public AuditTable audits() {
        return audits;
    }

    /** Users and API tokens (hashes only). */
    public Credentials credentials() {
        return credentials;
    }

    /** Signed-in browsers. */
    public Sessions sessions() {
        return sessions;
    }

    /** Changes made through the API. */
    public AuditLog auditLog() {
        return auditLog;
    }

    /** Opens the store with random event ids. */
    public static Store open(StoreSettings settings, Clock clock) {
        return open(settings, clock, () -> UUID.randomUUID().toString());
    }

    /**
     * Opens the store: creates the folder of an H2 file database, opens the pool, applies the
     * migrations in {@code classpath:db/migration}.
     *
     * @param randomIds the random part of new event ids (prefixed with {@code evt_}); must not
     *     repeat; called on the intake committer's thread
     * @throws StoreUnavailableException when the database cannot be reached or migrated
     */
    public static Store open(StoreSettings settings, Clock clock, Supplier<String> randomIds) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(randomIds, "randomIds");
        return new Store(Database.open(settings), clock, randomIds);
    }

    /**
     * Stores a new event as PENDING, due now, and returns once it is committed. A delivery id
     * already stored for the flow returns the first event's id, marked duplicate, and stores
     * nothing. Concurrent calls are committed together (see {@link IntakeCommitter}); events get
     * their seq in the order they arrived.
     *
     * @throws StoreUnavailableException when the database fails, the store is closed, or too
     *     many events are already waiting to be stored
     */
    public Intake accept(NewEvent event) {
        Objects.requireNonNull(event, "event");
        return intake.accept(event);
    }

    /**
     * Runs {@code listener} once after each intake commit that stored a new event (a batch of
     * deliveries), on the intake committer's thread, before their callers get their answers: the
     * workers' wake-up, once a batch instead of once a request. It must be quick and must not
     * block; it replaces the previous one.
     */
    public void onEventsStored(Runnable listener) {
        intake.onStored(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * The secrets one system's connector keeps ({@link dev.steward.plugin.ConnectorContext#secrets()}):
     * encrypted with {@code cipher} in this store, shared by every host on it; with no cipher
     * (no {@value SecretCipher#KEY_VARIABLE}), in memory only, which the first secret kept says
     * once in a WARN.
     */
    public dev.steward.plugin.SecretStore secrets(String system, Optional<SecretCipher> cipher) {
        return secrets.forSystem(system, cipher);
    }

    /**
     * Stores the events of one delivery (a vendor's batch of notifications) together, as
     * {@link #accept} stores one: in one transaction, so that a failure stores none of them.
     * Answers one intake per event, in order.
     *
     * @throws StoreUnavailableException as {@link #accept}
     */
    public List<Intake> acceptAll(List<NewEvent> events) {
        Objects.requireNonNull(events, "events");
        return events.isEmpty() ? List.of() : intake.acceptAll(events);
    }

    /**
     * Makes a poll or schedule trigger's row, due at {@code firstDue}, unless it has one for the
     * same signature; a row of another signature starts over. Idempotent, and safe for hosts
     * that register the same trigger at once.
     */
    public void registerTrigger(String flowId, String kind, String signature, Instant firstDue) {
        triggers.register(flowId, kind, signature, firstDue);
    }

    /** Every poll and schedule trigger's row, by flow id; a lease that has expired shows no owner. */
    public List<TriggerState> triggers() {
        return triggers.all();
    }

    /**
     * Takes a trigger's lease when it is due, has this signature, and no live lease: the row,
     * or empty when another worker holds it or it is not due. One worker wins a race.
     */
    public Optional<TriggerState> takeTrigger(String flowId, String signature, String worker, Duration lease) {
        return triggers.take(flowId, signature, worker, lease);
    }

    /**
     * Stores the position a trigger reached, after the events before it were stored, and renews
     * the lease. False when the worker lost the lease; it must then stop without going further.
     */
    public boolean advanceTrigger(String flowId, String worker, Optional<String> position, long newEvents,
                                  Duration lease) {
        return triggers.advance(flowId, worker, position, newEvents, lease);
    }

    /** A trigger's run succeeded: due again at {@code nextDue}; the lease is given back. */
    public boolean triggerSucceeded(String flowId, String worker, Instant nextDue) {
        return triggers.succeed(flowId, worker, nextDue);
    }

    /** A trigger's run failed: due again at {@code retryAt}; the lease is given back. */
    public boolean triggerFailed(String flowId, String worker, Instant retryAt, String error) {
        return triggers.fail(flowId, worker, retryAt, error);
    }

    /** Events waiting to be committed; for tests. */
    int queuedIntakes() {
        return intake.queued();
    }

    public Optional<StoredEvent> event(String id) {
        return database.run("read an event", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + EVENT_COLUMNS + " FROM events WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(toEvent(rows)) : Optional.empty();
                }
            }
        });
    }

    /** The latest events, newest first, optionally of one flow and one status. */
    public List<StoredEvent> recent(int limit, Optional<String> flowId, Optional<EventStatus> status) {
        return recent(limit, flowId, status, Optional.empty());
    }

    /** The latest events, newest first, optionally of one flow, one status and one record key. */
    public List<StoredEvent> recent(int limit, Optional<String> flowId, Optional<EventStatus> status, Optional<String> key) {
        if (limit <= 0) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("SELECT " + EVENT_COLUMNS + " FROM events WHERE 1 = 1");
        flowId.ifPresent(f -> sql.append(" AND flow_id = ?"));
        status.ifPresent(s -> sql.append(" AND status = ?"));
        key.ifPresent(k -> sql.append(" AND record_key = ?"));
        sql.append(" ORDER BY seq DESC LIMIT ?");
        return database.run("list events", c -> {
            try (PreparedStatement select = c.prepareStatement(sql.toString())) {
                int i = 1;
                if (flowId.isPresent()) {
                    select.setString(i++, flowId.get());
                }
                if (status.isPresent()) {
                    select.setString(i++, status.get().name());
                }
                if (key.isPresent()) {
                    select.setString(i++, key.get());
                }
                select.setInt(i, limit);
                return readEvents(select);
            }
        });
    }

    /**
     * The latest events of some flows, newest first, received at or after {@code since} when
     * given: what a preview replays.
     */
    public List<StoredEvent> recentOf(int limit, java.util.Collection<String> flowIds, Optional<Instant> since) {
        if (limit <= 0 || flowIds.isEmpty()) {
            return List.of();
        }
        List<String> flows = List.copyOf(new java.util.TreeSet<>(flowIds));
        String sql = "SELECT " + EVENT_COLUMNS + " FROM events WHERE flow_id IN (" + Sql.marks(flows.size()) + ")"
                + (since.isPresent() ? " AND received_at >= ?" : "") + " ORDER BY seq DESC LIMIT ?";
        return database.run("list events to preview", c -> {
            try (PreparedStatement select = c.prepareStatement(sql)) {
                int i = 1;
                for (String flow : flows) {
                    select.setString(i++, flow);
                }
                if (since.isPresent()) {
                    select.setLong(i++, since.get().toEpochMilli());
                }
                select.setInt(i, limit);
                return readEvents(select);
            }
        });
    }

    /** The conflicts prevented on the UTC days from {@code from} to {@code to}, both included. */
    public List<ConflictCount> conflictCounts(java.time.LocalDate from, java.time.LocalDate to) {
        return database.run("read the conflict counts", c -> ConflictCountTable.read(c, from, to));
    }

    /**
     * Claims up to {@code max} events for {@code worker}, oldest first: PENDING events that are
     * due, and RUNNING ones whose lease expired. An event is never claimed while an earlier event
     * of the same (entity, key) is open, nor while another event of that record is running, so
     * each record's events run one at a time in arrival order; different records run in parallel.
     * Each claimed event becomes RUNNING until {@code now + lease}, with one more attempt counted.
     *
     * @param worker who claims; unique per host and worker thread, since only it may finish the event
     */
    public List<StoredEvent> claim(String worker, int max, Duration lease) {
        Objects.requireNonNull(worker, "worker");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive: " + lease);
        }
        return claims.claim(worker, max, lease);
    }

    /**
     * What Steward knows of each record, read at once for a batch of runs: every system's known
     * values and recent writes, the holds, and the values written since {@code historySince} (the
     * flip-flop window). A few queries per entity, whatever the number of records.
     */
    public Map<RecordKey, RecordState> recordStates(java.util.Collection<RecordKey> records, Instant historySince) {
        Map<String, List<String>> keysByEntity = new java.util.LinkedHashMap<>();
        Map<RecordKey, RecordState> states = new java.util.LinkedHashMap<>();
        for (RecordKey record : records) {
            if (states.putIfAbsent(record, new RecordState(record)) == null) {
                keysByEntity.computeIfAbsent(record.entity(), e -> new ArrayList<>()).add(record.key());
            }
        }
        if (states.isEmpty()) {
            return states;
        }
        for (Map.Entry<String, List<String>> entity : keysByEntity.entrySet()) {
            for (List<String> keys : Sql.chunks(entity.getValue())) {
                readStates(entity.getKey(), keys, states, historySince);
            }
        }
        return states;
    }

    /**
     * {@link #recordStates} of up to {@link Sql#CHUNK} keys of one entity: their batch rows moved
     * first, then the tables read. Where the database orders keys as Java does, one probe of the
     * keys' range first tells which tables hold nothing there ({@link RecordStateProbe}); their
     * lookups, each a sort of the keys and a descent of an index per key, are skipped.
     */
    private void readStates(String entity, List<String> keys, Map<RecordKey, RecordState> states, Instant historySince) {
        RecordStateProbe probe = database.keysInJavaOrder()
                ? database.run("look for the records' state", c -> RecordStateProbe.of(c, entity, keys))
                : RecordStateProbe.ALL;
        if (probe.batchRecords()) {
            settleBatchRecords(entity, keys);
            probe = RecordStateProbe.ALL; // moving batch rows fills known values and recent writes
        }
        if (!probe.any()) {
            return;
        }
        RecordStateProbe tables = probe;
        database.run("read the records' state", c -> {
            Map<String, RecordState> byKey = new java.util.HashMap<>();
            keys.forEach(key -> byKey.put(key, states.get(new RecordKey(entity, key))));
            List<String> padded = Sql.padded(keys);
            if (tables.known()) {
                KnownValueTable.load(c, entity, padded, byKey);
            }
            if (tables.recent()) {
                LedgerTable.load(c, entity, padded, historySince.toEpochMilli(), byKey);
            }
            if (tables.holds()) {
                HoldTable.load(c, entity, padded, byKey);
            }
            return null;
        });
    }

    /**
     * Records a run's outcome with the next group commit ({@link OutcomeCommitter}); the future
     * completes once it is committed, with whether it applied (false when the event was no longer
     * claimed by the outcome's worker: then nothing of it was recorded).
     */
    public java.util.concurrent.CompletableFuture<Boolean> commitLater(RunOutcome outcome) {
        Objects.requireNonNull(outcome, "outcome");
        return outcomes.submit(outcome);
    }

    /** Records outcomes now, in one transaction; whether each applied (see {@link #commitLater}). */
    public List<Boolean> commit(List<RunOutcome> runOutcomes) {
        return outcomes.commitNow(List.copyOf(runOutcomes));
    }

    /**
     * Ends the leases of RUNNING events whose owner {@code dead} says is gone, so that they are
     * claimed again at once, as if their lease had expired; returns how many. The attempt the dead
     * owner started stays counted. Meant for a host's start, to take back what its previous
     * process held when it was killed.
     */
    public int expireLeases(Predicate<String> dead) {
        long now = clock.millis();
        List<String> owners = database.run("list claim owners", c -> {
            List<String> found = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT DISTINCT claimed_by FROM events WHERE status = 'RUNNING' AND claimed_by IS NOT NULL");
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    found.add(rows.getString(1));
                }
            }
            return found;
        });
        int expired = 0;
        for (String owner : owners) {
            if (!dead.test(owner)) {
                continue;
            }
            expired += database.run("expire a dead owner's leases", c -> {
                try (PreparedStatement update = c.prepareStatement("UPDATE events SET lease_until = ?"
                        + " WHERE status = 'RUNNING' AND claimed_by = ? AND lease_until > ?")) {
                    update.setLong(1, now);
                    update.setString(2, owner);
                    update.setLong(3, now);
                    return update.executeUpdate();
                }
            });
        }
        return expired;
    }

    /**
     * Renews the leases of runs this worker still holds, until {@code now + lease}: the heartbeat
     * that keeps a long run from being taken over. {@code claims} maps event ids to the claim
     * tokens their claims took; one statement each, each committed on its own (a transaction
     * holding several rows could deadlock with the group commit of the same runs' outcomes, which
     * locks them in another order). Returns the ids whose
     * lease could not be renewed (the event is no longer this claim's: another host took it over
     * after the lease ran out); their runs' outcomes will be refused.
     */
    public java.util.Set<String> renewLeases(String worker, Map<String, Long> claims, Duration lease) {
        Objects.requireNonNull(worker, "worker");
        if (claims.isEmpty()) {
            return java.util.Set.of();
        }
        long until = clock.millis() + lease.toMillis();
        List<Map.Entry<String, Long>> entries = List.copyOf(claims.entrySet());
        return database.run("renew leases", c -> {
            java.util.Set<String> lost = new java.util.HashSet<>();
            try (PreparedStatement update = c.prepareStatement("UPDATE events SET lease_until = ?"
                    + " WHERE id = ? AND status = 'RUNNING' AND claimed_by = ? AND claim_token = ?")) {
                for (Map.Entry<String, Long> claim : entries) {
                    update.setLong(1, until);
                    update.setString(2, claim.getKey());
                    update.setString(3, worker);
                    update.setLong(4, claim.getValue());
                    if (update.executeUpdate() == 0) {
                        lost.add(claim.getKey());
                    }
                }
            }
            return lost;
        });
    }

    /**
     * Gives back claimed events whose runs never started (a stopping host's), so that any host
     * claims them at once: back to PENDING with their due time kept and the claim's attempt
     * uncounted. Only events still carrying the given claim tokens; returns how many. One
     * statement each, each committed on its own, as {@link #renewLeases}.
     */
    public int handBack(String worker, Map<String, Long> claims) {
        Objects.requireNonNull(worker, "worker");
        if (claims.isEmpty()) {
            return 0;
        }
        List<Map.Entry<String, Long>> entries = List.copyOf(claims.entrySet());
        return database.run("hand back claimed events", c -> {
            int handed = 0;
            try (PreparedStatement update = c.prepareStatement("UPDATE events SET status = 'PENDING', attempts = attempts - 1,"
                    + " claimed_by = NULL, lease_until = NULL WHERE id = ? AND status = 'RUNNING' AND claimed_by = ?"
                    + " AND claim_token = ? AND attempts > 0")) {
                for (Map.Entry<String, Long> claim : entries) {
                    update.setString(1, claim.getKey());
                    update.setString(2, worker);
                    update.setLong(3, claim.getValue());
                    handed += update.executeUpdate();
                }
            }
            return handed;
        });
    }

    /**
     * Ends a run with a final status. Does nothing and answers false unless the event is RUNNING
     * and still claimed by {@code worker} (another host may have taken it over after the lease
     * expired).
     */
    public boolean finish(String id, String worker, EventStatus status, String traceJson, String error) {
        if (!status.isFinal()) {
            throw new IllegalArgumentException("finish needs a final status, not " + status);
        }
        long now = clock.millis();
        return database.run("finish an event", c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE events SET status = ?, finished_at = ?,"
                    + " trace = ?, last_error = ?, claimed_by = NULL, lease_until = NULL"
                    + " WHERE id = ? AND status = 'RUNNING' AND claimed_by = ?")) {
                update.setString(1, status.name());
                update.setLong(2, now);
                setText(update, 3, traceJson);
                setText(update, 4, error);
                update.setString(5, id);
                update.setString(6, worker);
                return update.executeUpdate() == 1;
            }
        });
    }

    /**
     * Puts a claimed event back to PENDING, not to be claimed before {@code at}. Same ownership
     * rule as {@link #finish}. Later events of the same record keep waiting for it.
     */
    public boolean retryLater(String id, String worker, Instant at, String traceJson, String error) {
        Objects.requireNonNull(at, "at");
        return database.run("schedule a retry", c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE events SET status = 'PENDING',"
                    + " next_attempt_at = ?, trace = ?, last_error = ?, claimed_by = NULL, lease_until = NULL"
                    + " WHERE id = ? AND status = 'RUNNING' AND claimed_by = ?")) {
                update.setLong(1, at.toEpochMilli());
                setText(update, 2, traceJson);
                setText(update, 3, error);
                update.setString(4, id);
                update.setString(5, worker);
                return update.executeUpdate() == 1;
            }
        });
    }

    /**
     * Like {@link #retryLater}, but the run that is given back does not count as an attempt:
     * Steward deferred it itself (a system's rate limit or open breaker) before calling anything.
     */
    public boolean deferUntil(String id, String worker, Instant at, String traceJson) {
        Objects.requireNonNull(at, "at");
        return database.run("defer an event", c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE events SET status = 'PENDING',"
                    + " next_attempt_at = ?, trace = ?, attempts = attempts - 1, claimed_by = NULL, lease_until = NULL"
                    + " WHERE id = ? AND status = 'RUNNING' AND claimed_by = ? AND attempts > 0")) {
                update.setLong(1, at.toEpochMilli());
                setText(update, 2, traceJson);
                update.setString(3, id);
                update.setString(4, worker);
                return update.executeUpdate() == 1;
            }
        });
    }

    /**
     * Since when the longest-waiting event that could run now has been due: the
     * {@code next_attempt_at} of the earliest-arrived PENDING event that is due and not waiting
     * behind an earlier open event of its record. Empty when none is; how far behind the workers
     * are. Walks the {@code (status, seq)} index in arrival order and stops at the first such
     * event, so its cost does not grow with the backlog.
     */
    public Optional<Instant> oldestDue() {
        long now = clock.millis();
        return database.run("find the oldest due event", c -> {
            try (PreparedStatement select = c.prepareStatement(database.isPostgres() ? Claims.PG_OLDEST_DUE
                    : "SELECT e.next_attempt_at FROM events e"
                    + " WHERE e.status = 'PENDING' AND e.next_attempt_at <= ? AND NOT EXISTS (SELECT 1 FROM events p"
                    + " WHERE p.entity = e.entity AND p.record_key = e.record_key AND p.seq < e.seq"
                    + " AND p.status IN ('PENDING', 'RUNNING')) ORDER BY e.status, e.seq LIMIT 1")) {
                select.setLong(1, now);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(Instant.ofEpochMilli(rows.getLong(1))) : Optional.<Instant>empty();
                }
            }
        });
    }

    /** Dead letters (FAILED) and quarantined events (INVALID), newest first, optionally of one flow. */
    public List<StoredEvent> deadLetters(int limit, Optional<String> flowId) {
        return deadLetters.deadLetters(limit, flowId);
    }

    /**
     * Puts a dead letter (FAILED or INVALID) back to PENDING, due now, with its attempt count kept
     * so that attempts continue. With an edited payload, the event runs with it from now on, and
     * the payload as first received is kept (see {@link #originalPayload}). An event that
     * succeeded, or is still pending or running, is left as it is: a replay never applies an
     * event twice. The check and the change are one compare-and-set, safe against another host
     * replaying or claiming the same event.
     */
    public Replay replay(String id, Optional<String> editedPayload) {
        return deadLetters.replay(id, editedPayload);
    }

    /** The payload as first received, if a replay has since replaced it with an edited one. */
    public Optional<String> originalPayload(String id) {
        return deadLetters.originalPayload(id);
    }

    /** Adds a finished attempt to its event's history; the same attempt number twice is kept once. */
    public void recordAttempt(Attempt attempt) {
        deadLetters.recordAttempt(attempt);
    }

    /** An event's attempts, first to last. */
    public List<Attempt> attempts(String eventId) {
        return deadLetters.attempts(eventId);
    }

    /** What Steward last knows {@code system} holds for a record: field to JSON text of the value. */
    public Map<String, String> knownValues(String system, String entity, String key) {
        settleBatchRecords(entity, key);
        Map<String, String> values = new java.util.LinkedHashMap<>();
        knownValues.known(system, entity, key).forEach((field, known) -> values.put(field, known.valueJson()));
        return values;
    }

    /**
     * Forgets what Steward knows {@code system} holds in some fields of a record, so that the
     * system's next delivery of them is a change again: how an audit's repair makes the master's
     * values go out to its subscribers through the normal run.
     */
    public void forget(String system, String entity, String key, java.util.Collection<String> fields) {
        settleBatchRecords(entity, key);
        knownValues.forget(system, entity, key, fields);
    }

    /** The events of one record after the event {@code afterSeq} (0: all), oldest first, at most {@code limit}. */
    public List<StoredEvent> eventsOfRecord(String entity, String key, long afterSeq, int limit) {
        return database.run("list a record's events", c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + EVENT_COLUMNS + " FROM events"
                    + " WHERE entity = ? AND record_key = ? AND seq > ? ORDER BY seq LIMIT ?")) {
                select.setString(1, entity);
                select.setString(2, key);
                select.setLong(3, afterSeq);
                select.setInt(4, limit);
                return readEvents(select);
            }
        });
    }

    /** Upserts known values, field by field, in one transaction. */
    public void remember(String system, String entity, String key, Map<String, String> fieldJson, String eventId) {
        settleBatchRecords(entity, key);
        knownValues.remember(system, entity, key, fieldJson, eventId, null);
    }

    /** Known values with the version each came with and when Steward learnt it. */
    public Map<String, KnownValue> knownState(String system, String entity, String key) {
        settleBatchRecords(entity, key);
        return knownValues.known(system, entity, key);
    }

    /** Upserts known values with the record version (modification stamp) they came with. */
    public void remember(String system, String entity, String key, Map<String, String> fieldJson, String eventId,
                         String version) {
        settleBatchRecords(entity, key);
        knownValues.remember(system, entity, key, fieldJson, eventId, version);
    }

    /** The last value Steward wrote to each field of a record in one system. */
    public Map<String, LedgerEntry> ledger(String system, String entity, String key) {
        settleBatchRecords(entity, key);
        Map<String, LedgerEntry> latest = new java.util.LinkedHashMap<>();
        ledger.recentWrites(system, entity, key).forEach((field, writes) -> latest.put(field, writes.getFirst()));
        return latest;
    }

    /** Steward's recent writes to each field of a record in one system, newest first (a few per field). */
    public Map<String, List<LedgerEntry>> recentWrites(String system, String entity, String key) {
        settleBatchRecords(entity, key);
        return ledger.recentWrites(system, entity, key);
    }

    /**
     * Notes that a system reported back the write {@code seq} to a field (its echo), and so
     * answered every earlier write to that field still waiting for its echo.
     */
    public void markEchoed(String system, String entity, String key, String field, long seq) {
        ledger.markEchoed(system, entity, key, field, seq);
    }

    /** The values written to one field of a record in one system since a time, oldest first. */
    public List<String> writtenSince(String system, String entity, String key, String field, Instant since) {
        settleBatchRecords(entity, key);
        return ledger.writtenSince(entity, key, field, system, since);
    }

    /** The hold on a field, if it flip-flopped and no one has released it. */
    public Optional<Hold> hold(String entity, String key, String field) {
        return holds.hold(entity, key, field);
    }

    public List<Hold> holds() {
        return holds.holds();
    }

    /** Holds a field; false if it was already held. */
    public boolean placeHold(String entity, String key, String field, String reason, String historyJson) {
        return holds.placeHold(entity, key, field, reason, historyJson);
    }

    /** Releases a held field; false if it was not held. */
    public boolean releaseHold(String entity, String key, String field) {
        return holds.releaseHold(entity, key, field);
    }

    /** Appends to the sync ledger: {@code eventId}'s run wrote these values to {@code system}. */
    public void recordWrite(String system, String entity, String key, Map<String, String> fieldJson, String eventId) {
        settleBatchRecords(entity, key);
        ledger.recordWrite(system, entity, key, fieldJson, eventId, null);
    }

    /**
     * Appends to the sync ledger with the version the system gave the record right after the
     * write (canonical JSON), so that its deliveries can be told apart by version.
     */
    public void recordWrite(String system, String entity, String key, Map<String, String> fieldJson, String eventId,
                            String version) {
        settleBatchRecords(entity, key);
        ledger.recordWrite(system, entity, key, fieldJson, eventId, version);
    }

    /** The sync ledger of one record in one system, newest first. */
    public List<RecordedWrite> writes(String system, String entity, String key, int limit) {
        settleBatchRecords(entity, key);
        return ledger.writes(system, entity, key, limit);
    }

    private void settleBatchRecords(String entity, String key) {
        settleBatchRecords(entity, List.of(key));
    }

    /**
     * Moves what batch runs stored of these records in one row each ({@link BatchRecordTable})
     * into the known values and the ledger, before they are read or written: one indexed query
     * when there is nothing to move.
     */
    private void settleBatchRecords(String entity, List<String> keys) {
        for (List<String> chunk : Sql.chunks(keys)) {
            List<String> found = database.run("look for batch records", c -> BatchRecordTable.present(c, entity, chunk));
            if (!found.isEmpty()) {
                database.transaction("move batch records into the ledger", c -> {
                    BatchRecordTable.settle(c, entity, found);
                    return null;
                });
            }
        }
    }

    /** A batch run's checkpoint, if it ever started. */
    public Optional<BatchCheckpoint> batch(String id) {
        return batches.find(id);
    }

    /**
     * The checkpoint a batch run goes on from: its unfinished one, or a fresh one when it never ran,
     * ran to its end, or {@code restart}.
     */
    public BatchCheckpoint startBatch(String id, String flowId, String input, boolean restart) {
        return batches.start(id, flowId, input, restart);
    }

    /**
     * Notes, before they are written, that the input's records up to position {@code until}
     * (past the checkpoint) may reach the targets; the note keeps covering those the commit of an
     * earlier chunk leaves behind its checkpoint.
     */
    public void batchInDoubtUntil(String id, long until) {
        batches.inDoubtUntil(id, until);
    }

    /**
     * Records a batch chunk whose writes the targets took: the runs' known values, ledger writes
     * and holds, and the checkpoint after the chunk, in one transaction.
     */
    public void commitBatch(List<RunEffects> effects, BatchCheckpoint next, boolean finished) {
        batches.commit(effects, next, finished);
    }

    /** Events per status; every status is present, zero when none. */
    public Map<EventStatus, Long> countByStatus() {
        return database.run("count events", c -> {
            Map<EventStatus, Long> counts = new EnumMap<>(EventStatus.class);
            for (EventStatus status : EventStatus.values()) {
                counts.put(status, 0L);
            }
            try (PreparedStatement select = c.prepareStatement("SELECT status, COUNT(*) FROM events GROUP BY status");
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    counts.put(EventStatus.valueOf(rows.getString(1)), rows.getLong(2));
                }
            }
            return counts;
        });
    }

    /** When the oldest PENDING event arrived, if any: how far behind the workers are. */
    public Optional<Instant> oldestPending() {
        return database.run("find the oldest pending event", c -> {
            try (PreparedStatement select =
                            // The first pending event in arrival order, found on the (status, seq) index
                            // instead of scanning the whole backlog for a minimum.
                            c.prepareStatement("SELECT received_at FROM events WHERE status = 'PENDING'"
                                    + " ORDER BY status, seq LIMIT 1");
                    ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(Instant.ofEpochMilli(rows.getLong(1))) : Optional.empty();
            }
        });
    }

    @Override
    public void close() {
        intake.close();
        outcomes.close();
        database.close();
    }

    static List<StoredEvent> readEvents(PreparedStatement select) throws SQLException {
        List<StoredEvent> events = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                events.add(toEvent(rows));
            }
        }
        return events;
    }

    static StoredEvent toEvent(ResultSet rows) throws SQLException {
        return new StoredEvent(
                rows.getString("id"),
                rows.getLong("seq"),
                rows.getString("flow_id"),
                rows.getString("delivery_id"),
                rows.getString("entity"),
                rows.getString("record_key"),
                rows.getString("payload"),
                EventStatus.valueOf(rows.getString("status")),
                rows.getInt("attempts"),
                instant(rows, "received_at"),
                instant(rows, "next_attempt_at"),
                instant(rows, "finished_at"),
                rows.getString("trace"),
                rows.getString("last_error"));
    }

    private static Instant instant(ResultSet rows, String column) throws SQLException {
        long millis = rows.getLong(column);
        return rows.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    static void setText(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }
}
