package dev.steward.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.model.StoreSettings;
import dev.steward.testing.MutableClock;
import dev.steward.testing.PostgresDatabase;
import dev.steward.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The claim query on PostgreSQL reads about as many rows as it returns, whatever the statistics
 * say: with the statistics a store has after its history (nothing pending) while a burst waits,
 * and again once the burst has been analyzed. Before, PostgreSQL planned it from the statistics:
 * stale ones made it check and sort the whole backlog, fresh ones walk the finished history.
 */
@ExtendWith(PostgresExtension.class)
class PostgresClaimPlanIT {

    private static final int HISTORY = 4_000;
    private static final int BACKLOG = 6_000;
    private static final int KEYS = 500;
    private static final int LIMIT = 32;
    /** A few pages per candidate walked (its index entry, its row, two probes), not per event stored. */
    private static final long MAX_PAGES = 20L * LIMIT;

    private final MutableClock clock = MutableClock.at("2025-03-01T09:00:00Z");
    private PostgresDatabase database;
    private Store store;

    @BeforeEach
    void open(PostgresDatabase database) {
        this.database = database;
        store = Store.open(new StoreSettings(database.url(), database.user(), database.password(), 4), clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    /**
     * A finished history the planner has statistics for (nothing pending in them), then a burst of
     * pending events it knows nothing of: autovacuum is off, so stale stays stale.
     */
    private void burstAfterAnalyzedHistory(Statement sql, long now) throws SQLException {
        sql.execute("ALTER TABLE events SET (autovacuum_enabled = false)");
        sql.execute(insert(HISTORY, "h", "'SUCCEEDED'", now - 1_000_000));
        sql.execute("ANALYZE events");
        assertThat(pendingInStatistics(sql)).as("pending in the statistics after the history").isFalse();
        sql.execute(insert(BACKLOG, "p", "'PENDING'", now - 100_000));
    }

    @Test
    void theCandidatesQueryReadsAFewPagesPerCandidateWithStaleAndWithFreshStatistics() throws Exception {
        long now = clock.millis();
        try (Connection c = connect(); Statement sql = c.createStatement()) {
            burstAfterAnalyzedHistory(sql, now);

            long stale = pagesRead(sql, now);
            sql.execute("ANALYZE events");
            long fresh = pagesRead(sql, now);

            assertThat(stale).as("pages read with stale statistics").isLessThan(MAX_PAGES);
            assertThat(fresh).as("pages read with fresh statistics").isLessThan(MAX_PAGES);
        }
    }

    @Test
    void claimsFromABurstKeepEachRecordsOrderWithStaleStatistics() throws Exception {
        long now = clock.millis();
        try (Connection c = connect(); Statement sql = c.createStatement()) {
            burstAfterAnalyzedHistory(sql, now);
        }
        Map<String, Long> lastClaimed = new HashMap<>();
        List<StoredEvent> running = new ArrayList<>();
        int claimed = 0;
        while (claimed < BACKLOG) {
            List<StoredEvent> batch = store.claim("w", 64, Duration.ofSeconds(30));
            assertThat(batch).as("claimable after %d of %d", claimed, BACKLOG).isNotEmpty();
            for (StoredEvent event : batch) {
                assertThat(running).noneMatch(r -> r.key().equals(event.key()));
                Long before = lastClaimed.put(event.key(), event.seq());
                assertThat(before == null || before < event.seq()).as("order of %s", event.key()).isTrue();
            }
            running.addAll(batch);
            claimed += batch.size();
            for (StoredEvent event : List.copyOf(running)) {
                assertThat(store.finish(event.id(), "w", EventStatus.SUCCEEDED, "{}", null)).isTrue();
                running.remove(event);
            }
        }
        assertThat(store.claim("w", 64, Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void aClaimAnalyzesTheEventsTableOnceABurstMadeItsStatisticsStale() throws Exception {
        long now = clock.millis();
        try (Connection c = connect(); Statement sql = c.createStatement()) {
            burstAfterAnalyzedHistory(sql, now);
        }
        assertThat(store.claim("w", 8, Duration.ofSeconds(30))).hasSize(8);
        try (Connection c = connect(); Statement sql = c.createStatement()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!pendingInStatistics(sql) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(pendingInStatistics(sql)).as("pending in the statistics after a claim").isTrue();
        }
    }

    private static boolean pendingInStatistics(Statement sql) throws SQLException {
        try (ResultSet result = sql.executeQuery("SELECT count(*) FROM pg_stats WHERE schemaname = current_schema()"
                + " AND tablename = 'events' AND attname = 'status' AND 'PENDING' = ANY (most_common_vals::text::text[])")) {
            result.next();
            return result.getInt(1) == 1;
        }
    }

    /** The shared pages the candidates query read (EXPLAIN ANALYZE BUFFERS), all its nodes together. */
    private static long pagesRead(Statement sql, long now) throws Exception {
        String query = bind(Claims.PG_PENDING_CANDIDATES, now, now, LIMIT);
        JsonNode plan;
        int rows;
        try (ResultSet result = sql.executeQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query)) {
            result.next();
            plan = new ObjectMapper().readTree(result.getString(1)).get(0).get("Plan");
        }
        try (ResultSet result = sql.executeQuery("SELECT count(*) FROM (" + query + ") x")) {
            result.next();
            rows = result.getInt(1);
        }
        assertThat(rows).as("candidates").isEqualTo(LIMIT);
        return plan.get("Shared Hit Blocks").asLong() + plan.get("Shared Read Blocks").asLong();
    }

    private static String bind(String query, long now, long lease, int limit) {
        return query.replaceFirst("\\?", Long.toString(now)).replaceFirst("\\?", Long.toString(lease))
                .replaceFirst("\\?", Integer.toString(limit));
    }

    /** {@code count} events of KEYS record keys, each ~1 KB, received a millisecond apart from {@code from}. */
    private static String insert(int count, String prefix, String status, long from) {
        return "INSERT INTO events (id, flow_id, delivery_id, entity, record_key, payload, status, attempts, received_at,"
                + " next_attempt_at, finished_at) SELECT 'evt_" + prefix + "' || i, 'deals', '" + prefix + "' || i, 'deal',"
                + " 'k' || (hashint4(i + " + prefix.hashCode() + ") & 2147483647) % " + KEYS + ", repeat(md5(i::text), 32), "
                + status + ", 0, " + from + " + i, " + from + " + i, CASE WHEN " + status + " = 'PENDING' THEN NULL ELSE "
                + from + " + i END FROM generate_series(1, " + count + ") i";
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(database.url(), database.user(), database.password());
    }
}
