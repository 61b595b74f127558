package com.example.steward.csv;

import java.util.ArrayList;
import java.util.List;

/** RFC 4180 CSV: commas, double quotes around cells that need them, {@code ""} for a quote. */
final class Csv {

    private Csv() {
    }

    static List<List<String>> parse(String text) {
        List<List<String>> lines = new ArrayList<>();
        List<String> line = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                any = true;
            } else if (c == ',') {
                line.add(cell.toString());
                cell.setLength(0);
                any = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                if (any || !cell.isEmpty()) {
                    line.add(cell.toString());
                    lines.add(line);
                }
                line = new ArrayList<>();
                cell.setLength(0);
                any = false;
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("a quoted cell is not closed");
        }
        if (any || !cell.isEmpty()) {
            line.add(cell.toString());
            lines.add(line);
        }
        return lines;
    }

    static String format(List<List<String>> lines) {
        StringBuilder out = new StringBuilder();
        for (List<String> line : lines) {
            for (int i = 0; i < line.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                String cell = line.get(i);
                if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
                    out.append('"').append(cell.replace("\"", "\"\"")).append('"');
                } else {
                    out.append(cell);
                }
            }
            out.append("\r\n");
        }
        return out.toString();
    }
}
