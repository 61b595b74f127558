package dev.steward.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.Engine;
import dev.steward.LoadedWorkspace;
import dev.steward.model.Workspace;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import dev.steward.run.Values;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code steward read SYSTEM ENTITY KEY}: one record as a system holds it. Asks the running host
 * ({@code GET /api/systems/...}, with the token in {@code STEWARD_TOKEN} or {@code STEWARD_ADMIN_TOKEN})
 * when one answers, since it holds the connectors (and an embedded database can be open in one
 * process only); otherwise opens the system's connector itself.
 */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = "Show one record as a system holds it, through that system's connector.")
final class ReadCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "The system, as named in steward.yaml (crm, erp).")
    String system;

    @Parameters(index = "1", description = "The entity (customer, product).")
    String entity;

    @Parameters(index = "2", description = "The record's key.")
    String key;

    @Option(names = "--home", description = "The workspace folder (default: the current one).", defaultValue = ".")
    Path home;

    @Option(names = "--url", description = "A running host to ask (default: http://127.0.0.1:<host.port of steward.yaml>).")
    String url;

    /** The environment, where the token is read; tests give their own. */
    java.util.function.Function<String, String> env = System::getenv;

    @Override
    public Integer call() throws Exception {
        try (LoadedWorkspace loaded = Engine.load(home, Engine.Options.oneShot(env))) {
            return read(loaded, loaded.workspace());
        }
    }

    private int read(LoadedWorkspace loaded, Workspace workspace) throws IOException, InterruptedException {
        String base = url != null ? url : "http://127.0.0.1:" + workspace.host().port();
        Optional<Integer> remote = askHost(base);
        if (remote.isPresent()) {
            return remote.get();
        }
        if (url != null) {
            System.err.println("steward: no host answers at " + url);
            return 2;
        }
        SystemConfig config = workspace.systems().get(system);
        if (config == null) {
            ServeCommand.print(workspace, new java.io.PrintWriter(System.err, true));
            System.err.println("steward: no system '" + system + "' (there are: " + String.join(", ", workspace.systems().keySet()) + ")");
            return 2;
        }
        Optional<EntityConfig> entityConfig = config.entity(entity);
        if (entityConfig.isEmpty()) {
            System.err.println("steward: system '" + system + "' has no entity '" + entity + "'");
            return 2;
        }
        Optional<Map<String, Object>> found = loaded.readNative(system, entity, key);
        Map<String, Object> fields = new LinkedHashMap<>();
        found.ifPresent(values -> entityConfig.get().fields().forEach((field, nativeName) -> {
            if (values.containsKey(nativeName)) {
                fields.put(field, values.get(nativeName));
            }
        }));
        System.out.println(Values.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Json.object(
                "system", system, "entity", entity, "key", key, "exists", found.isPresent(), "fields", fields,
                "nativeFields", found.orElse(Map.of()))));
        return found.isPresent() ? 0 : 3;
    }

    /** The host's answer printed, or empty when no host listens there. */
    private Optional<Integer> askHost(String base) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String path = "/api/systems/" + segment(system) + "/" + segment(entity) + "/" + segment(key);
        HttpResponse<String> response;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET();
        Optional<String> token = token();
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            return Optional.empty();
        }
        if (response.statusCode() == 401 && token.isEmpty()) {
            System.err.println("steward: the host at " + base + " needs a token: set STEWARD_TOKEN to one with the role operator"
                    + " (steward token create --name cli --role operator), or STEWARD_ADMIN_TOKEN");
            return Optional.of(2);
        }
        JsonNode body = Values.JSON.readTree(response.body());
        if (response.statusCode() != 200) {
            System.err.println("steward: " + (body.has("error") ? body.get("error").asText() : response.body()));
            return Optional.of(2);
        }
        System.out.println(Values.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
        return Optional.of(body.path("exists").asBoolean() ? 0 : 3);
    }

    /** STEWARD_TOKEN, else STEWARD_ADMIN_TOKEN, from the environment. */
    private Optional<String> token() {
        for (String variable : new String[] {"STEWARD_TOKEN", "STEWARD_ADMIN_TOKEN"}) {
            String value = env.apply(variable);
            if (value != null && !value.isBlank()) {
                return Optional.of(value.strip());
            }
        }
        return Optional.empty();
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
