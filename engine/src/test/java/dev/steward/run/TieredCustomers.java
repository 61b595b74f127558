package dev.steward.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A workspace for decision-table tests: customers with an email and a tier, mastered by the CRM
 * and written to the ERP, both jdbc on embedded H2. Flows and tables are the test's own.
 */
final class TieredCustomers {

    private TieredCustomers() {
    }

    /** Writes steward.yaml, the two systems' init scripts and the mastership table under {@code home}. */
    static void write(Path home) throws IOException {
        Files.createDirectories(home.resolve("flows"));
        Files.createDirectories(home.resolve("rules"));
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  crm:
                    connector: jdbc
                    url: jdbc:h2:./data/crm
                    init: crm.sql
                    entities:
                      customer: { table: customers, key: id, fields: { email: email, tier: tier } }
                  erp:
                    connector: jdbc
                    url: jdbc:h2:./data/erp
                    init: erp.sql
                    entities:
                      customer: { table: customers, key: crm_id, fields: { email: email, tier: tier } }
                """);
        Files.writeString(home.resolve("crm.sql"), "CREATE TABLE IF NOT EXISTS customers (id VARCHAR(20) PRIMARY KEY,"
                + " email VARCHAR(100), tier VARCHAR(20));\n");
        Files.writeString(home.resolve("erp.sql"), "CREATE TABLE IF NOT EXISTS customers (crm_id VARCHAR(20) PRIMARY KEY,"
                + " email VARCHAR(100), tier VARCHAR(20));\n");
        Files.writeString(home.resolve("rules/mastership.yaml"), """
                - { entity: customer, fields: [email, tier], master: crm, subscribers: [erp], reason: CRM owns customers. }
                """);
    }
}
