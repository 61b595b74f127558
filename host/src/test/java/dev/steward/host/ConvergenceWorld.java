package dev.steward.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One Steward host and the two simulated systems it syncs, shared by every try of the
 * convergence properties (a host takes about a second to start; each try has its own record
 * keys, so tries cannot see each other). The workspace has three pairs of flows over
 * {@code customer}, crm to erp and erp to crm: one pair plain, one pair with {@code enforce}, and
 * one pair with {@code enforce} that reads no record versions (as for systems whose webhooks carry
 * none, so echoes are told by value only).
 */
record ConvergenceWorld(Path home, SimulatedSystem crm, SimulatedSystem erp, RunningHost host) implements AutoCloseable {

    static ConvergenceWorld start() {
        SimulatedSystem crm = new SimulatedSystem("crm", "id", "version",
                Map.of("email", "email", "phone", "phone", "creditLimit", "credit_limit", "status", "erp_status"));
        SimulatedSystem erp = new SimulatedSystem("erp", "customer_no", "rev",
                Map.of("email", "contact.email", "phone", "contact.phone", "creditLimit", "credit_limit",
                        "status", "account_status"));
        try {
            Path home = Files.createTempDirectory("steward-convergence");
            Files.createDirectories(home.resolve("flows"));
            Files.createDirectories(home.resolve("rules"));
            // The breaker is the safety net for loops that rules create; here it must never be
            // needed, and a hold would hide a loop from the message bound, so it is set out of reach.
            Files.writeString(home.resolve("steward.yaml"), """
                    loops: { maxReversals: 1000, window: 1h }
                    systems:
                      crm:
                        connector: http
                        baseUrl: %s
                        entities:
                          customer:
                            path: /customers/{key}
                            versionField: version
                            fields: { email: email, phone: phone, creditLimit: credit_limit, status: erp_status }
                      erp:
                        connector: http
                        baseUrl: %s
                        entities:
                          customer:
                            path: /customers/{key}
                            versionField: rev
                            fields: { email: contact.email, phone: contact.phone, creditLimit: credit_limit, status: account_status }
                    """.formatted(crm.baseUrl(), erp.baseUrl()));
            Files.writeString(home.resolve("rules/mastership.yaml"), """
                    - entity: customer
                      fields: [email, phone]
                      master: crm
                      subscribers: [erp]
                      reason: CRM is the primary entry point for sales.
                    - entity: customer
                      fields: [creditLimit, status]
                      master: erp
                      subscribers: [crm]
                      reason: ERP manages fiscal risk and accounting.
                    """);
            for (String suffix : new String[] {"", "-enforced", "-unversioned"}) {
                String enforce = suffix.isEmpty() ? "" : ", enforce: true";
                String version = suffix.equals("-unversioned") ? "" : "version: ";
                Files.writeString(home.resolve("flows/crm-customer" + suffix + ".yaml"), """
                        id: crm-customer%1$s
                        trigger: { webhook: { path: crm/customer%1$s } }
                        source: crm
                        entity: customer
                        key: id
                        %3$s
                        fields: { email: email, phone: phone, creditLimit: credit_limit, status: erp_status }
                        steps:
                          - rules: [mastership.yaml]
                          - sync: { to: [erp]%2$s }
                        """.formatted(suffix, enforce, version.isEmpty() ? "" : version + "version"));
                Files.writeString(home.resolve("flows/erp-customer" + suffix + ".yaml"), """
                        id: erp-customer%1$s
                        trigger: { webhook: { path: erp/customer%1$s } }
                        source: erp
                        entity: customer
                        key: customer_no
                        %3$s
                        fields: { email: contact.email, phone: contact.phone, creditLimit: credit_limit, status: account_status }
                        steps:
                          - rules: [mastership.yaml]
                          - sync: { to: [crm]%2$s }
                        """.formatted(suffix, enforce, version.isEmpty() ? "" : version + "rev"));
            }
            return new ConvergenceWorld(home, crm, erp, new RunningHost(home));
        } catch (IOException e) {
            crm.close();
            erp.close();
            throw new UncheckedIOException(e);
        }
    }

    SimulatedSystem system(String name) {
        return switch (name) {
            case "crm" -> crm;
            case "erp" -> erp;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Override
    public void close() {
        host.close();
        crm.close();
        erp.close();
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
