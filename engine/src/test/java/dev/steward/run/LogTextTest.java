package dev.steward.run;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Outside values in log lines: control characters and line separators escaped, the rest as is. */
class LogTextTest {

    @Test
    void controlCharactersAndLineSeparatorsAreEscaped() {
        assertThat(LogText.of("C-1\r\n12:00 INFO forged\tline")).isEqualTo("C-1\\r\\n12:00 INFO forged\\tline");
        assertThat(LogText.of("\u001b[31mred\u0000\u2028\u0085")).isEqualTo("\\u001b[31mred\\u0000\\u2028\\u0085");
    }

    @Test
    void ordinaryTextIsLeftAlone() {
        String text = "Zoë's key: C-1001 / 東京";
        assertThat(LogText.of(text)).isSameAs(text);
        assertThat(LogText.of(null)).isEqualTo("null");
    }
}
