package dev.steward.store;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a run's later checks see of its own writes. */
class RunEffectsTest {

    @Test
    void aFieldsHistoryIsTheStatesThenTheRunsOwnWritesToThatSystemInOrder() {
        RecordState state = new RecordState(new RecordKey("customer", "C-1"));
        state.addHistory("erp", "email", "\"a@b.c\"");
        RunEffects run = new RunEffects(state, "evt_1");

        assertThat(run.writtenSince("erp", "email")).containsExactly("\"a@b.c\"");
        run.written("erp", Map.of("email", "\"b@b.c\"", "phone", "\"1\""), null, Instant.EPOCH);
        run.written("crm", Map.of("email", "\"x@b.c\""), null, Instant.EPOCH);
        run.written("erp", Map.of("email", "\"a@b.c\""), null, Instant.EPOCH);

        assertThat(run.writtenSince("erp", "email")).containsExactly("\"a@b.c\"", "\"b@b.c\"", "\"a@b.c\"");
        assertThat(run.writtenSince("erp", "phone")).containsExactly("\"1\"");
        assertThat(run.writtenSince("crm", "email")).containsExactly("\"x@b.c\"");
        assertThat(run.writtenSince("crm", "phone")).isEmpty();
        // The state itself keeps what the store had: the run's writes are committed with its outcome.
        assertThat(state.writtenSince("erp", "email")).isEqualTo(List.of("\"a@b.c\""));
    }
}
