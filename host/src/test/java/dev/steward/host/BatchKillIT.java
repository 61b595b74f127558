package dev.steward.host;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code steward batch} as a child process, killed with SIGKILL mid-run and run again: the second
 * run goes on after the last committed chunk and no record is written twice, including the
 * records of the chunk whose writes had reached the target when the process died.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BatchKillIT {

    @TempDir
    Path temp;
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process child : children) {
            if (child.isAlive()) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private Process batch(Path home, Path input, Path log, String... options) throws IOException {
        return batch(List.of(), home, input, log, options);
    }

    private Process batch(List<String> jvmOptions, Path home, Path input, Path log, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "batch",
                "--home", home.toString(), "--flow", "crm-customer", "--input", input.toString()));
        command.addAll(List.of(options));
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        children.add(child);
        return child;
    }

    /**
     * The target applies the 250th write and the batch dies before hearing of it, with writes of
     * its third chunk made and none of them committed in the store. The second run reads those
     * records back, writes only the ones missing, and each record is written exactly once.
     */
    @Test
    void aBatchKilledBetweenTheTargetsWritesAndItsCheckpointWritesNoRecordTwice() throws Exception {
        try (BatchWorld.HttpSystem erp = new BatchWorld.HttpSystem()) {
            Path home = BatchWorld.httpErp(temp.resolve("workspace"), erp.port(), 100_000);
            Path input = BatchWorld.customers(temp.resolve("in/customers.csv"), 600, 0);
            Path log = temp.resolve("batch.log");
            Process[] first = new Process[1];
            erp.afterApply = n -> {
                if (n == 250) {
                    first[0].destroyForcibly();
                    try {
                        first[0].waitFor(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            first[0] = batch(home, input, log, "--chunk", "100", "--concurrency", "2");
            assertThat(first[0].waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(first[0].exitValue()).as(Files.readString(log)).isEqualTo(137);
            int appliedBeforeKill = erp.applied.get();
            assertThat(appliedBeforeKill).isBetween(250, 300);

            Process second = batch(home, input, log, "--chunk", "100", "--concurrency", "2");
            assertThat(second.waitFor(5, TimeUnit.MINUTES)).isTrue();

            String output = Files.readString(log);
            assertThat(second.exitValue()).as(output).isZero();
            assertThat(output).contains("goes on after record 200",
                    (appliedBeforeKill - 200) + " of 100 records in doubt were written to erp before the batch stopped;"
                            + " not written again",
                    "600 records, 600 written, 0 unchanged, 0 rejected (400 in");
            assertThat(erp.patchesByKey()).hasSize(600).allSatisfy((key, n) -> assertThat(n).as(key).isOne());
        }
    }

    /**
     * Killed at a moment of the machine's choosing into an H2 ERP, whose trigger logs every row
     * written in the writing transaction: after the second run every record is there, written
     * once, and the store's ledger holds each write once. The kill comes after a random number
     * of the target's writes (the trigger leaves a file then): mid-chunk or between chunks,
     * however fast the machine runs the batch.
     */
    @Test
    void aBatchKilledAnywhereIntoAJdbcTargetResumesWithoutDuplicates() throws Exception {
        Path home = RunningHost.copyExample(temp.resolve("workspace"));
        BatchWorld.execute(home, "erp", "RUNSCRIPT FROM '" + home.resolve("systems/erp.sql") + "'");
        BatchWorld.execute(home, "erp", "CREATE TABLE write_log (k VARCHAR(64)); CREATE TRIGGER count_writes AFTER INSERT,"
                + " UPDATE ON customers FOR EACH ROW CALL 'dev.steward.host.WriteCounter'");
        int n = 40_000;
        Path input = BatchWorld.customers(temp.resolve("in/customers.csv"), n, 0);
        Path log = temp.resolve("batch.log");

        Path marker = temp.resolve("written");
        int killAfter = java.util.concurrent.ThreadLocalRandom.current().nextInt(2_000, 20_000);
        Process first = batch(List.of("-D" + WriteCounter.MARKER + "=" + marker, "-D" + WriteCounter.AFTER + "=" + killAfter),
                home, input, log, "--chunk", "500");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!Files.exists(marker) && System.nanoTime() < deadline && first.isAlive()) {
            HostProcess.pause(java.time.Duration.ofMillis(5));
        }
        first.destroyForcibly();
        assertThat(first.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(first.exitValue()).as("killed after " + killAfter + " writes, before it finished; " + Files.readString(log)).isEqualTo(137);

        Process second = batch(home, input, log, "--chunk", "500");
        assertThat(second.waitFor(8, TimeUnit.MINUTES)).isTrue();
        String output = Files.readString(log);
        assertThat(second.exitValue()).as(output).isZero();
        assertThat(output).contains("goes on after record", "40,000 records, 40,000 written, 0 unchanged, 0 rejected");
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(*) FROM customers WHERE crm_id LIKE 'K-%'")).isEqualTo(n);
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(*) FROM write_log")).isEqualTo(n);
        assertThat(BatchWorld.count(home, "erp", "SELECT COUNT(DISTINCT k) FROM write_log")).isEqualTo(n);
        // Each record new to Steward is stored once, in one row (its key is the row's key).
        assertThat(BatchWorld.count(home, "steward", "SELECT COUNT(*) FROM batch_records")).isEqualTo(n);
        assertThat(BatchWorld.count(home, "steward", "SELECT COUNT(*) FROM writes")).isZero();
        assertThat(BatchWorld.count(home, "steward", "SELECT COUNT(*) FROM known_values")).isZero();
    }
}
