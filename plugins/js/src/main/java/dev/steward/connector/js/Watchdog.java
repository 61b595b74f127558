package dev.steward.connector.js;

import dev.steward.plugin.ScriptFailedException.Reason;
import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.graalvm.polyglot.Context;

/**
 * Cancels script calls that run past their time or allocation budget. The community edition of
 * GraalVM has no resource limits of its own, so this is the budget: one daemon thread polls the
 * running calls every few milliseconds and closes the context of a call that is over, which
 * makes that call fail at once; the context is thrown away. Thread-safe.
 */
final class Watchdog implements AutoCloseable {

    private static final long TICK_NANOS = 5_000_000;

    private static final com.sun.management.ThreadMXBean THREADS = allocationCounter();

    /** One running call. Its state moves once: from running to finished or to tripped. */
    static final class Guard {
        private static final int RUNNING = 0, FINISHED = 1, TRIPPED = 2;

        private final Context context;
        private final long deadline;
        private final long threadId;
        private final long allocationStart;
        private final long allocationBudget;
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private volatile Reason reason;

        private Guard(Context context, long timeoutNanos, long allocationBudget) {
            this.context = context;
            this.deadline = System.nanoTime() + timeoutNanos;
            this.threadId = Thread.currentThread().threadId();
            this.allocationBudget = THREADS == null ? 0 : allocationBudget;
            this.allocationStart = this.allocationBudget > 0 ? THREADS.getThreadAllocatedBytes(threadId) : 0;
        }

        /**
         * Ends the call; returns null if it ended in time, else why the watchdog cancelled it
         * (its context is then closed or closing and must not be used again).
         */
        Reason finish() {
            return state.compareAndSet(RUNNING, FINISHED) ? null : reason;
        }

        private Reason overBudget(long now) {
            if (now - deadline > 0) {
                return Reason.TIMEOUT;
            }
            if (allocationBudget > 0 && THREADS.getThreadAllocatedBytes(threadId) - allocationStart > allocationBudget) {
                return Reason.MEMORY;
            }
            return null;
        }

        private boolean trip(Reason why) {
            reason = why;
            return state.compareAndSet(RUNNING, TRIPPED);
        }
    }

    private final Set<Guard> running = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean closed;

    Watchdog() {
        thread = Thread.ofPlatform().daemon().name("steward-js-watchdog").start(this::loop);
    }

    /** Starts guarding a call on the current thread; {@link Guard#finish()} must follow. */
    Guard start(Context context, long timeoutNanos, long allocationBudget) {
        Guard guard = new Guard(context, timeoutNanos, allocationBudget);
        running.add(guard);
        return guard;
    }

    void end(Guard guard) {
        running.remove(guard);
    }

    private void loop() {
        while (!closed) {
            LockSupport.parkNanos(TICK_NANOS);
            long now = System.nanoTime();
            for (Guard guard : running) {
                Reason why = guard.overBudget(now);
                if (why != null && guard.trip(why)) {
                    running.remove(guard);
                    // closing waits for the guest to stop; never let that delay the other calls
                    Thread.ofPlatform().daemon().name("steward-js-cancel").start(() -> cancel(guard.context));
                }
            }
        }
    }

    private static void cancel(Context context) {
        try {
            context.close(true);
        } catch (RuntimeException alreadyClosing) {
            // the call failed by itself at the same moment; the context is being closed anyway
        }
    }

    private static com.sun.management.ThreadMXBean allocationCounter() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported()) {
            bean.setThreadAllocatedMemoryEnabled(true);
            return bean;
        }
        return null;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
