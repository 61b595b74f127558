package dev.steward.scenario;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario results as JUnit XML (the {@code testsuites} format every CI reads): one suite per
 * scenario file, one test case per scenario, a failure with the differences.
 */
public final class JUnitReport {

    private JUnitReport() {
    }

    public static String xml(List<ScenarioResult> results) {
        Map<String, List<ScenarioResult>> byFile = new LinkedHashMap<>();
        results.forEach(r -> byFile.computeIfAbsent(r.scenario().location().file(), f -> new java.util.ArrayList<>()).add(r));
        StringBuilder out = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        long failures = results.stream().filter(r -> !r.passed()).count();
        out.append("<testsuites name=\"steward test\" tests=\"").append(results.size()).append("\" failures=\"")
                .append(failures).append("\">\n");
        byFile.forEach((file, suite) -> {
            out.append("  <testsuite name=\"").append(escape(file)).append("\" tests=\"").append(suite.size())
                    .append("\" failures=\"").append(suite.stream().filter(r -> !r.passed()).count())
                    .append("\" time=\"").append(seconds(suite.stream().mapToLong(ScenarioResult::nanos).sum())).append("\">\n");
            for (ScenarioResult result : suite) {
                out.append("    <testcase classname=\"").append(escape(file)).append("\" name=\"")
                        .append(escape(result.scenario().name())).append("\" file=\"").append(escape(file))
                        .append("\" line=\"").append(result.scenario().location().line()).append("\" time=\"")
                        .append(seconds(result.nanos())).append('"');
                if (result.passed()) {
                    out.append("/>\n");
                } else {
                    String text = String.join("\n", result.differences());
                    out.append(">\n      <failure message=\"").append(escape(result.differences().getFirst()))
                            .append("\">").append(escape(text)).append("</failure>\n    </testcase>\n");
                }
            }
            out.append("  </testsuite>\n");
        });
        return out.append("</testsuites>\n").toString();
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
    }

    /** XML 1.0 text: the five entities, and control characters XML cannot carry replaced. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c < 0x20 && c != '\n' && c != '\t' && c != '\r' ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }
}
