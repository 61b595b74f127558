package dev.steward.store;

import dev.steward.model.StoreSettings;
import dev.steward.plugin.SecretStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store opened on its own thread during a start: real H2 files. */
class StoreOpeningTest {

    @TempDir
    Path home;

    @Test
    void aSecretWrittenBeforeTheStoreIsJoinedIsTheStoresEncryptedOnTheNextOpen() {
        Optional<SecretCipher> cipher = SecretCipher.fromEnvironment(
                Map.of(SecretCipher.KEY_VARIABLE, Base64.getEncoder().encodeToString(new byte[32]))::get);
        StoreSettings settings = new StoreSettings("jdbc:h2:" + home.resolve("steward"), "sa", "", 2);
        StoreOpening opening = StoreOpening.start(settings, Clock.systemUTC());
        SecretStore crm = opening.secrets("crm", cipher);

        crm.put("refresh-token", "r1");
        assertThat(crm.replace("refresh-token", Optional.of("r1"), "r2")).isTrue();
        assertThat(crm.replace("refresh-token", Optional.of("r1"), "r3")).as("not the value held").isFalse();

        try (Store store = opening.join()) {
            assertThat(store.secrets("crm", cipher).get("refresh-token")).contains("r2");
        }
        try (Store again = Store.open(settings, Clock.systemUTC())) {
            assertThat(again.secrets("crm", cipher).get("refresh-token")).as("kept across opens").contains("r2");
            assertThat(again.secrets("erp", cipher).get("refresh-token")).isEmpty();
        }
    }

    @Test
    void aStoreThatCannotOpenFailsItsJoinAndItsSecretsWithTheStoresReason() throws IOException {
        Files.writeString(home.resolve("blocked"), "a file where the store's folder would be");
        StoreOpening opening = StoreOpening.start(new StoreSettings("jdbc:h2:" + home.resolve("blocked/steward"), "sa", "", 2),
                Clock.systemUTC());

        opening.await();

        assertThat(opening.failed()).isTrue();
        assertThatThrownBy(opening::join).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("Cannot create the event store folder");
        assertThatThrownBy(() -> opening.secrets("crm", Optional.empty()).get("token"))
                .isInstanceOf(StoreUnavailableException.class);
    }
}
