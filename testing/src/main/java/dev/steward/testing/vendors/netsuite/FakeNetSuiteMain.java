package dev.steward.testing.vendors.netsuite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link FakeNetSuite} on its own, for an example workspace:
 * <pre>
 * java -cp ... dev.steward.testing.vendors.netsuite.FakeNetSuiteMain --port 9301 --account 1234567_SB1 \
 *     --webhook 'http://127.0.0.1:8081/hooks/netsuite/{type}' --secret whsec_... \
 *     --m2m-client CLIENT_ID --m2m-cert CERT_ID --m2m-key-out data/netsuite-key.pem \
 *     [--tba CONSUMER_KEY:CONSUMER_SECRET:TOKEN_ID:TOKEN_SECRET] [--concurrency 5] [--seed]
 * </pre>
 * {@code --m2m-key-out} makes a fresh RSA key pair, registers its public key as the
 * certificate's and writes the private key (PKCS#8 PEM) where Steward's settings read it.
 * {@code --seed} adds two customers and two inventory items. Runs until killed.
 */
public final class FakeNetSuiteMain {

    private FakeNetSuiteMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            options.put(args[i].substring(2), flag ? "true" : args[++i]);
        }
        FakeNetSuite ns = new FakeNetSuite(options.getOrDefault("account", "1234567_SB1"));
        ns.concurrencyLimit(Integer.parseInt(options.getOrDefault("concurrency", "5")));
        if (options.containsKey("webhook")) {
            ns.sendWebhooksTo(options.get("webhook"), options.getOrDefault("secret", ""));
        }
        if (options.containsKey("tba")) {
            String[] t = options.get("tba").split(":", 4);
            ns.allowTba(t[0], t[1], t[2], t[3]);
        }
        if (options.containsKey("m2m-key-out")) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            writePem(Path.of(options.get("m2m-key-out")), pair.getPrivate().getEncoded());
            ns.allowM2m(options.getOrDefault("m2m-client", "steward-client"), options.getOrDefault("m2m-cert", "steward-cert"),
                    pair.getPublic());
        }
        if (options.containsKey("seed")) {
            ns.seed("customer", "C-1001", FakeNetSuite.fields("companyName", "Acme Corp", "email", "ap@acme.example",
                    "phone", "+1 555 0100", "creditLimit", 5000));
            ns.seed("customer", "C-1002", FakeNetSuite.fields("companyName", "Globex", "email", "billing@globex.example",
                    "phone", "+1 555 0101", "creditLimit", 12000));
            ns.seed("inventoryItem", "SKU-1", FakeNetSuite.fields("itemId", "SKU-1", "displayName", "Widget",
                    "totalQuantityOnHand", 40));
            ns.seed("inventoryItem", "SKU-2", FakeNetSuite.fields("itemId", "SKU-2", "displayName", "Gadget",
                    "totalQuantityOnHand", 7));
        }
        ns.start(Integer.parseInt(options.getOrDefault("port", "0")));
        System.out.println("FakeNetSuite for account " + ns.accountId() + " listening on " + ns.baseUrl());
        Runtime.getRuntime().addShutdownHook(new Thread(ns::close));
        new CountDownLatch(1).await();
    }

    private static void writePem(Path path, byte[] der) throws IOException {
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(path, pem);
    }
}
