package dev.steward;

import dev.steward.api.AttemptRecord;
import dev.steward.api.ErrorSummary;
import dev.steward.api.EventRecord;
import dev.steward.api.HoldRecord;
import dev.steward.run.ErrorReport;
import dev.steward.run.FailureCause;
import dev.steward.run.Values;
import dev.steward.store.Attempt;
import dev.steward.store.Hold;
import dev.steward.store.StoredEvent;

import java.util.List;
import java.util.Locale;

/** Turns the store's rows into the records the engine answers with. */
final class Views {

    private Views() {
    }

    /** An event; with its payload and trace when {@code full}, with its failure's cause when {@code withCause}. */
    static EventRecord event(StoredEvent e, boolean full, boolean withCause) {
        FailureCause cause = withCause ? FailureCause.of(e) : null;
        return new EventRecord(e.id(), e.flowId(), e.entity(), e.key(), e.status().name().toLowerCase(Locale.ROOT),
                e.attempts(), e.deliveryId(), e.receivedAt(), e.finishedAt(), e.error(),
                cause == null ? null : cause.system(), cause == null ? null : cause.cause(),
                full ? Values.parse(e.payload()) : null, full && e.trace() != null ? Values.parse(e.trace()) : null);
    }

    static AttemptRecord attempt(Attempt a) {
        return new AttemptRecord(a.number(), a.startedAt(), a.finishedAt(), a.outcome(), a.error());
    }

    static HoldRecord hold(Hold h) {
        return new HoldRecord(h.entity(), h.key(), h.field(), h.since(), h.reason(), Values.parse(h.history()));
    }

    static ErrorSummary errors(List<StoredEvent> events, int scan) {
        List<ErrorSummary.Group> groups = ErrorReport.of(events).stream().map(g -> new ErrorSummary.Group(g.flow(),
                g.system(), g.status(), g.cause(), g.count(), g.firstSeen(), g.lastSeen(), g.samples(), g.lastError()))
                .toList();
        return new ErrorSummary(groups, events.size(), events.size() == scan);
    }
}
