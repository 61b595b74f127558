package dev.steward.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.store.EventStatus;
import dev.steward.store.StoredEvent;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a dead letter or quarantined event failed, in a form that is the same for every event that
 * failed the same way: the error text with what varies from event to event (its record key, its
 * payload's values, event ids, UUIDs, times and numbers) replaced by placeholders, so that
 * "erp answered 400 to PATCH /customers/C-1: field phone expects a number" and the same for C-2
 * are one cause, "erp answered 400 to PATCH /customers/{key}: field phone expects a number".
 * HTTP statuses (three digits from 100 to 599) are kept: they are the cause.
 *
 * @param system the system that failed (the target whose write failed; for a quarantined record,
 *               the system it came from), or null when the error does not say
 */
public record FailureCause(String system, String cause) {

    static final int MAX_LENGTH = 300;
    private static final String EDGE_BEFORE = "(?<![A-Za-z0-9_])";
    private static final String EDGE_AFTER = "(?![A-Za-z0-9_])";
    private static final Pattern GAVE_UP = Pattern.compile("^(gave up after \\d+ attempts: )");
    private static final Pattern SYSTEM_PREFIX = Pattern.compile("^([a-z0-9][a-z0-9_-]{0,99}): ");
    private static final Pattern EVENT_ID = Pattern.compile("evt_[A-Za-z0-9_-]+");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern TIME = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?");
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z0-9_.{])\\d+(\\.\\d+)?" + EDGE_AFTER);
    private static final Pattern HTTP_STATUS = Pattern.compile("[1-5]\\d\\d");
    private static final int MIN_VALUE_LENGTH = 3;

    /** The cause of one failed or quarantined event. */
    public static FailureCause of(StoredEvent event) {
        String error = event.error() == null ? "(no error recorded)" : event.error();
        JsonNode trace = event.trace() == null ? null : parseQuietly(event.trace());
        String system = failedWrite(trace).orElse(null);
        if (system == null && event.status() == EventStatus.INVALID && trace != null && trace.hasNonNull("source")) {
            system = trace.get("source").asText();
        }
        Matcher gaveUp = GAVE_UP.matcher(error);
        String head = gaveUp.find() ? gaveUp.group(1) : "";
        String rest = error.substring(head.length());
        Matcher prefix = SYSTEM_PREFIX.matcher(rest);
        if (prefix.find() && (system == null || system.equals(prefix.group(1)))) {
            // The runner prefixes a target's error with the target's name; the system says it already.
            system = prefix.group(1);
            rest = rest.substring(prefix.end());
        }
        return new FailureCause(system, normalise(head + rest, event.key(), payloadValues(event.payload())));
    }

    /** The error text with the volatile parts replaced; see the class comment. */
    static String normalise(String error, String key, List<String> values) {
        String text = EVENT_ID.matcher(error).replaceAll("{event}");
        text = UUID.matcher(text).replaceAll("{id}");
        text = TIME.matcher(text).replaceAll("{time}");
        if (key != null && !key.isBlank()) {
            text = replaceWord(text, key, "{key}");
            text = replaceWord(text, URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20"), "{key}");
        }
        for (String value : values) {
            if (!value.equals(key)) {
                text = replaceWord(text, value, "{value}");
            }
        }
        text = NUMBER.matcher(text).replaceAll(m -> HTTP_STATUS.matcher(m.group()).matches() ? m.group() : "{n}");
        text = text.replaceAll("\\s+", " ").trim();
        return text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) + "…" : text;
    }

    private static String replaceWord(String text, String word, String placeholder) {
        return text.replaceAll(EDGE_BEFORE + Pattern.quote(word) + EDGE_AFTER, Matcher.quoteReplacement(placeholder));
    }

    /** The payload's text values long enough to be data rather than words, longest first. */
    private static List<String> payloadValues(String payload) {
        List<String> values = new ArrayList<>();
        JsonNode root = payload == null ? null : parseQuietly(payload);
        if (root != null) {
            collect(root, values);
        }
        values.sort(Comparator.comparingInt(String::length).reversed());
        return values;
    }

    private static void collect(JsonNode node, List<String> values) {
        if (node.isTextual() && node.asText().trim().length() >= MIN_VALUE_LENGTH) {
            values.add(node.asText());
        } else if (node.isContainerNode()) {
            node.forEach(child -> collect(child, values));
        }
    }

    private static Optional<String> failedWrite(JsonNode trace) {
        if (trace == null) {
            return Optional.empty();
        }
        String system = null;
        for (JsonNode write : trace.path("writes")) {
            if ("failed".equals(write.path("result").asText())) {
                system = write.path("system").asText();
            }
        }
        return Optional.ofNullable(system);
    }

    private static JsonNode parseQuietly(String json) {
        try {
            return Values.JSON.readTree(json);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
