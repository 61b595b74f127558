package dev.steward.connector.dynamics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OData {@code $batch} request with one change set (Dataverse applies a change set in one
 * transaction: all of its requests or none), and the parts of its answer. Dataverse answers a
 * change set that failed with the failing request's answer alone. Immutable once built.
 */
final class ODataBatch {

    /** Dataverse takes at most this many requests in one batch. */
    static final int MAX_REQUESTS = 1000;

    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?", Pattern.CASE_INSENSITIVE);
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3})[^\\r\\n]*");

    /** One request of the change set. */
    record Request(String method, String url, Map<String, String> headers, String json) {
    }

    /** One answer of the change set, with the Content-ID of its request (1-based), 0 if none. */
    record Part(int contentId, int status, Map<String, String> headers, String body) {
    }

    private final String batch = "batch_" + UUID.randomUUID();
    private final String changeset = "changeset_" + UUID.randomUUID();
    private final List<Request> requests;

    ODataBatch(List<Request> requests) {
        this.requests = List.copyOf(requests);
    }

    /** The body's content type, with its boundary. */
    String contentType() {
        return "multipart/mixed; boundary=" + batch;
    }

    String body() {
        StringBuilder body = new StringBuilder();
        body.append("--").append(batch).append("\r\n")
                .append("Content-Type: multipart/mixed; boundary=").append(changeset).append("\r\n\r\n");
        int id = 1;
        for (Request request : requests) {
            body.append("--").append(changeset).append("\r\n")
                    .append("Content-Type: application/http\r\n")
                    .append("Content-Transfer-Encoding: binary\r\n")
                    .append("Content-ID: ").append(id++).append("\r\n\r\n")
                    .append(request.method()).append(' ').append(request.url()).append(" HTTP/1.1\r\n")
                    .append("Content-Type: application/json\r\n");
            request.headers().forEach((name, value) -> body.append(name).append(": ").append(value).append("\r\n"));
            body.append("\r\n").append(request.json()).append("\r\n");
        }
        body.append("--").append(changeset).append("--\r\n");
        body.append("--").append(batch).append("--\r\n");
        return body.toString();
    }

    /**
     * The answers in a {@code $batch} response body.
     *
     * @throws IllegalArgumentException when the body is not a multipart answer
     */
    static List<Part> parse(String contentType, String body) {
        List<Part> parts = new ArrayList<>();
        collect(boundary(contentType), body, parts);
        return parts;
    }

    private static String boundary(String contentType) {
        Matcher boundary = BOUNDARY.matcher(contentType == null ? "" : contentType);
        if (!boundary.find()) {
            throw new IllegalArgumentException("a $batch answer without a multipart boundary: " + contentType);
        }
        return boundary.group(1);
    }

    private static void collect(String boundary, String body, List<Part> parts) {
        String[] pieces = body.split(Pattern.quote("--" + boundary));
        for (int i = 1; i < pieces.length; i++) {
            String piece = pieces[i];
            if (piece.startsWith("--")) {
                break;
            }
            piece = piece.replaceFirst("^\\r?\\n", "");
            int split = blankLine(piece);
            if (split < 0) {
                continue;
            }
            Map<String, String> headers = headers(piece.substring(0, split));
            String content = piece.substring(split).replaceFirst("^(\\r?\\n){2}", "");
            String type = headers.getOrDefault("content-type", "");
            if (type.toLowerCase(Locale.ROOT).startsWith("multipart/mixed")) {
                collect(boundary(type), content, parts);
                continue;
            }
            Matcher status = STATUS.matcher(content);
            if (!status.lookingAt()) {
                throw new IllegalArgumentException("a $batch part without an HTTP status line");
            }
            String rest = content.substring(status.end()).replaceFirst("^\\r?\\n", "");
            int end = blankLine(rest);
            Map<String, String> answerHeaders = end < 0 ? Map.of() : headers(rest.substring(0, end));
            String answerBody = end < 0 ? "" : rest.substring(end).replaceFirst("^(\\r?\\n){2}", "").trim();
            int contentId = Optional.ofNullable(headers.get("content-id")).map(String::trim)
                    .filter(v -> v.matches("\\d+")).map(Integer::parseInt).orElse(0);
            parts.add(new Part(contentId, Integer.parseInt(status.group(1)), answerHeaders, answerBody));
        }
    }

    private static int blankLine(String text) {
        int crlf = text.indexOf("\r\n\r\n");
        int lf = text.indexOf("\n\n");
        if (crlf < 0) {
            return lf;
        }
        return lf < 0 ? crlf : Math.min(crlf, lf);
    }

    private static Map<String, String> headers(String block) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : block.split("\\r?\\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
        }
        return headers;
    }
}
