package dev.steward.testing.vendors.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The requests the Salesforce REST API takes, from Salesforce's own Postman collection
 * ({@code rest-sobject-requests.postman-extract.json}, CC0, see NOTICE.md beside it): each
 * request's method and URL template become a pattern that the fake checks every request
 * against. Two resources newer than that collection are added by hand: sObject Collections
 * upsert ({@code PATCH /composite/sobjects/{type}/{externalIdField}}, API 46.0) and the
 * {@code nextRecordsUrl} of a query ({@code GET /query/{locator}}). Immutable.
 */
final class SalesforceContract {

    /** One allowed request: a method and a path pattern. */
    record Route(String name, String method, Pattern path) {
    }

    private final List<Route> routes;

    private SalesforceContract(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** The contract from the extract on the class path. */
    static SalesforceContract load() {
        try (InputStream in = SalesforceContract.class.getResourceAsStream("rest-sobject-requests.postman-extract.json")) {
            if (in == null) {
                throw new IllegalStateException("rest-sobject-requests.postman-extract.json is not on the class path");
            }
            JsonNode json = new ObjectMapper().readTree(in);
            List<Route> routes = new ArrayList<>();
            json.path("groups").properties().forEach(group -> group.getValue().forEach(request -> {
                Pattern path = pattern(request.path("url").asText());
                for (String method : methods(request)) {
                    routes.add(new Route(request.path("name").asText(), method, path));
                }
            }));
            String data = "/services/data/v\\d+\\.\\d";
            routes.add(new Route("SObject Collections Upsert", "PATCH",
                    Pattern.compile(data + "/composite/sobjects/[^/]+/[^/]+/?")));
            routes.add(new Route("Query More (nextRecordsUrl)", "GET", Pattern.compile(data + "/query/[^/]+/?")));
            return new SalesforceContract(routes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The route a request takes, or null when the API has none like it. */
    Route match(String method, String path) {
        for (Route route : routes) {
            if (route.method().equals(method) && route.path().matcher(path).matches()) {
                return route;
            }
        }
        return null;
    }

    /**
     * The methods of a request: its {@code method}, plus those its description lists (the
     * external-id entry says GET but lists {@code HEAD, GET, PATCH, DELETE, POST}).
     */
    private static Set<String> methods(JsonNode request) {
        Set<String> methods = new LinkedHashSet<>();
        methods.add(request.path("method").asText().toUpperCase(Locale.ROOT));
        String description = request.path("description").asText("");
        var m = Pattern.compile("\\b((?:HEAD|GET|PATCH|DELETE|POST|PUT)(?:, (?:HEAD|GET|PATCH|DELETE|POST|PUT))+)\\s*$")
                .matcher(description.strip());
        if (m.find()) {
            for (String method : m.group(1).split(",\\s*")) {
                methods.add(method);
            }
        }
        return methods;
    }

    /** {@code {{_endpoint}}/services/data/v{{version}}/sobjects/<SOBJECT_API_NAME>/<RECORD_ID>} as a pattern. */
    private static Pattern pattern(String url) {
        String path = url.replace("{{_endpoint}}", "").replace("{{url}}", "").replace("{{site}}", "");
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        StringBuilder regex = new StringBuilder();
        for (String part : path.split("(?=<)|(?<=>)|(?=\\{\\{version}})|(?<=\\{\\{version}})")) {
            if (part.startsWith("<") && part.endsWith(">")) {
                regex.append("[^/]+");
            } else if (part.equals("{{version}}")) {
                regex.append("\\d+\\.\\d");
            } else {
                regex.append(Pattern.quote(part));
            }
        }
        return Pattern.compile(regex + "/?");
    }
}
