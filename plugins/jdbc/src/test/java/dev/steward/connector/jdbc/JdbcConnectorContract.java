package dev.steward.connector.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steward.plugin.ActionNotSupportedException;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.SystemRecord;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the jdbc connector does on every database it supports: batched upserts, reads and
 * keyset-paginated lists. Each subclass names a real database (H2 and SQLite files in a temp
 * folder, PostgreSQL from the test harness).
 */
abstract class JdbcConnectorContract {

    static final WriteOptions OPTIONS = new WriteOptions("evt-1:erp", "evt-1");
    static final EntityConfig ACCOUNT = new EntityConfig("account", Map.of("table", "accounts", "key", "id"),
            JdbcConnectorTest.ordered("email", "email", "creditLimit", "credit_limit", "note", "note"));
    /** Plain SQL that H2, PostgreSQL and SQLite all take. */
    static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS accounts (
              id VARCHAR(40) PRIMARY KEY,
              email VARCHAR(100),
              credit_limit DECIMAL(12, 2) CHECK (credit_limit >= 0),
              note VARCHAR(200)
            );
            CREATE TABLE IF NOT EXISTS loose_accounts (
              id VARCHAR(40),
              note VARCHAR(200)
            );
            """;
    /** A table whose key column has no unique index (PostgreSQL's ON CONFLICT cannot use it). */
    static final EntityConfig LOOSE = new EntityConfig("loose", Map.of("table", "loose_accounts", "key", "id"),
            Map.of("note", "note"));

    @TempDir
    Path workspace;

    Connector db;

    /** The system's settings: at least {@code url}; {@code init} is added. */
    abstract Map<String, Object> settings();

    @BeforeEach
    void open() throws IOException {
        Files.writeString(workspace.resolve("accounts.sql"), SCHEMA);
        Map<String, Object> settings = new HashMap<>(settings());
        settings.put("init", "accounts.sql");
        SystemConfig config = new SystemConfig("erp", "jdbc", settings, Map.of("account", ACCOUNT, "loose", LOOSE));
        assertThat(new JdbcConnectorFactory().validate(config)).isEmpty();
        db = new JdbcConnectorFactory().create(config, new TestContext(workspace));
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void aBatchUpdatesTheRowsThatExistAndInsertsTheOthers() {
        db.upsert(ACCOUNT, "A-1", Map.of("email", "old@example.com", "note", "kept"), OPTIONS);

        db.upsertAll(ACCOUNT, List.of(
                RecordWrite.of("A-1", Map.of("email", "new@example.com"), OPTIONS),
                RecordWrite.of("A-2", Map.of("email", "two@example.com", "credit_limit", new BigDecimal("250.50")), OPTIONS),
                RecordWrite.of("A-3", Map.of("note", "three"), OPTIONS)));

        assertThat(db.read(ACCOUNT, "A-1").orElseThrow())
                .containsEntry("email", "new@example.com").containsEntry("note", "kept");
        Map<String, Object> two = db.read(ACCOUNT, "A-2").orElseThrow();
        assertThat(two).containsEntry("email", "two@example.com");
        assertThat(new BigDecimal(String.valueOf(two.get("credit_limit")))).isEqualByComparingTo("250.50");
        assertThat(db.read(ACCOUNT, "A-3").orElseThrow()).containsEntry("note", "three").containsEntry("email", null);
    }

    @Test
    void aBatchOfSeveralHundredRowsWritesEachWithItsOwnValuesAndABadOneAmongThemWritesNone() {
        // More than two whole statements of JdbcConnector.ROWS_PER_MERGE rows (H2) and a rest;
        // every third key is there already, so the statements both update and insert.
        int count = 2 * JdbcConnector.ROWS_PER_MERGE + 13;
        List<RecordWrite> writes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = String.format("M-%03d", i);
            if (i % 3 == 0) {
                db.upsert(ACCOUNT, key, Map.of("email", "old" + i + "@example.com", "note", "kept" + i), OPTIONS);
            }
            writes.add(RecordWrite.of(key, i % 2 == 0 ? Map.of("email", "m" + i + "@example.com")
                    : Map.of("email", "m" + i + "@example.com", "credit_limit", new BigDecimal(i)), OPTIONS));
        }

        db.upsertAll(ACCOUNT, writes);

        for (int i = 0; i < count; i++) {
            Map<String, Object> row = db.read(ACCOUNT, String.format("M-%03d", i)).orElseThrow();
            assertThat(row).as("M-%03d", i).containsEntry("email", "m" + i + "@example.com")
                    .containsEntry("note", i % 3 == 0 ? "kept" + i : null);
            if (i % 2 == 1) {
                assertThat(new BigDecimal(String.valueOf(row.get("credit_limit")))).isEqualByComparingTo(String.valueOf(i));
            }
        }
        List<RecordWrite> again = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            again.add(RecordWrite.of(String.format("M-%03d", i), i == count - 20
                    ? Map.of("credit_limit", new BigDecimal("-1")) : Map.of("email", "again@example.com"), OPTIONS));
        }
        assertThatThrownBy(() -> db.upsertAll(ACCOUNT, again)).isInstanceOf(WriteRefusedException.class);
        assertThat(db.read(ACCOUNT, "M-000").orElseThrow()).containsEntry("email", "m0@example.com");
        assertThat(db.read(ACCOUNT, String.format("M-%03d", count - 1)).orElseThrow())
                .containsEntry("email", "m" + (count - 1) + "@example.com");
    }

    @Test
    void aTableWhoseKeyHasNoUniqueIndexIsUpsertedToo() {
        db.upsertAll(LOOSE, List.of(RecordWrite.of("L-1", Map.of("note", "one"), OPTIONS),
                RecordWrite.of("L-2", Map.of("note", "two"), OPTIONS)));
        db.upsertAll(LOOSE, List.of(RecordWrite.of("L-1", Map.of("note", "uno"), OPTIONS),
                RecordWrite.of("L-3", Map.of("note", "three"), OPTIONS)));

        assertThat(db.list(LOOSE, Optional.empty(), 10).records()).extracting(r -> r.key() + "=" + r.fields().get("note"))
                .containsExactly("L-1=uno", "L-2=two", "L-3=three");
    }

    @Test
    void writesToOneKeyInABatchApplyInOrder() {
        db.upsertAll(ACCOUNT, List.of(
                RecordWrite.of("A-9", Map.of("email", "first@example.com"), OPTIONS),
                RecordWrite.of("A-9", Map.of("note", "n"), OPTIONS),
                RecordWrite.of("A-9", Map.of("email", "last@example.com"), OPTIONS)));

        assertThat(db.read(ACCOUNT, "A-9").orElseThrow())
                .containsEntry("email", "last@example.com").containsEntry("note", "n");
    }

    @Test
    void aBatchWithOneBadRowWritesNothing() {
        db.upsert(ACCOUNT, "A-1", Map.of("email", "before@example.com"), OPTIONS);

        assertThatThrownBy(() -> db.upsertAll(ACCOUNT, List.of(
                RecordWrite.of("A-1", Map.of("email", "after@example.com"), OPTIONS),
                RecordWrite.of("A-2", Map.of("email", "fine@example.com"), OPTIONS),
                RecordWrite.of("A-3", Map.of("credit_limit", new BigDecimal("-1")), OPTIONS))))
                .isInstanceOf(WriteRefusedException.class)
                .hasMessageStartingWith("erp refused to write 3 account records: ");

        assertThat(db.read(ACCOUNT, "A-1").orElseThrow()).containsEntry("email", "before@example.com");
        assertThat(db.read(ACCOUNT, "A-2")).isEmpty();
        assertThat(db.read(ACCOUNT, "A-3")).isEmpty();
    }

    @Test
    void listsEveryRecordOncePageByPageInKeyOrder() {
        List<RecordWrite> writes = new ArrayList<>();
        for (int i = 7; i >= 1; i--) {
            writes.add(RecordWrite.of("K-0" + i, Map.of("email", "k" + i + "@example.com"), OPTIONS));
        }
        db.upsertAll(ACCOUNT, writes);

        List<List<String>> pages = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page page = db.list(ACCOUNT, cursor, 3);
            pages.add(page.records().stream().map(SystemRecord::key).toList());
            cursor = page.next();
        } while (cursor.isPresent() && pages.size() < 10);

        assertThat(pages).containsExactly(List.of("K-01", "K-02", "K-03"), List.of("K-04", "K-05", "K-06"),
                List.of("K-07"));
        assertThat(db.list(ACCOUNT, Optional.of("K-06"), 5).records()).singleElement()
                .satisfies(r -> assertThat(r.fields()).containsEntry("email", "k7@example.com"));
    }

    @Test
    void aFullLastPageSaysThereIsNoNextPage() {
        db.upsertAll(ACCOUNT, List.of(RecordWrite.of("B-1", Map.of(), OPTIONS),
                RecordWrite.of("B-2", Map.of(), OPTIONS)));

        Page page = db.list(ACCOUNT, Optional.empty(), 2);

        assertThat(page.records()).extracting(SystemRecord::key).containsExactly("B-1", "B-2");
        assertThat(page.next()).isEmpty();
        assertThat(db.list(ACCOUNT, Optional.empty(), 1).next()).contains("B-1");
    }

    @Test
    void anEmptyTableListsAsOneEmptyLastPage() {
        assertThat(db.list(ACCOUNT, Optional.empty(), 10)).isEqualTo(Page.last(List.of()));
    }

    @Test
    void aCursorIsBoundNotConcatenated() {
        db.upsertAll(ACCOUNT, List.of(RecordWrite.of("a", Map.of(), OPTIONS), RecordWrite.of("z", Map.of(), OPTIONS)));

        assertThat(db.list(ACCOUNT, Optional.of("m' OR '1'='1"), 10).records())
                .extracting(SystemRecord::key).containsExactly("z");
    }

    @Test
    void versionedWritesAreRefusedSinceRowsHaveNoVersions() {
        assertThatThrownBy(() -> db.upsert(ACCOUNT, RecordWrite.ifVersion("A-1", Map.of("note", "x"), OPTIONS, "v1")))
                .isInstanceOf(ActionNotSupportedException.class)
                .hasMessageContaining("keeps no record versions");
        assertThat(db.read(ACCOUNT, "A-1")).isEmpty();
        assertThat(db.readRecord(ACCOUNT, "A-1")).isEmpty();
    }
}
