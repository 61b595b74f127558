package dev.steward.host;

import dev.steward.api.AuditRepair;
import dev.steward.api.AuditReport;
import dev.steward.api.Divergence;
import dev.steward.run.Values;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** An audit report as a terminal table: one row per divergence, then the repairs and a summary line. */
final class AuditText {

    private static final int MAX_CELL = 40;

    private AuditText() {
    }

    static void print(AuditReport report, PrintWriter out) {
        out.printf("audit %s of %s (%s): %d records, %d values compared, %s in %d ms (%d ms CPU)%n", report.id(),
                report.entity(), report.scope(), report.records(), report.comparisons(), String.join(", ", report.fields()),
                report.millis(), report.cpuMillis());
        report.skipped().forEach(s -> out.println("  not compared: " + s));
        if (report.divergences().isEmpty()) {
            out.println("All mastered fields agree.");
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"KEY", "FIELD", "MASTER", "MASTER VALUE", "SUBSCRIBER", "SUBSCRIBER VALUE", "LAST SYNC",
                    "PARTED"});
            for (Divergence d : report.divergences()) {
                rows.add(new String[] {d.key(), d.field(), d.master(), value(d.masterHasRecord(), d.masterValue()),
                        d.subscriber(), value(d.subscriberHasRecord(), d.subscriberValue()), lastSync(d), parted(d)});
            }
            table(rows, out);
            out.printf("%d divergences in %d records.%n", report.divergences().size(),
                    report.divergences().stream().map(Divergence::key).distinct().count());
        }
        if (!report.repairs().isEmpty()) {
            out.println(report.applied() ? "Repairs written:" : "Repairs (dry run; add --apply to write them):");
            for (AuditRepair r : report.repairs()) {
                out.printf("  %s %s -> %s via %s: %s%s%s%n", r.key(), r.master(), String.join(", ", r.targets()),
                        r.flow() == null ? "-" : r.flow(), Values.canonical(Values.toNode(r.fields())),
                        r.eventId() == null ? "" : " event " + r.eventId(),
                        " [" + r.status() + "]" + (r.note() == null ? "" : " " + r.note()));
            }
        }
    }

    static String value(boolean hasRecord, Object value) {
        return hasRecord ? cut(Values.canonical(Values.toNode(value))) : "(no record)";
    }

    static String lastSync(Divergence d) {
        return d.lastSync() == null ? "never" : d.lastSync().at() + " " + d.lastSync().eventId();
    }

    static String parted(Divergence d) {
        return d.parted().outside() ? d.parted().detail() : d.parted().at() + " " + d.parted().eventId() + " ("
                + d.parted().flow() + ")";
    }

    private static String cut(String text) {
        return text.length() <= MAX_CELL ? text : text.substring(0, MAX_CELL - 1) + "…";
    }

    private static void table(List<String[]> rows, PrintWriter out) {
        int[] widths = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
