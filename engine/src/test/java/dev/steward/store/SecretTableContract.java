package dev.steward.store;

import dev.steward.model.StoreSettings;
import dev.steward.plugin.SecretStore;
import dev.steward.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the store does with connectors' secrets, on every database: values encrypted (nothing of
 * them in the table in clear), per system, shared by the hosts on one store, replaced by a
 * compare-and-set that only one of many concurrent rotations wins; without a key, kept in
 * memory only. Subclasses say where the database is; each test gets an empty one.
 */
abstract class SecretTableContract {

    static final String KEY = Base64.getEncoder().encodeToString(new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
            30, 31, 32});
    static final String TOKEN = "refresh-token-0123456789-very-secret";

    final MutableClock clock = MutableClock.at("2026-03-01T09:00:00Z");
    private final List<Store> opened = new ArrayList<>();

    abstract StoreSettings settings();

    /** A store of its own on the test's database, like another host. */
    Store host() {
        Store store = Store.open(settings(), clock);
        opened.add(store);
        return store;
    }

    static Optional<SecretCipher> key(String base64) {
        return SecretCipher.fromEnvironment(Map.of(SecretCipher.KEY_VARIABLE, base64)::get);
    }

    @AfterEach
    void close() {
        opened.forEach(Store::close);
    }

    @Test
    void aSecretIsStoredEncryptedAndReadByEveryHost() throws SQLException {
        SecretStore a = host().secrets("quickbooks", key(KEY));
        SecretStore b = host().secrets("quickbooks", key(KEY));

        a.put("refreshToken", TOKEN);

        assertThat(a.get("refreshToken")).contains(TOKEN);
        assertThat(b.get("refreshToken")).as("another host on the store").contains(TOKEN);
        assertThat(b.get("accessToken")).isEmpty();
        assertThat(host().secrets("hubspot", key(KEY)).get("refreshToken")).as("another system").isEmpty();
        List<String> row = rawRow("quickbooks", "refreshToken");
        assertThat(row).hasSize(2);
        assertThat(String.join(" ", row)).doesNotContain(TOKEN).doesNotContain("refresh-token");
        assertThat(new String(Base64.getDecoder().decode(row.get(0)), StandardCharsets.ISO_8859_1)).doesNotContain("refresh-token");
        assertThat(Base64.getDecoder().decode(row.get(1))).hasSize(12);

        b.put("refreshToken", "rotated");
        assertThat(a.get("refreshToken")).contains("rotated");
        assertThat(rawRow("quickbooks", "refreshToken").get(1)).as("a fresh nonce for every value").isNotEqualTo(row.get(1));
    }

    @Test
    void aValueDoesNotDecryptUnderAnotherKeyOrInAnotherSystemsRow() throws SQLException {
        host().secrets("quickbooks", key(KEY)).put("refreshToken", TOKEN);
        byte[] other = new byte[32];
        new SecureRandom().nextBytes(other);

        assertThat(host().secrets("quickbooks", key(Base64.getEncoder().encodeToString(other))).get("refreshToken"))
                .as("another key").isEmpty();
        execute("UPDATE connector_secrets SET system_name = 'hubspot' WHERE system_name = 'quickbooks'");
        assertThat(host().secrets("hubspot", key(KEY)).get("refreshToken")).as("the system's name is associated data").isEmpty();
    }

    @Test
    void replaceIsACompareAndSet() {
        SecretStore secrets = host().secrets("quickbooks", key(KEY));

        assertThat(secrets.replace("refreshToken", Optional.of("anything"), "v1")).as("nothing stored yet").isFalse();
        assertThat(secrets.replace("refreshToken", Optional.empty(), "v1")).isTrue();
        assertThat(secrets.replace("refreshToken", Optional.empty(), "v1-again")).as("one is stored now").isFalse();
        assertThat(secrets.replace("refreshToken", Optional.of("v0"), "v2")).as("not the stored value").isFalse();
        assertThat(secrets.get("refreshToken")).contains("v1");
        assertThat(secrets.replace("refreshToken", Optional.of("v1"), "v2")).isTrue();
        assertThat(secrets.get("refreshToken")).contains("v2");
    }

    @Test
    void ofManyHostsRotatingOneTokenAtOnceOnlyOneWins() throws Exception {
        host().secrets("quickbooks", key(KEY)).put("refreshToken", "r0");
        List<SecretStore> hosts = List.of(host().secrets("quickbooks", key(KEY)), host().secrets("quickbooks", key(KEY)));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                SecretStore secrets = hosts.get(i % 2);
                String next = "r1-from-" + i;
                Callable<Boolean> rotate = () -> {
                    go.await();
                    return secrets.replace("refreshToken", Optional.of("r0"), next);
                };
                results.add(threads.submit(rotate));
            }
            go.countDown();
            int won = 0;
            for (Future<Boolean> result : results) {
                won += result.get() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
            assertThat(hosts.get(0).get("refreshToken").orElseThrow()).startsWith("r1-from-");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void withoutAKeyNothingIsStoredAndTheValueLivesInMemoryOnly() throws SQLException {
        SecretStore a = host().secrets("quickbooks", Optional.empty());

        a.put("refreshToken", TOKEN);

        assertThat(a.get("refreshToken")).contains(TOKEN);
        assertThat(host().secrets("quickbooks", Optional.empty()).get("refreshToken")).as("another host").isEmpty();
        assertThat(rawRow("quickbooks", "refreshToken")).isEmpty();
        assertThat(SecretCipher.fromEnvironment(name -> null)).isEmpty();
    }

    @Test
    void aKeyThatIsNotThirtyTwoBytesOfBase64IsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> key("not base64 !")).hasMessageContaining("STEWARD_SECRET_KEY").hasMessageContaining("base64")
                .hasMessageNotContaining("not base64 !");
        assertThatThrownBy(() -> key(Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessageContaining("STEWARD_SECRET_KEY must be 32 bytes");
    }

    private List<String> rawRow(String system, String name) throws SQLException {
        StoreSettings settings = settings();
        try (Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT ciphertext, nonce FROM connector_secrets WHERE system_name = '"
                     + system + "' AND secret_name = '" + name + "'")) {
            return rows.next() ? List.of(rows.getString(1), rows.getString(2)) : List.of();
        }
    }

    private void execute(String sql) throws SQLException {
        StoreSettings settings = settings();
        try (Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
             Statement statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        }
    }
}
