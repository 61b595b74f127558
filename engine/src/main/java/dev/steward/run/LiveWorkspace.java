package dev.steward.run;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The configuration runs use now, swapped whole when a saved file changes it. A run takes a
 * {@link Lease} when it starts and uses that lease's {@link ActiveWorkspace} to the end, so a
 * swap never changes a run half way; the replaced workspace (its connectors and transforms) is
 * closed when its last lease ends. Thread-safe; lock-free on the run path.
 *
 * <p>Use from the run path, once per run:
 * <pre>{@code
 * try (LiveWorkspace.Lease lease = live.acquire()) {
 *     ActiveWorkspace active = lease.active();
 *     ... run with active ...
 * }
 * }</pre>
 */
public final class LiveWorkspace implements AutoCloseable {

    private final AtomicReference<Generation> current;

    public LiveWorkspace(ActiveWorkspace first, String rulesVersion) {
        this.current = new AtomicReference<>(new Generation(first, rulesVersion));
    }

    /**
     * The workspace now, for a run to hold until its lease is closed. Never blocks; always
     * succeeds (until {@link #close()}).
     */
    public Lease acquire() {
        while (true) {
            Generation generation = current.get();
            if (generation.retain()) {
                return new Lease(generation);
            }
            // lost a race with a swap that released this generation's last reference: read the new one
            if (generation == current.get()) {
                throw new IllegalStateException("the workspace is closed");
            }
        }
    }

    /**
     * The workspace now, without a lease: for a quick look (a flow's settings, the systems) that
     * does not use its connectors. A run must {@link #acquire()} instead.
     */
    public ActiveWorkspace current() {
        return current.get().active;
    }

    /** The content hash of the rules that the current workspace runs (see {@code RulesVersions}). */
    public String rulesVersion() {
        return current.get().rulesVersion;
    }

    /**
     * Makes {@code next} the workspace that new leases get; the one it replaces is closed as
     * soon as the runs that hold it finish (at once when none does).
     */
    public void swap(ActiveWorkspace next, String rulesVersion) {
        Generation old = current.getAndSet(new Generation(next, rulesVersion));
        old.release();
    }

    /** Releases the current workspace: it closes when its last lease ends. */
    @Override
    public void close() {
        current.get().release();
    }

    /** One run's hold on a workspace; close it when the run ends (exactly once). */
    public static final class Lease implements AutoCloseable {

        private final Generation generation;
        private boolean closed;

        private Lease(Generation generation) {
            this.generation = generation;
        }

        public ActiveWorkspace active() {
            return generation.active;
        }

        /** The content hash of this workspace's rules, for the run's trace. */
        public String rulesVersion() {
            return generation.rulesVersion;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                generation.release();
            }
        }
    }

    /** A workspace and how many hold it: the holder itself (1) plus one per lease. */
    private static final class Generation {

        private final ActiveWorkspace active;
        private final String rulesVersion;
        private final AtomicInteger holders = new AtomicInteger(1);

        Generation(ActiveWorkspace active, String rulesVersion) {
            this.active = active;
            this.rulesVersion = rulesVersion;
        }

        boolean retain() {
            while (true) {
                int now = holders.get();
                if (now == 0) {
                    return false;
                }
                if (holders.compareAndSet(now, now + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (holders.decrementAndGet() == 0) {
                active.close();
            }
        }
    }
}
