package dev.steward.run;

import java.util.Optional;

/**
 * Which claim owners are earlier, dead processes of this very host. A worker id reads
 * {@code hostname/pid}; a host that was killed leaves its RUNNING events leased to its old id,
 * and without this a restarted host would wait for those leases to expire ({@code store.lease})
 * before it ran its own events again. Only owners with this host's name are ever judged: with a shared
 * PostgreSQL store, other hosts' claims are left to their leases. Stateless and thread-safe.
 */
public final class ClaimOwners {

    private ClaimOwners() {
    }

    /**
     * True when {@code owner} is a process of the same host as {@code self} that no longer runs,
     * or is {@code self} itself (a restarted container often gets the same pid again, and a host
     * that has not started its workers yet holds no claim of its own). A pid reused by some
     * other live process is taken for alive: those claims then wait for their lease, as before.
     */
    public static boolean deadOnThisHost(String owner, String self) {
        if (owner == null || owner.equals(self)) {
            return owner != null;
        }
        Optional<String> host = hostOf(self);
        if (host.isEmpty() || !hostOf(owner).equals(host)) {
            return false;
        }
        try {
            long pid = Long.parseLong(owner.substring(owner.lastIndexOf('/') + 1));
            return ProcessHandle.of(pid).map(process -> !process.isAlive()).orElse(true);
        } catch (NumberFormatException notAPid) {
            return false;
        }
    }

    private static Optional<String> hostOf(String workerId) {
        int slash = workerId.lastIndexOf('/');
        return slash > 0 ? Optional.of(workerId.substring(0, slash)) : Optional.empty();
    }
}
