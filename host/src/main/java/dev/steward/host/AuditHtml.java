package dev.steward.host;

import dev.steward.api.AuditRepair;
import dev.steward.api.AuditReport;
import dev.steward.api.Divergence;
import dev.steward.run.Values;

import java.util.List;
import java.util.TreeSet;

/**
 * Audit reports as one self-contained HTML page (no external files): a table per entity, rows
 * filterable by text, field and how the values parted, with a few lines of inline JavaScript.
 * Every value is HTML-escaped: record values come from the systems, not from Steward.
 */
final class AuditHtml {

    private AuditHtml() {
    }

    static String page(List<AuditReport> reports) {
        StringBuilder html = new StringBuilder(4096);
        html.append("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>Steward audit</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <style>
                body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
                h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
                table{border-collapse:collapse;width:100%;margin:.5em 0}
                th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
                th{background:#f0f0f0}td.v{font-family:ui-monospace,monospace;word-break:break-all}
                tr.outside td.p{color:#a40}.ok{color:#070}.bad{color:#a00}
                .bar{display:flex;gap:.8em;align-items:center;flex-wrap:wrap}.muted{color:#666}
                </style></head><body>
                <h1>Steward audit</h1>
                <div class="bar"><label>Filter <input id="q" type="search" placeholder="key, value, system..."></label>
                <label>Field <select id="field"><option value="">all</option>""");
        TreeSet<String> fields = new TreeSet<>();
        reports.forEach(r -> r.divergences().forEach(d -> fields.add(d.field())));
        fields.forEach(f -> html.append("<option>").append(esc(f)).append("</option>"));
        html.append("""
                </select></label>
                <label><input id="outside" type="checkbox"> changed outside Steward only</label>
                <span id="shown" class="muted"></span></div>
                """);
        for (AuditReport report : reports) {
            entity(report, html);
        }
        html.append("""
                <script>
                (function(){
                  var q=document.getElementById('q'),f=document.getElementById('field'),o=document.getElementById('outside');
                  function apply(){
                    var text=q.value.toLowerCase(),field=f.value,only=o.checked,shown=0;
                    document.querySelectorAll('tr.d').forEach(function(row){
                      var show=(!text||row.textContent.toLowerCase().indexOf(text)>=0)
                        &&(!field||row.dataset.field===field)&&(!only||row.classList.contains('outside'));
                      row.style.display=show?'':'none';if(show){shown++;}
                    });
                    document.getElementById('shown').textContent=shown+' shown';
                  }
                  q.addEventListener('input',apply);f.addEventListener('change',apply);o.addEventListener('change',apply);apply();
                })();
                </script>
                </body></html>
                """);
        return html.toString();
    }

    private static void entity(AuditReport report, StringBuilder html) {
        html.append("<h2>").append(esc(report.entity())).append("</h2>\n<p>");
        html.append(esc("Audit " + report.id() + ", " + report.scope() + ": " + report.records() + " records, "
                + report.comparisons() + " values compared (" + String.join("; ", report.fields()) + "), started "
                + report.startedAt() + ", " + report.millis() + " ms. "));
        html.append(report.agrees() ? "<span class=\"ok\">All mastered fields agree.</span>"
                : "<span class=\"bad\">" + report.divergences().size() + " divergences.</span>");
        html.append("</p>\n");
        for (String skipped : report.skipped()) {
            html.append("<p class=\"muted\">Not compared: ").append(esc(skipped)).append("</p>\n");
        }
        if (!report.divergences().isEmpty()) {
            html.append("<table><thead><tr><th>Key</th><th>Field</th><th>Master</th><th>Master value</th><th>Subscriber</th>"
                    + "<th>Subscriber value</th><th>Last sync</th><th>Parted</th></tr></thead><tbody>\n");
            for (Divergence d : report.divergences()) {
                html.append("<tr class=\"d").append(d.parted().outside() ? " outside" : "").append("\" data-field=\"")
                        .append(esc(d.field())).append("\"><td>").append(esc(d.key())).append("</td><td>")
                        .append(esc(d.field())).append("</td><td>").append(esc(d.master())).append("</td><td class=\"v\">")
                        .append(esc(AuditText.value(d.masterHasRecord(), d.masterValue()))).append("</td><td>")
                        .append(esc(d.subscriber())).append("</td><td class=\"v\">")
                        .append(esc(AuditText.value(d.subscriberHasRecord(), d.subscriberValue()))).append("</td><td>")
                        .append(esc(d.lastSync() == null ? "never" : d.lastSync().at() + " (event " + d.lastSync().eventId()
                                + ", wrote " + Values.canonical(Values.toNode(d.lastSync().value())) + ")"))
                        .append("</td><td class=\"p\">")
                        .append(esc(d.parted().outside() ? d.parted().detail() : d.parted().at() + " event "
                                + d.parted().eventId() + " (" + d.parted().flow() + "): " + d.parted().detail()))
                        .append("</td></tr>\n");
            }
            html.append("</tbody></table>\n");
        }
        if (!report.repairs().isEmpty()) {
            html.append("<h3>").append(report.applied() ? "Repairs written" : "Repairs (dry run)").append("</h3><table><thead>"
                    + "<tr><th>Key</th><th>Master</th><th>Targets</th><th>Flow</th><th>Values</th><th>Event</th>"
                    + "<th>Status</th></tr></thead><tbody>\n");
            for (AuditRepair r : report.repairs()) {
                html.append("<tr><td>").append(esc(r.key())).append("</td><td>").append(esc(r.master())).append("</td><td>")
                        .append(esc(String.join(", ", r.targets()))).append("</td><td>").append(esc(String.valueOf(r.flow())))
                        .append("</td><td class=\"v\">").append(esc(Values.canonical(Values.toNode(r.fields()))))
                        .append("</td><td>").append(esc(r.eventId() == null ? "" : r.eventId())).append("</td><td>")
                        .append(esc(r.status() + (r.note() == null ? "" : ": " + r.note()))).append("</td></tr>\n");
            }
            html.append("</tbody></table>\n");
        }
    }

    static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
