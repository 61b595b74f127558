package dev.steward.connector.netsuite;

import static dev.steward.testing.vendors.netsuite.FakeNetSuite.fields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.steward.connector.vendor.TestContext;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.Page;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.SystemRateLimitedException;
import dev.steward.plugin.SystemRecord;
import dev.steward.plugin.VersionConflictException;
import dev.steward.plugin.WriteOptions;
import dev.steward.plugin.WriteRefusedException;
import dev.steward.testing.MutableClock;
import dev.steward.testing.vendors.netsuite.FakeNetSuite;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NetSuiteConnectorTest {

    static final String ACCOUNT = "1234567_SB1";
    static final EntityConfig CUSTOMER = new EntityConfig("customer", Map.of(),
            names("email", "email", "phone", "phone", "creditLimit", "creditLimit", "name", "companyName"));
    static final WriteOptions OPTIONS = new WriteOptions("idem-1", "event-1");

    private final MutableClock clock = MutableClock.at(Instant.now().toString());
    private FakeNetSuite ns;
    /** One key pair for the class: RSA key generation is slow on a busy machine. */
    private static final KeyPair key = keyPair();
    private Connector connector;

    @BeforeEach
    void start() throws Exception {
        ns = new FakeNetSuite(ACCOUNT, clock)
                .allowM2m("client-1", "cert-1", key.getPublic())
                .allowTba("ck", "cs", "tid", "ts")
                .start();
    }

    @AfterEach
    void stop() {
        if (connector != null) {
            connector.close();
        }
        ns.close();
    }

    @Test
    void upsertsByExternalIdReadsItBackAndReusesItsToken() {
        connector = m2m(Map.of());

        connector.upsert(CUSTOMER, "C-1", map("email", "a@acme.example", "companyName", "Acme", "creditLimit", 100), OPTIONS);
        connector.upsert(CUSTOMER, "C-1", map("phone", "+1 555 0100"), OPTIONS);

        assertThat(connector.read(CUSTOMER, "C-1")).contains(map("email", "a@acme.example", "phone", "+1 555 0100",
                "creditLimit", 100, "companyName", "Acme"));
        assertThat(ns.count("customer")).isEqualTo(1);
        assertThat(ns.record("customer", "eid:C-1").orElseThrow()).containsEntry("externalId", "C-1");
        assertThat(connector.read(CUSTOMER, "C-404")).isEmpty();
        assertThat(ns.tokensIssued()).isEqualTo(1);
        assertThat(ns.violations()).isEmpty();
    }

    @Test
    void signsANewAssertionWhenTheTokenNearsItsEndOrIsRefused() {
        connector = m2m(Map.of());
        connector.read(CUSTOMER, "C-1");
        clock.advance(Duration.ofMinutes(50));
        connector.read(CUSTOMER, "C-1");
        assertThat(ns.tokensIssued()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(9)); // 59 minutes: within two minutes of the end
        connector.read(CUSTOMER, "C-1");
        assertThat(ns.tokensIssued()).isEqualTo(2);

        ns.expireTokens(); // NetSuite forgets it: 401, then a new assertion
        connector.read(CUSTOMER, "C-1");
        assertThat(ns.tokensIssued()).isEqualTo(3);
        assertThat(ns.violations()).isEmpty();
    }

    @Test
    void aWrongKeyIsRefusedByTheTokenEndpointAsAClearError() throws Exception {
        KeyPair other = ClientAssertionTest.keyPair(ClientAssertion.Algorithm.PS256);
        connector = m2m(Map.of(), other);
        WriteRefusedException refused = catchThrowableOfType(WriteRefusedException.class,
                () -> connector.read(CUSTOMER, "C-1"));
        assertThat(refused.getMessage()).contains("invalid_client").contains("certificateId");
    }

    @Test
    void tokenBasedAuthenticationSignsEveryRequest() {
        connector = connect(Map.of("tba", Map.of("consumerKey", "ck", "consumerSecret", "cs", "tokenId", "tid",
                "tokenSecret", "ts")), Map.of());
        connector.upsert(CUSTOMER, "C-7", map("email", "x@y.example"), OPTIONS);
        assertThat(connector.read(CUSTOMER, "C-7").orElseThrow()).containsEntry("email", "x@y.example");
        assertThat(connector.list(CUSTOMER, Optional.empty(), 10).records()).hasSize(1);
        assertThat(ns.violations()).isEmpty();

        Connector wrong = connect(Map.of("tba", Map.of("consumerKey", "ck", "consumerSecret", "cs", "tokenId", "tid",
                "tokenSecret", "not-it")), Map.of());
        try (wrong) {
            WriteRefusedException refused = catchThrowableOfType(WriteRefusedException.class,
                    () -> wrong.read(CUSTOMER, "C-7"));
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.getMessage()).contains("INVALID_LOGIN");
        }
    }

    @Test
    void listsPageByPageWithLimitOffsetAndHasMore() {
        for (int i = 1; i <= 7; i++) {
            ns.seed("customer", "C-" + i, fields("companyName", "Customer " + i, "email", "c" + i + "@x.example"));
        }
        ns.seed("customer", null, fields("companyName", "No external id"));
        connector = m2m(Map.of());

        List<String> keys = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page page = connector.list(CUSTOMER, cursor, 3);
            page.records().forEach(r -> keys.add(r.key()));
            sizes.add(page.records().size());
            cursor = page.next();
        } while (cursor.isPresent());

        assertThat(keys).containsExactly("C-1", "C-2", "C-3", "C-4", "C-5", "C-6", "C-7");
        assertThat(sizes).containsExactly(3, 3, 1); // the third page holds C-7 and the record without one
        assertThat(ns.violations()).isEmpty();
    }

    @Test
    void aRecordThatChangedSinceItWasReadIsAVersionConflict() {
        ns.seed("customer", "C-1", fields("companyName", "Acme", "email", "a@acme.example"));
        connector = m2m(Map.of());
        SystemRecord before = connector.readRecord(CUSTOMER, "C-1").orElseThrow();
        assertThat(before.version()).isPresent();

        clock.advance(Duration.ofSeconds(2));
        ns.change("customer", "eid:C-1", fields("phone", "+1 555 0199"));

        VersionConflictException conflict = catchThrowableOfType(VersionConflictException.class, () -> connector.upsert(
                CUSTOMER, RecordWrite.ifVersion("C-1", map("email", "b@acme.example"), OPTIONS, before.version().get())));
        assertThat(conflict.key()).isEqualTo("C-1");
        assertThat(ns.record("customer", "eid:C-1").orElseThrow()).containsEntry("email", "a@acme.example");

        SystemRecord now = connector.readRecord(CUSTOMER, "C-1").orElseThrow();
        connector.upsert(CUSTOMER, RecordWrite.ifVersion("C-1", map("email", "b@acme.example"), OPTIONS,
                now.version().get()));
        assertThat(ns.record("customer", "eid:C-1").orElseThrow()).containsEntry("email", "b@acme.example");
    }

    @Test
    void aRefusedValueNamesTheFieldAndNetSuitesWords() {
        connector = m2m(Map.of());
        WriteRefusedException refused = catchThrowableOfType(WriteRefusedException.class,
                () -> connector.upsert(CUSTOMER, "C-1", map("creditLimit", -5), OPTIONS));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.getMessage()).contains("creditLimit: ").contains("Invalid Field Value -5")
                .contains("INVALID_CONTENT");
        assertThat(ns.violations()).isEmpty();
    }

    @Test
    void aFieldNetSuiteDoesNotHaveIsRefusedAndSeenByTheFake() {
        EntityConfig wrong = new EntityConfig("customer", Map.of(), names("credit", "credit_limit"));
        connector = m2m(Map.of());
        WriteRefusedException refused = catchThrowableOfType(WriteRefusedException.class,
                () -> connector.upsert(wrong, "C-1", map("credit_limit", 5), OPTIONS));
        assertThat(refused.getMessage()).contains("credit_limit: ");
        assertThat(ns.violations()).singleElement().asString().contains("has no field credit_limit");
    }

    @Test
    void staysWithinItsConcurrencyAndSeesTheAccountsLimitAsARateLimit() throws Exception {
        ns.seed("customer", "C-1", fields("companyName", "Acme"));
        ns.concurrencyLimit(2).delay(Duration.ofMillis(150));

        connector = m2m(Map.of("concurrency", 2));
        List<Throwable> failures = burst(connector, 8);
        assertThat(failures).isEmpty();
        assertThat(ns.concurrencyRefusals()).isZero();
        assertThat(ns.maxInFlight()).isLessThanOrEqualTo(2);
        connector.close();

        connector = m2m(Map.of("concurrency", 6));
        failures = burst(connector, 8);
        assertThat(ns.concurrencyRefusals()).isPositive();
        assertThat(failures).isNotEmpty().allSatisfy(f -> {
            assertThat(f).isInstanceOf(SystemRateLimitedException.class);
            assertThat(f.getMessage()).contains("429").contains("CONCURRENCY_LIMIT_EXCEEDED");
        });
        assertThat(ns.violations()).isEmpty();
    }

    @Test
    void byInternalIdItUpdatesWithPatchAndNeverCreates() {
        String id = ns.seed("customer", "C-1", fields("companyName", "Acme"));
        EntityConfig byId = new EntityConfig("customer", Map.of("key", "internalId"), names("email", "email"));
        connector = connect(m2mAuth(key), Map.of(), Map.of("customer", byId));
        connector.upsert(byId, id, map("email", "p@acme.example"), OPTIONS);
        assertThat(connector.read(byId, id).orElseThrow()).containsEntry("email", "p@acme.example");
        WriteRefusedException refused = catchThrowableOfType(WriteRefusedException.class,
                () -> connector.upsert(byId, "999999", map("email", "q@acme.example"), OPTIONS));
        assertThat(refused.status()).isEqualTo(404);
        assertThat(ns.violations()).isEmpty();
    }

    @Test
    void everyWriteIsPostedAsTheSuiteScriptWouldPostIt() throws Exception {
        var received = new java.util.concurrent.LinkedBlockingQueue<Map<String, String>>();
        var hook = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hooks/netsuite", exchange -> {
            received.add(Map.of("id", exchange.getRequestHeaders().getFirst("webhook-id"),
                    "timestamp", exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                    "signature", exchange.getRequestHeaders().getFirst("webhook-signature"),
                    "body", new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        hook.start();
        try {
            String secret = "whsec_" + Base64.getEncoder().encodeToString("a secret of thirty-two bytes!!!!".getBytes());
            ns.sendWebhooksTo(java.net.URI.create("http://127.0.0.1:" + hook.getAddress().getPort() + "/hooks/netsuite"),
                    secret);
            connector = m2m(Map.of());
            connector.upsert(CUSTOMER, "C-9", map("email", "n@x.example"), OPTIONS);
            Map<String, String> delivery = received.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(delivery).isNotNull();

            var request = new dev.steward.plugin.WebhookRequest("POST", "http://127.0.0.1/hooks/netsuite",
                    Map.of("webhook-id", delivery.get("id"), "webhook-timestamp", delivery.get("timestamp"),
                            "webhook-signature", delivery.get("signature")),
                    delivery.get("body").getBytes(java.nio.charset.StandardCharsets.UTF_8), clock.instant());
            var notification = new NetSuiteWebhookFormat().read(request,
                    new dev.steward.plugin.WebhookSettings(Optional.of(secret), Map.of())).notifications().getFirst();
            assertThat(notification.payload()).containsEntry("externalId", "C-9").containsEntry("type", "customer")
                    .containsEntry("event", "create").containsEntry("changedFields", List.of("email"));
        } finally {
            hook.stop(0);
        }
    }

    private static List<Throwable> burst(Connector connector, int reads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(reads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < reads; i++) {
                futures.add(pool.submit(() -> connector.read(CUSTOMER, "C-1")));
            }
            List<Throwable> failures = new ArrayList<>();
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            return failures;
        } finally {
            pool.shutdown();
        }
    }

    private Connector m2m(Map<String, Object> extra) {
        return m2m(extra, key);
    }

    private Connector m2m(Map<String, Object> extra, KeyPair pair) {
        return connect(m2mAuth(pair), extra);
    }

    private static Map<String, Object> m2mAuth(KeyPair pair) {
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        return Map.of("m2m", Map.of("clientId", "client-1", "certificateId", "cert-1", "privateKey", pem));
    }

    private Connector connect(Map<String, Object> auth, Map<String, Object> extra) {
        return connect(auth, extra, Map.of("customer", CUSTOMER));
    }

    private Connector connect(Map<String, Object> auth, Map<String, Object> extra, Map<String, EntityConfig> entities) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("accountId", ACCOUNT);
        settings.put("baseUrl", ns.baseUrl());
        settings.put("auth", auth);
        settings.putAll(extra);
        SystemConfig config = new SystemConfig("erp", "netsuite", settings, entities);
        NetSuiteConnectorFactory factory = new NetSuiteConnectorFactory();
        assertThat(factory.validate(config, Path.of("."))).isEmpty();
        return factory.create(config, TestContext.of(clock, Path.of(".")));
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put((String) kv[i], kv[i + 1]);
        }
        return out;
    }

    private static KeyPair keyPair() {
        try {
            return ClientAssertionTest.keyPair(ClientAssertion.Algorithm.PS256);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> names(String... kv) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put(kv[i], kv[i + 1]);
        }
        return out;
    }
}
