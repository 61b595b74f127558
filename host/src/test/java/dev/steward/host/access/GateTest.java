package dev.steward.host.access;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GateTest {

    @Test
    void theHostHeadersNameIsReadWithoutItsPort() {
        assertThat(Gate.hostName("localhost:8080")).isEqualTo("localhost");
        assertThat(Gate.hostName("steward.example.com")).isEqualTo("steward.example.com");
        assertThat(Gate.hostName("[::1]:8080")).isEqualTo("[::1]");
        assertThat(Gate.hostName("[::1]")).isEqualTo("[::1]");
    }

    @Test
    void signInRedirectsStayOnThisHost() {
        assertThat(LoginRoutes.safeNext("/editor/")).isEqualTo("/editor/");
        assertThat(LoginRoutes.safeNext("//evil.example/")).isEqualTo("/editor/");
        assertThat(LoginRoutes.safeNext("https://evil.example/")).isEqualTo("/editor/");
        assertThat(LoginRoutes.safeNext("/\\evil.example")).isEqualTo("/editor/");
        assertThat(LoginRoutes.safeNext(null)).isEqualTo("/editor/");
    }

    @Test
    void rolesIncludeTheOnesBefore() {
        assertThat(Role.ADMIN.includes(Role.VIEWER)).isTrue();
        assertThat(Role.OPERATOR.includes(Role.OPERATOR)).isTrue();
        assertThat(Role.OPERATOR.includes(Role.AUTHOR)).isFalse();
        assertThat(Role.parse(" Developer ")).contains(Role.DEVELOPER);
        assertThat(Role.parse("root")).isEmpty();
    }
}
