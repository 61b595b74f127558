package dev.steward.run;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClaimOwnersTest {

    private static final String SELF = "box/" + ProcessHandle.current().pid();

    @Test
    void aDeadProcessOfThisHostIsDead() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();

        assertThat(ClaimOwners.deadOnThisHost("box/" + finished.pid(), SELF)).isTrue();
    }

    @Test
    void aLiveProcessOfThisHostIsNot() {
        long parent = ProcessHandle.current().parent().orElseThrow().pid();

        assertThat(ClaimOwners.deadOnThisHost("box/" + parent, SELF)).isFalse();
    }

    @Test
    void ownClaimsAtStartAreLeftovers() {
        assertThat(ClaimOwners.deadOnThisHost(SELF, SELF)).isTrue();
    }

    @Test
    void anotherHostsClaimsAreNeverJudged() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();

        assertThat(ClaimOwners.deadOnThisHost("other/" + finished.pid(), SELF)).isFalse();
        assertThat(ClaimOwners.deadOnThisHost("test-host", "test-host-2")).isFalse();
        assertThat(ClaimOwners.deadOnThisHost("box/not-a-pid", SELF)).isFalse();
    }
}
