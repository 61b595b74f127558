package dev.steward.store;

import org.junit.jupiter.api.Test;

import java.sql.BatchUpdateException;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which failures of an intake batch make the committer store its events one by one: a bad row
 * (so that the others are stored), and two hosts' batches waiting for each other's delivery ids
 * (so that neither fails its webhooks with 503).
 */
class IntakeFailuresTest {

    @Test
    void deadlocksAndLockTimeoutsAreContentionButOtherFailuresAreNot() {
        assertThat(IntakeCommitter.isContention(new SQLException("deadlock detected", "40P01"))).isTrue();
        assertThat(IntakeCommitter.isContention(new SQLException("could not serialize", "40001"))).isTrue();
        SQLException h2Timeout = new SQLException("Timeout trying to lock table {0}", "HYT00", 50200);
        BatchUpdateException batch = new BatchUpdateException("batch failed", null, 50200, new int[0], h2Timeout);
        batch.setNextException(h2Timeout);
        assertThat(IntakeCommitter.isContention(batch)).isTrue();

        assertThat(IntakeCommitter.isContention(new SQLException("connection refused", "08001"))).isFalse();
        assertThat(IntakeCommitter.isContention(new SQLException("duplicate key", "23505"))).isFalse();
        assertThat(IntakeCommitter.isBadRow(new SQLException("duplicate key", "23505"))).isTrue();
        assertThat(IntakeCommitter.isContention(new IllegalStateException("not SQL"))).isFalse();
    }
}
