package dev.steward.host.access;

import dev.steward.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LoginBrakeTest {

    private final MutableClock clock = MutableClock.at("2026-11-28T10:00:00Z");
    private final LoginBrake brake = new LoginBrake(clock, 3, Duration.ofMinutes(15));

    @Test
    void theThirdWrongPasswordLocksTheUserForTheLockoutCountedFromTheLastFailure() {
        assertThat(brake.failed("ada", "10.0.0.1")).isFalse();
        clock.advance(Duration.ofMinutes(5));
        assertThat(brake.failed("ada", "10.0.0.2")).isFalse();
        assertThat(brake.locked("ada", "10.0.0.3")).isEmpty();
        assertThat(brake.failed("ada", "10.0.0.3")).isTrue();
        assertThat(brake.locked("ada", "10.0.0.9")).contains(Duration.ofMinutes(15));
        assertThat(brake.locked("bob", "10.0.0.9")).as("another user elsewhere").isEmpty();
        clock.advance(Duration.ofMinutes(14));
        assertThat(brake.locked("ada", "10.0.0.9")).contains(Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(1));
        assertThat(brake.locked("ada", "10.0.0.9")).isEmpty();
    }

    @Test
    void failuresSpreadOverManyNamesLockTheAddress() {
        brake.failed("a", "10.0.0.1");
        brake.failed("b", "10.0.0.1");
        assertThat(brake.failed("c", "10.0.0.1")).isTrue();
        assertThat(brake.locked("ada", "10.0.0.1")).isPresent();
        assertThat(brake.locked("ada", "10.0.0.2")).isEmpty();
    }

    @Test
    void failuresOlderThanTheLockoutAreForgottenAndASuccessClearsThem() {
        brake.failed("ada", "10.0.0.1");
        brake.failed("ada", "10.0.0.1");
        clock.advance(Duration.ofMinutes(16));
        assertThat(brake.failed("ada", "10.0.0.1")).as("counting starts again").isFalse();
        brake.failed("ada", "10.0.0.1");
        brake.succeeded("ada", "10.0.0.1");
        assertThat(brake.failed("ada", "10.0.0.1")).isFalse();
        assertThat(brake.locked("ada", "10.0.0.1")).isEmpty();
    }
}
