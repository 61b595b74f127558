package dev.steward.model;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleTriggerTest {

    private static Instant at(String text) {
        return Instant.parse(text);
    }

    @Test
    void fiveFieldsAreCrontabsMinutes() {
        ScheduleTrigger nightly = new ScheduleTrigger("0 2 * * *", ZoneOffset.UTC);
        assertThat(nightly.nextAfter(at("2026-03-01T01:59:59Z"))).contains(at("2026-03-01T02:00:00Z"));
        assertThat(nightly.nextAfter(at("2026-03-01T02:00:00Z"))).contains(at("2026-03-02T02:00:00Z"));
        assertThat(nightly.latestUpTo(at("2026-03-01T02:00:00Z"))).contains(at("2026-03-01T02:00:00Z"));
        assertThat(nightly.latestUpTo(at("2026-03-02T02:00:01Z"))).contains(at("2026-03-02T02:00:00Z"));
        assertThat(nightly.latestUpTo(at("2026-03-05T01:00:00Z"))).contains(at("2026-03-04T02:00:00Z"));
    }

    @Test
    void sixFieldsHaveSecondsFirst() {
        ScheduleTrigger everyTenSeconds = new ScheduleTrigger("*/10 * * * * *", ZoneOffset.UTC);
        assertThat(everyTenSeconds.nextAfter(at("2026-03-01T00:00:01Z"))).contains(at("2026-03-01T00:00:10Z"));
        assertThat(everyTenSeconds.latestUpTo(at("2026-03-01T00:00:19.5Z"))).contains(at("2026-03-01T00:00:10Z"));
    }

    @Test
    void theZoneDecidesWhenTwoOClockIs() {
        ScheduleTrigger paris = new ScheduleTrigger("0 2 * * *", ZoneId.of("Europe/Paris"));
        assertThat(paris.nextAfter(at("2026-01-10T00:00:00Z"))).contains(at("2026-01-10T01:00:00Z"));
    }

    @Test
    void aWrongExpressionSaysWhy() {
        assertThatThrownBy(() -> ScheduleTrigger.parse("0 2 * *")).hasMessageContaining("4 fields");
        assertThatThrownBy(() -> ScheduleTrigger.parse("0 25 * * *")).isInstanceOf(IllegalArgumentException.class);
    }
}
