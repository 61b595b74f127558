package dev.steward.connector.http;

import dev.steward.plugin.ConfigProblem;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How to page through an entity's records, from its {@code list} block. Either cursor style:
 * {@code {path: /customers, items: results, cursor: {param: after, next: paging.next.after}}}
 * (the next page's cursor is read from the answer at {@code next}; none means the last page),
 * or page style: {@code {path: /customers, items: results, page: page, size: per_page}} (pages
 * numbered from {@code firstPage}, default 1; a short page is the last). {@code items} is
 * where the array is in the answer (absent: the answer is the array), {@code key} the field
 * of an item that holds its key (default {@code id}), {@code size} the query parameter for the
 * page size (optional in cursor style). Immutable.
 */
record ListSettings(String path, Optional<String> items, String key, Optional<String> cursorParam,
                    Optional<String> cursorNext, Optional<String> pageParam, Optional<String> sizeParam,
                    int firstPage) {

    boolean pageStyle() {
        return pageParam.isPresent();
    }

    /** The entity's list settings, empty when it has none; problems are added, never thrown. */
    static Optional<ListSettings> read(String prefix, Object value, List<ConfigProblem> problems) {
        if (value == null) {
            return Optional.empty();
        }
        String at = prefix + "list";
        if (!(value instanceof Map<?, ?> list)) {
            problems.add(new ConfigProblem(at, "list must be a block like {path: /customers, items: results,"
                    + " cursor: {param: after, next: paging.next.after}}"));
            return Optional.empty();
        }
        String path = text(list.get("path"));
        if (path.isEmpty() || !path.startsWith("/") || path.contains("{key}") || path.contains("?")) {
            problems.add(new ConfigProblem(at + ".path", "list.path must start with / and name the collection,"
                    + " like /customers, without {key} or a query"));
        }
        Optional<String> cursorParam = Optional.empty();
        Optional<String> cursorNext = Optional.empty();
        Object cursor = list.get("cursor");
        Optional<String> page = optional(list.get("page"));
        if (cursor instanceof Map<?, ?> c) {
            cursorParam = optional(c.get("param"));
            cursorNext = optional(c.get("next"));
            if (cursorParam.isEmpty() || cursorNext.isEmpty()) {
                problems.add(new ConfigProblem(at + ".cursor", "cursor needs param (the query parameter that"
                        + " takes it) and next (where the answer holds the next one), like"
                        + " {param: after, next: paging.next.after}"));
            }
        } else if (cursor != null) {
            problems.add(new ConfigProblem(at + ".cursor", "cursor must be a block like {param: after, next: paging.next.after}"));
        }
        if ((cursor == null) == page.isEmpty()) {
            problems.add(new ConfigProblem(at, "list needs exactly one of cursor: {param, next} and page: PARAM"));
        }
        Optional<String> size = optional(list.get("size"));
        if (page.isPresent() && size.isEmpty()) {
            problems.add(new ConfigProblem(at + ".size", "page style needs size: the query parameter for the page"
                    + " size (like per_page), so a short page can tell that it is the last"));
        }
        int firstPage = 1;
        if (list.get("firstPage") != null) {
            try {
                firstPage = Integer.parseInt(text(list.get("firstPage")));
            } catch (NumberFormatException e) {
                problems.add(new ConfigProblem(at + ".firstPage", "firstPage must be a whole number, like 0 or 1"));
            }
        }
        return Optional.of(new ListSettings(path, optional(list.get("items")), optional(list.get("key")).orElse("id"),
                cursorParam, cursorNext, page, size, firstPage));
    }

    private static Optional<String> optional(Object value) {
        String text = text(value);
        return text.isBlank() ? Optional.empty() : Optional.of(text.strip());
    }

    private static String text(Object value) {
        return value == null ? "" : String.valueOf(value);
    }
}
