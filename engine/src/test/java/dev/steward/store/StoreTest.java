package dev.steward.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steward.model.StoreSettings;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded H2 file database, the default. */
class StoreTest extends StoreContract {

    @TempDir
    Path home;

    @Override
    StoreSettings settings() {
        return StoreSettings.embedded(home);
    }

    @Test
    void createsTheFolderOfTheDatabaseFile() {
        try (Store store = Store.open(new StoreSettings("jdbc:h2:file:" + home.resolve("a/b/steward"), "sa", "", 2),
                Clock.systemUTC())) {
            assertThat(store.recent(1, java.util.Optional.empty(), java.util.Optional.empty())).isEmpty();
        }
        assertThat(home.resolve("a/b/steward.mv.db")).exists();
    }

    @Test
    void anUnreachableStoreSaysWhere() {
        StoreSettings nowhere = new StoreSettings("jdbc:postgresql://127.0.0.1:1/steward", "steward", "secret", 2);

        assertThatThrownBy(() -> Store.open(nowhere, Clock.systemUTC()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/steward as steward")
                .hasMessageNotContaining("secret");
    }
}
