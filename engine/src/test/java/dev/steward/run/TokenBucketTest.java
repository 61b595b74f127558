package dev.steward.run;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TokenBucketTest {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aBurstGoesAtOnceThenCallersAreGivenSpreadOutSlots() {
        TestClock clock = new TestClock();
        TokenBucket bucket = new TokenBucket(10, 2, clock);

        assertThat(bucket.tryTake()).isEmpty();
        assertThat(bucket.tryTake()).isEmpty();
        assertThat(bucket.tryTake()).contains(Duration.ofMillis(100));
        assertThat(bucket.tryTake()).contains(Duration.ofMillis(200));
        assertThat(bucket.tryTake()).contains(Duration.ofMillis(300));

        clock.now = clock.now.plusMillis(100);
        assertThat(bucket.tryTake()).isEmpty();
        assertThat(bucket.tryTake()).isPresent();
    }

    @Test
    void tokensRefillUpToTheBurst() {
        TestClock clock = new TestClock();
        TokenBucket bucket = new TokenBucket(10, 3, clock);
        for (int i = 0; i < 3; i++) {
            assertThat(bucket.tryTake()).isEmpty();
        }
        clock.now = clock.now.plusSeconds(60);
        for (int i = 0; i < 3; i++) {
            assertThat(bucket.tryTake()).isEmpty();
        }
        assertThat(bucket.tryTake()).isEqualTo(Optional.of(Duration.ofMillis(100)));
    }
}
