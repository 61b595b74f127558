package dev.steward.run;

import dev.steward.store.EventStatus;
import dev.steward.store.StoredEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Causes without what varies per event, and failures grouped by flow, system and cause. */
class ErrorReportTest {

    static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");
    static long seq;

    static StoredEvent event(String flow, String key, EventStatus status, String payload, String trace, String error,
                             Instant finished) {
        seq++;
        return new StoredEvent("evt_" + seq, seq, flow, null, "customer", key, payload, status, 1, finished.minusSeconds(1),
                finished, finished, trace, error);
    }

    static StoredEvent rejectedByErp(String key, Instant finished) {
        return event("crm-customer", key, EventStatus.FAILED, "{\"id\":\"" + key + "\",\"phone\":\"+1 555 0100\"}",
                "{\"flow\":\"crm-customer\",\"source\":\"crm\",\"writes\":[{\"system\":\"erp\",\"result\":\"failed\"}]}",
                "erp: erp answered 400 to PATCH /customers/" + key + ": field phone expects a number", finished);
    }

    @Test
    void theKeyTheSystemPrefixAndNumbersGoButTheHttpStatusStays() {
        FailureCause cause = FailureCause.of(rejectedByErp("C-1", T0));

        assertThat(cause.system()).isEqualTo("erp");
        assertThat(cause.cause()).isEqualTo("erp answered 400 to PATCH /customers/{key}: field phone expects a number");
        assertThat(FailureCause.of(rejectedByErp("C 2/x", T0)).cause()).isEqualTo(cause.cause());
    }

    @Test
    void eventIdsTimesUuidsAttemptCountsAndPayloadValuesAreVolatile() {
        assertThat(FailureCause.normalise("gave up after 10 attempts: crm answered 503 at 2025-03-01T09:00:01.123Z"
                + " (request 3f2a1c4e-9b7d-4e21-8a55-0c1d2e3f4a5b, event evt_abc-123) after 1500 ms", "C-1", List.of()))
                .isEqualTo("gave up after {n} attempts: crm answered 503 at {time} (request {id}, event {event}) after {n} ms");
        assertThat(FailureCause.normalise("quarantined, nothing written: email: email 'not-an-email' is not an email address",
                "C-1", List.of("not-an-email"))).isEqualTo(
                "quarantined, nothing written: email: email '{value}' is not an email address");
        assertThat(FailureCause.normalise("x".repeat(400), "C-1", List.of())).hasSize(FailureCause.MAX_LENGTH + 1);
    }

    @Test
    void aQuarantinedRecordIsTheSourceSystems() {
        StoredEvent invalid = event("crm-customer", "C-9", EventStatus.INVALID, "{\"id\":\"C-9\",\"email\":\"nope-at-all\"}",
                "{\"flow\":\"crm-customer\",\"source\":\"crm\",\"writes\":[]}",
                "quarantined, nothing written: email: email 'nope-at-all' is not an email address", T0);

        assertThat(FailureCause.of(invalid)).isEqualTo(new FailureCause("crm",
                "quarantined, nothing written: email: email '{value}' is not an email address"));
        assertThat(FailureCause.of(event("f", "K", EventStatus.FAILED, "{}", null, null, T0)))
                .isEqualTo(new FailureCause(null, "(no error recorded)"));
        assertThat(FailureCause.of(event("f", "K", EventStatus.FAILED, "not json", "not json either",
                "gave up after 4 attempts: erp: erp answered 500 to PATCH /customers/K", T0)))
                .isEqualTo(new FailureCause("erp", "gave up after {n} attempts: erp answered 500 to PATCH /customers/{key}"));
    }

    @Test
    void failuresAreGroupedWithCountsFirstAndLastSeenAndTheNewestSamples() {
        List<StoredEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            events.add(rejectedByErp("C-" + i, T0.plusSeconds(60L * i)));
        }
        StoredEvent limited = event("crm-customer", "C-1", EventStatus.FAILED, "{}", null,
                "gave up after 10 attempts: erp: erp answered 429 to PATCH /customers/C-1", T0.plusSeconds(30));
        StoredEvent otherFlow = rejectedByErp("C-1", T0);
        otherFlow = new StoredEvent("evt_other", 999, "crm-customer-2", null, "customer", "C-1", otherFlow.payload(),
                EventStatus.FAILED, 1, T0, T0, T0, otherFlow.trace(), otherFlow.error());
        events.add(limited);
        events.add(otherFlow);

        List<ErrorReport.Group> groups = ErrorReport.of(events);

        assertThat(groups).hasSize(3);
        ErrorReport.Group biggest = groups.getFirst();
        assertThat(biggest.flow()).isEqualTo("crm-customer");
        assertThat(biggest.system()).isEqualTo("erp");
        assertThat(biggest.status()).isEqualTo("failed");
        assertThat(biggest.count()).isEqualTo(7);
        assertThat(biggest.firstSeen()).isEqualTo(T0);
        assertThat(biggest.lastSeen()).isEqualTo(T0.plusSeconds(360));
        assertThat(biggest.samples()).hasSize(ErrorReport.SAMPLES).startsWith(events.get(6).id(), events.get(5).id());
        assertThat(biggest.lastError()).isEqualTo(events.get(6).error());
        assertThat(groups.get(1).cause()).isEqualTo("gave up after {n} attempts: erp answered 429 to PATCH /customers/{key}");
        assertThat(groups.get(2).flow()).isEqualTo("crm-customer-2");
    }

    @Test
    void theBulkReplayFilterMatchesTheCauseOrTheErrorIgnoringCase() {
        StoredEvent event = rejectedByErp("C-1", T0);

        assertThat(ErrorReport.causeContains(event, "PATCH /customers/{key}: field PHONE")).isTrue();
        assertThat(ErrorReport.causeContains(event, "/customers/C-1")).isTrue();
        assertThat(ErrorReport.causeContains(event, "answered 503")).isFalse();
    }
}
