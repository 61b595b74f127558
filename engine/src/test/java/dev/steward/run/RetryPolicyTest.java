package dev.steward.run;

import dev.steward.model.RetrySettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class RetryPolicyTest {

    private static final Instant ARRIVED = Instant.parse("2025-01-01T00:00:00Z");
    private final RetryPolicy policy = new RetryPolicy(10, Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofHours(1));

    @Test
    void backoffIsFullJitterUnderADoublingCeilingUpToTheCap() {
        SplittableRandom random = new SplittableRandom(3);
        for (int attempt = 1; attempt <= 12; attempt++) {
            long ceiling = Math.min(2000L << (attempt - 1), 60_000);
            for (int i = 0; i < 200; i++) {
                assertThat(policy.delay(attempt, Optional.empty(), random).toMillis()).isBetween(0L, ceiling);
            }
        }
    }

    @Test
    void retryAfterIsAFloor() {
        Duration delay = policy.delay(1, Optional.of(Duration.ofSeconds(30)), new SplittableRandom(1));
        assertThat(delay).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void pastMaxAttemptsItGivesUp() {
        var next = policy.afterFailure(10, ARRIVED, ARRIVED.plusSeconds(5), Optional.empty(), new SplittableRandom(1));
        assertThat(next).isEqualTo(new RetryPolicy.Next.GiveUp("gave up after 10 attempts"));
    }

    @Test
    void theLastRetryIsCutToTheHorizonAndPastItItGivesUp() {
        Instant late = ARRIVED.plus(Duration.ofMinutes(59)).plusSeconds(59);
        var next = policy.afterFailure(9, ARRIVED, late, Optional.empty(), new SplittableRandom(1));
        assertThat(next).isInstanceOfSatisfying(RetryPolicy.Next.RunAt.class,
                at -> assertThat(at.at()).isBeforeOrEqualTo(ARRIVED.plus(Duration.ofHours(1))));

        var after = policy.afterFailure(3, ARRIVED, ARRIVED.plus(Duration.ofHours(1)), Optional.empty(), new SplittableRandom(1));
        assertThat(after).isInstanceOfSatisfying(RetryPolicy.Next.GiveUp.class,
                g -> assertThat(g.why()).contains("retry horizon of 1h"));
    }

    @Test
    void aRetryAfterPastTheHorizonGivesUpRatherThanCallingSooner() {
        var next = policy.afterFailure(1, ARRIVED, ARRIVED.plus(Duration.ofMinutes(50)), Optional.of(Duration.ofMinutes(20)),
                new SplittableRandom(1));
        assertThat(next).isInstanceOfSatisfying(RetryPolicy.Next.GiveUp.class,
                g -> assertThat(g.why()).contains("asked to wait 20m"));
    }

    @Test
    void aDeferralWaitsAtLeastItsDelayWithinTheHorizon() {
        Instant now = ARRIVED.plusSeconds(10);
        var next = policy.afterDeferral(Duration.ofMillis(400), false, 0, ARRIVED, now, new SplittableRandom(1));
        assertThat(next).isInstanceOfSatisfying(RetryPolicy.Next.RunAt.class, at -> assertThat(at.at())
                .isBetween(now.plusMillis(400), now.plusMillis(500)));
        assertThat(policy.afterDeferral(Duration.ofHours(2), false, 0, ARRIVED, now, new SplittableRandom(1)))
                .isInstanceOf(RetryPolicy.Next.GiveUp.class);
        assertThat(policy.afterDeferral(Duration.ofMillis(100), true, 0, ARRIVED, ARRIVED.plus(Duration.ofDays(2)),
                new SplittableRandom(1))).as("the local rate limit is not held to the horizon")
                .isInstanceOf(RetryPolicy.Next.RunAt.class);
    }

    @Test
    void aRetryBlockOverridesOnlyWhatItSays() {
        RetryPolicy step = policy.with(new RetrySettings(Optional.of(3), Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(step).isEqualTo(new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofHours(1)));
    }
}
