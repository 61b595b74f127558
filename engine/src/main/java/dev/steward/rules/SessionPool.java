package dev.steward.rules;

import org.kie.api.KieBase;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.KieSessionsPool;

/**
 * The KieSessions that decide with one KieBase, reused from run to run: making a session (its
 * node memories, agenda, entry points) was half of what Drools cost a run. Sessions come from
 * Drools' own pool ({@link KieBase#newKieSessionsPool}); {@link KieSession#dispose()} on one
 * resets it (facts, agenda, globals, event listeners, fact handle counters, the initial fact) and
 * hands it back, so a run never sees anything of the run before it.
 *
 * <p>Thread-safe; a session taken is used by one thread until it is disposed. The pool grows to
 * the largest number of runs deciding at once and keeps that many sessions for the KieBase's
 * life. It is made on the first decision, not at compilation, so a rule set that never decides
 * (a validation, a preview of another flow) costs nothing.
 */
final class SessionPool {

    private final KieBase kieBase;
    private volatile KieSessionsPool pool;

    SessionPool(KieBase kieBase) {
        this.kieBase = kieBase;
    }

    /** A clean session; {@code dispose()} (or {@code close()}) gives it back. */
    KieSession take() {
        KieSessionsPool sessions = pool;
        return (sessions != null ? sessions : start()).newKieSession();
    }

    private synchronized KieSessionsPool start() {
        if (pool == null) {
            // An initial size of 0 makes no session up front. Drools' pool creates its overflow
            // queue on the first take without a lock; one take and give-back here, under this
            // lock, creates it before another thread can race it.
            KieSessionsPool sessions = kieBase.newKieSessionsPool(0);
            sessions.newKieSession().dispose();
            pool = sessions;
        }
        return pool;
    }
}
