package dev.steward.host.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@code maxFailures} wrong passwords for one user name, or from
 * one address, sign-in for it is refused for {@code lockout} (before any password is checked).
 * Kept in memory, per host: a restart forgets it, which only gives a guesser a few more tries.
 * Thread-safe.
 */
final class LoginBrake {

    private record Failures(int count, Instant last) {
    }

    private final Clock clock;
    private final int maxFailures;
    private final Duration lockout;
    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

    LoginBrake(Clock clock, int maxFailures, Duration lockout) {
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.lockout = lockout;
    }

    /** How long the user or the address still waits, or empty when it may try. */
    Optional<Duration> locked(String user, String address) {
        Instant now = clock.instant();
        Duration wait = Duration.ZERO;
        for (String key : new String[] {"user:" + user, "address:" + address}) {
            Failures f = failures.get(key);
            if (f == null) {
                continue;
            }
            Instant until = f.last().plus(lockout);
            if (!now.isBefore(until)) {
                failures.remove(key, f);
            } else if (f.count() >= maxFailures) {
                Duration left = Duration.between(now, until);
                wait = left.compareTo(wait) > 0 ? left : wait;
            }
        }
        return wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    /** Counts a wrong password; true when this failure locks the user or the address. */
    boolean failed(String user, String address) {
        Instant now = clock.instant();
        boolean locks = false;
        for (String key : new String[] {"user:" + user, "address:" + address}) {
            Failures f = failures.merge(key, new Failures(1, now), (old, one) ->
                    now.isBefore(old.last().plus(lockout)) ? new Failures(old.count() + 1, now) : one);
            locks |= f.count() == maxFailures;
        }
        if (failures.size() > 100_000) {
            failures.clear(); // a flood of made-up names must not exhaust memory; the brake restarts
        }
        return locks;
    }

    void succeeded(String user, String address) {
        failures.remove("user:" + user);
        failures.remove("address:" + address);
    }
}
