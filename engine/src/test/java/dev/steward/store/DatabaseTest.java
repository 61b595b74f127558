package dev.steward.store;

import dev.steward.model.StoreSettings;
import java.nio.file.Path;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseTest {

    @Test
    void anEmbeddedH2FileWritesEachCommitBeforeItReturns() {
        assertThat(Database.durable("jdbc:h2:/srv/steward/data/steward")).isEqualTo("jdbc:h2:/srv/steward/data/steward;WRITE_DELAY=0");
        assertThat(Database.durable("jdbc:h2:file:./data/steward;MODE=PostgreSQL"))
                .isEqualTo("jdbc:h2:file:./data/steward;MODE=PostgreSQL;WRITE_DELAY=0");
    }

    @Test
    void otherUrlsAndAnExplicitWriteDelayAreLeftAlone() {
        assertThat(Database.durable("jdbc:h2:./data/steward;write_delay=500")).isEqualTo("jdbc:h2:./data/steward;write_delay=500");
        assertThat(Database.durable("jdbc:h2:mem:test")).isEqualTo("jdbc:h2:mem:test");
        assertThat(Database.durable("jdbc:postgresql://db/steward")).isEqualTo("jdbc:postgresql://db/steward");
        assertThat(Database.patient("jdbc:h2:/srv/steward/data/steward;WRITE_DELAY=0"))
                .isEqualTo("jdbc:h2:/srv/steward/data/steward;WRITE_DELAY=0;LOCK_TIMEOUT=10000");
        assertThat(Database.patient("jdbc:h2:./x;lock_timeout=50")).isEqualTo("jdbc:h2:./x;lock_timeout=50");
        assertThat(Database.patient("jdbc:postgresql://db/steward")).isEqualTo("jdbc:postgresql://db/steward");
    }

    @Test
    void aPasswordInTheUrlIsNeverShown() {
        assertThat(Database.describe(new dev.steward.model.StoreSettings(
                "jdbc:postgresql://db/steward?user=steward&password=hunter2&ssl=true", "", "", 2)))
                .isEqualTo("jdbc:postgresql://db/steward?user=steward&password=***&ssl=true");
        assertThat(Database.describe(new dev.steward.model.StoreSettings(
                "jdbc:postgresql://steward:hunter2@db/steward", "steward", "", 2)))
                .isEqualTo("jdbc:postgresql://steward:***@db/steward as steward");
    }

    @Test
    void anEmbeddedH2IsClosedByStewardNotByTheJvmsShutdownHook() {
        assertThat(Database.closedBySteward("jdbc:h2:/srv/steward/data/steward;WRITE_DELAY=0"))
                .isEqualTo("jdbc:h2:/srv/steward/data/steward;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(Database.closedBySteward("jdbc:h2:./x;db_close_on_exit=TRUE")).isEqualTo("jdbc:h2:./x;db_close_on_exit=TRUE");
        assertThat(Database.closedBySteward("jdbc:h2:tcp://db/steward")).isEqualTo("jdbc:h2:tcp://db/steward");
        assertThat(Database.closedBySteward("jdbc:postgresql://db/steward")).isEqualTo("jdbc:postgresql://db/steward");
    }

    @Test
    void aStoreWhoseHistoryListsEveryMigrationIsNotMigratedAgain(@TempDir Path dir) throws Exception {
        StoreSettings settings = new StoreSettings("jdbc:h2:" + dir.resolve("steward"), "sa", "", 2);
        try (Database fresh = Database.open(settings)) {
            // Flyway made the history: the check's checksums are Flyway's, for every migration
            assertThat(Database.migrationChecksums()).isNotEmpty();
            assertThat(fresh.migrated()).isTrue();
        }
        try (Database again = Database.open(settings)) {
            assertThat(again.migrated()).isTrue();
            // a script that reads differently from what was applied: Flyway decides (and fails validation)
            again.run("change a checksum", c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("UPDATE \"flyway_schema_history\" SET \"checksum\" = \"checksum\" + 1 WHERE \"version\" = '1'");
                }
            });
            assertThat(again.migrated()).isFalse();
        }
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Database.open(settings)))
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("checksum mismatch");
    }

    @Test
    void aStoreMissingAMigrationIsMigrated(@TempDir Path dir) throws Exception {
        StoreSettings settings = new StoreSettings("jdbc:h2:" + dir.resolve("steward"), "sa", "", 2);
        try (Database fresh = Database.open(settings)) {
            fresh.run("forget the last migration", c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("DELETE FROM \"flyway_schema_history\" WHERE \"installed_rank\" ="
                            + " (SELECT MAX(\"installed_rank\") FROM \"flyway_schema_history\")");
                }
            });
            assertThat(fresh.migrated()).isFalse();
        }
    }

    @Test
    void anH2StoreComparesKeysAsJavaDoesUnlessItHasACollation(@TempDir Path home) throws Exception {
        try (Database plain = Database.open(StoreSettings.embedded(home.resolve("plain")))) {
            assertThat(plain.keysInJavaOrder()).isTrue();
        }
        StoreSettings collated = new StoreSettings("jdbc:h2:file:" + home.resolve("collated/steward"), "sa", "", 2);
        try (Database created = Database.open(collated)) {
            created.run("set a collation", c -> {
                try (Statement set = c.createStatement()) {
                    // H2 takes a collation only while the database holds no text: drop the tables first
                    set.execute("DROP ALL OBJECTS");
                    set.execute("SET COLLATION ENGLISH STRENGTH PRIMARY");
                }
                return null;
            });
        }
        try (Database reopened = Database.open(collated)) {
            assertThat(reopened.keysInJavaOrder()).as("'a' and 'A' are one key in its order").isFalse();
        }
    }
}
