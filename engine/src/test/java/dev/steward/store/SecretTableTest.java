package dev.steward.store;

import dev.steward.model.StoreSettings;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The secrets contract on the embedded H2 store. */
class SecretTableTest extends SecretTableContract {

    @TempDir
    Path home;

    @Override
    StoreSettings settings() {
        return StoreSettings.embedded(home);
    }
}
