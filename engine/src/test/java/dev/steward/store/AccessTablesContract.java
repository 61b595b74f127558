package dev.steward.store;

import dev.steward.model.StoreSettings;
import dev.steward.api.AccessRecords.AuditEntry;
import dev.steward.api.AccessRecords.Token;
import dev.steward.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Users, tokens, sessions and the audit log, on every database the store runs on. */
abstract class AccessTablesContract {

    final MutableClock clock = MutableClock.at("2026-11-28T09:00:00Z");
    private Store store;

    abstract StoreSettings settings();

    Store store() {
        if (store == null) {
            store = Store.open(settings(), clock);
        }
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aUserNameIsTakenOnceAndRemovingAUserEndsItsSessions() {
        Credentials credentials = store().credentials();
        assertThat(credentials.userCount()).isZero();
        assertThat(credentials.addUser("ada", "author", "$2b$12$hash")).isTrue();
        assertThat(credentials.addUser("ada", "viewer", "$2b$12$other")).isFalse();
        assertThat(credentials.user("ada").orElseThrow().role()).isEqualTo("author");
        store().sessions().add("session-hash", "ada", "csrf", clock.instant());
        assertThat(credentials.updateUser("ada", "admin", "$2b$12$new")).isTrue();
        assertThat(store().sessions().find("session-hash")).as("a new password ends the sessions").isEmpty();
        store().sessions().add("session-hash-2", "ada", "csrf", clock.instant());
        assertThat(credentials.removeUser("ada")).isTrue();
        assertThat(store().sessions().find("session-hash-2")).isEmpty();
        assertThat(credentials.users()).isEmpty();
    }

    @Test
    void aTokenIsFoundByItsHashUntilRevokedAndItsNameIsFreeAgainAfterwards() {
        Credentials credentials = store().credentials();
        assertThat(credentials.addToken("tok_1", "ci", "operator", "hash-1", "user:ada")).isTrue();
        assertThat(credentials.addToken("tok_2", "ci", "viewer", "hash-2", "user:ada")).as("a live token has the name").isFalse();
        Token found = credentials.liveToken("hash-1").orElseThrow();
        assertThat(found.lastUsedAt()).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        credentials.touchToken("tok_1");
        assertThat(credentials.liveToken("hash-1").orElseThrow().lastUsedAt()).contains(clock.instant());
        assertThat(credentials.revokeToken("ci").orElseThrow().revokedAt()).contains(clock.instant());
        assertThat(credentials.liveToken("hash-1")).isEmpty();
        assertThat(credentials.revokeToken("tok_1")).isEmpty();
        assertThat(credentials.addToken("tok_3", "ci", "viewer", "hash-3", "user:ada")).isTrue();
        assertThat(credentials.tokens()).extracting(Token::id).containsExactlyInAnyOrder("tok_1", "tok_3");
    }

    @Test
    void sessionsKeepTheirTimesAndExpiredOnesAreRemoved() {
        Sessions sessions = store().sessions();
        Instant start = clock.instant();
        sessions.add("old", "ada", "csrf-1", start);
        sessions.add("busy", "ada", "csrf-2", start);
        sessions.touch("busy", start.plus(Duration.ofMinutes(40)));
        assertThat(sessions.find("busy").orElseThrow().lastSeenAt()).isEqualTo(start.plus(Duration.ofMinutes(40)));
        assertThat(sessions.removeExpired(start.plus(Duration.ofMinutes(10)), start.minus(Duration.ofHours(1)))).isEqualTo(1);
        assertThat(sessions.find("old")).isEmpty();
        assertThat(sessions.find("busy").orElseThrow().csrfToken()).isEqualTo("csrf-2");
        sessions.remove("busy");
        assertThat(sessions.find("busy")).isEmpty();
    }

    @Test
    void theAuditLogListsTheNewestFirst() {
        AuditLog log = store().auditLog();
        AuditEntry first = log.append("user:ada", "replay", "evt_1", "a".repeat(64), "b".repeat(64), null);
        clock.advance(Duration.ofSeconds(1));
        log.append("token:ci", "token-create", "grafana", null, null, "x".repeat(3000));
        List<AuditEntry> recent = log.recent(10);
        assertThat(recent).extracting(AuditEntry::action).containsExactly("token-create", "replay");
        assertThat(recent.get(1).seq()).isEqualTo(first.seq());
        assertThat(recent.get(1).beforeHash()).isEqualTo("a".repeat(64));
        assertThat(recent.get(0).detail()).hasSize(2000);
        assertThat(log.recent(1)).hasSize(1);
    }
}
