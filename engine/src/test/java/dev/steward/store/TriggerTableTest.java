package dev.steward.store;

import dev.steward.model.StoreSettings;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The trigger contract on the embedded H2 store. */
class TriggerTableTest extends TriggerTableContract {

    @TempDir
    Path home;

    @Override
    StoreSettings settings() {
        return StoreSettings.embedded(home);
    }
}
