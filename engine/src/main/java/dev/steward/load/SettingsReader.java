package dev.steward.load;

import dev.steward.model.DeliverySettings;
import dev.steward.model.HostSettings;
import dev.steward.model.LoopGuard;
import dev.steward.model.StoreSettings;
import dev.steward.model.SystemLimits;
import dev.steward.plugin.ConfigProblem;
import dev.steward.model.Diagnostic;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.JdbcUrlSetting;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import org.yaml.snakeyaml.nodes.Node;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads {@code steward.yaml}: {@code host}, {@code store}, {@code loops}, {@code systems}, and
 * (through {@link DeliveryReader}) {@code retry}, {@code health} and {@code alerts}.
 */
final class SettingsReader {

    static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,62}");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|B|KiB|KB|MiB|MB)");

    private final YamlFile yaml;
    private final Path root;
    private final Map<String, ConnectorFactory> connectors;

    SettingsReader(YamlFile yaml, Path root, Map<String, ConnectorFactory> connectors) {
        this.yaml = yaml;
        this.root = root;
        this.connectors = connectors;
    }

    HostSettings read(Node node, HostSettings defaults, Map<String, SystemConfig> systems) {
        HostSettings host = defaults;
        Optional<Map<String, Node>> top = yaml.mapping(node, "steward.yaml", YamlFile.keys("host", "store", "loops", "systems", "retry", "health", "alerts",
                "metrics", "access", "rules"));
        if (top.isEmpty()) {
            return host;
        }
        Node hostNode = top.get().get("host");
        if (hostNode != null) {
            host = readHost(hostNode, host);
        }
        Node storeNode = top.get().get("store");
        if (storeNode != null) {
            host = host.withStore(readStore(storeNode, host.store()));
        }
        AccessReader access = new AccessReader(yaml);
        if (top.get().get("metrics") != null) {
            host = host.withAccess(host.access().withMetricsPublic(access.metricsPublic(top.get().get("metrics"), false)));
        }
        if (top.get().get("access") != null) {
            host = host.withAccess(access.access(top.get().get("access"), host.access()));
        }
        Node loopsNode = top.get().get("loops");
        if (loopsNode != null) {
            host = host.withLoops(readLoops(loopsNode, host.loops()));
        }
        DeliveryReader delivery = new DeliveryReader(yaml);
        Map<String, SystemLimits> limits = new LinkedHashMap<>();
        Node systemsNode = top.get().get("systems");
        if (systemsNode == null) {
            yaml.error(node, "steward.yaml needs 'systems': the applications Steward connects");
        } else {
            yaml.mapping(systemsNode, "systems", null).ifPresent(entries ->
                    entries.forEach((name, block) -> readSystem(name, block, delivery, limits).ifPresent(s -> systems.put(name, s))));
        }
        Node retry = top.get().get("retry");
        Node health = top.get().get("health");
        Node alerts = top.get().get("alerts");
        DeliverySettings d = host.delivery();
        return host.withDelivery(new DeliverySettings(retry == null ? d.retry() : delivery.retry(retry, "retry"), limits,
                health == null ? d.health() : delivery.health(health), alerts == null ? d.alerts() : delivery.alerts(alerts)));
    }

    private HostSettings readHost(Node node, HostSettings host) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, "host",
                YamlFile.keys("bind", "port", "maxBody", "workers", "hooks", "shutdownGrace", "publicUrl"));
        if (entries.isEmpty()) {
            return host;
        }
        Map<String, Node> e = entries.get();
        String bind = yaml.optionalString(e, "bind", "host").orElse(host.bind());
        int port = e.containsKey("port") ? yaml.integer(e.get("port"), "host.port", 0, 65535).orElse(host.port()) : host.port();
        int workers = e.containsKey("workers") ? yaml.integer(e.get("workers"), "host.workers", 1, 256).orElse(host.workers()) : host.workers();
        long maxBody = host.maxBodyBytes();
        if (e.containsKey("maxBody")) {
            maxBody = yaml.string(e.get("maxBody"), "host.maxBody").flatMap(text -> size(text, e.get("maxBody"))).orElse(maxBody);
        }
        Optional<HostSettings.Listener> hooks = e.containsKey("hooks") ? readListener(e.get("hooks"), "host.hooks") : host.hooks();
        if (hooks.isPresent() && hooks.get().port() != 0 && hooks.get().port() == port) {
            yaml.error(e.get("hooks"), "host.hooks.port must differ from host.port (" + port + "): the hooks listener is a second port");
            hooks = Optional.empty();
        }
        java.time.Duration grace = host.shutdownGrace();
        if (e.containsKey("shutdownGrace")) {
            grace = yaml.string(e.get("shutdownGrace"), "host.shutdownGrace")
                    .flatMap(text -> duration(yaml, text, e.get("shutdownGrace"))).orElse(grace);
        }
        var access = e.containsKey("publicUrl")
                ? host.access().withPublicUrl(new AccessReader(yaml).publicUrl(e.get("publicUrl"))) : host.access();
        return new HostSettings(bind, port, maxBody, workers, host.store(), host.loops(), host.delivery(), hooks, grace, access);
    }

    /** {@code host.hooks: { bind, port }}: the webhooks-only listener; bind defaults to the loopback address. */
    private Optional<HostSettings.Listener> readListener(Node node, String what) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, what, YamlFile.keys("bind", "port"));
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Node> e = entries.get();
        String bind = yaml.optionalString(e, "bind", what).orElse(HostSettings.DEFAULT_BIND);
        if (!e.containsKey("port")) {
            yaml.error(node, what + " needs 'port': the port senders post webhooks to");
            return Optional.empty();
        }
        return yaml.integer(e.get("port"), what + ".port", 0, 65535).map(port -> new HostSettings.Listener(bind, port));
    }

    private LoopGuard readLoops(Node node, LoopGuard loops) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, "loops", YamlFile.keys("maxReversals", "window"));
        if (entries.isEmpty()) {
            return loops;
        }
        Map<String, Node> e = entries.get();
        int reversals = e.containsKey("maxReversals")
                ? yaml.integer(e.get("maxReversals"), "loops.maxReversals", 1, 1000).orElse(loops.maxReversals()) : loops.maxReversals();
        java.time.Duration window = loops.window();
        if (e.containsKey("window")) {
            window = yaml.string(e.get("window"), "loops.window").flatMap(text -> duration(yaml, text, e.get("window"))).orElse(window);
        }
        return new LoopGuard(reversals, window);
    }

    static Optional<java.time.Duration> duration(YamlFile yaml, String text, Node node) {
        Optional<java.time.Duration> parsed = dev.steward.plugin.DurationSetting.parse(text);
        if (parsed.isPresent()) {
            return parsed;
        }
        yaml.error(node, "'" + text + "' is not a duration: write a number and a unit, like 500ms, 30s, 10m, 2h or 1d");
        return Optional.empty();
    }

    private Optional<Long> size(String text, Node node) {
        var matcher = SIZE.matcher(text.trim());
        if (matcher.matches()) {
            long n = Long.parseLong(matcher.group(1));
            long unit = switch (matcher.group(2)) {
                case "KiB", "KB" -> 1024L;
                case "MiB", "MB" -> 1024L * 1024;
                default -> 1L;
            };
            if (n * unit >= 1024 && n * unit <= HostSettings.LIMIT_MAX_BODY) {
                return Optional.of(n * unit);
            }
        }
        yaml.error(node, "host.maxBody must be a size from 1KiB to 900KiB, like 512KiB, not '" + text + "'");
        return Optional.empty();
    }

    private StoreSettings readStore(Node node, StoreSettings store) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, "store",
                YamlFile.keys("url", "user", "password", "poolSize", "lease", JdbcUrlSetting.OUTSIDE_DATA));
        if (entries.isEmpty()) {
            return store;
        }
        Map<String, Node> e = entries.get();
        String url = yaml.optionalString(e, "url", "store").orElse(store.url());
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            yaml.error(e.get("url"), "store.url must be an H2 (jdbc:h2:...) or PostgreSQL (jdbc:postgresql://...) URL");
            url = store.url();
        }
        boolean outsideData = e.containsKey(JdbcUrlSetting.OUTSIDE_DATA) && yaml.string(e.get(JdbcUrlSetting.OUTSIDE_DATA),
                "store." + JdbcUrlSetting.OUTSIDE_DATA).map(Boolean::parseBoolean).orElse(false);
        String written = url;
        Optional<String> refused = JdbcUrlSetting.parameterProblem(written).or(() -> JdbcUrlSetting.fileProblem(
                written, root, outsideData));
        if (refused.isPresent()) {
            yaml.error(e.get("url"), "store.url: " + refused.get());
            url = store.url();
        }
        url = resolveH2(url, root);
        String user = yaml.optionalString(e, "user", "store").orElse(url.startsWith("jdbc:h2:") ? "sa" : "");
        String password = yaml.optionalString(e, "password", "store").orElse("");
        int pool = e.containsKey("poolSize") ? yaml.integer(e.get("poolSize"), "store.poolSize", 1, 200).orElse(store.poolSize()) : store.poolSize();
        java.time.Duration lease = store.lease();
        if (e.containsKey("lease")) {
            java.time.Duration read = yaml.string(e.get("lease"), "store.lease")
                    .flatMap(text -> duration(yaml, text, e.get("lease"))).orElse(lease);
            if (read.compareTo(java.time.Duration.ofSeconds(3)) < 0 || read.compareTo(java.time.Duration.ofHours(1)) > 0) {
                yaml.error(e.get("lease"), "store.lease must be from 3s to 1h, not '" + read.toSeconds() + "s'");
            } else {
                lease = read;
            }
        }
        return new StoreSettings(url, user, password, pool, lease);
    }

    /** A relative H2 file path ({@code ./data/x} or {@code data/x}) is relative to the workspace, not the JVM's folder. */
    static String resolveH2(String url, Path root) {
        for (String prefix : new String[] {"jdbc:h2:file:", "jdbc:h2:"}) {
            if (url.startsWith(prefix + "./")) {
                return prefix + root.resolve(url.substring(prefix.length() + 2)).toString();
            }
            if (url.startsWith(prefix) && url.matches("jdbc:h2:(file:)?(?![/\\\\~.])[^;:]+(;.*)?")) {
                return prefix + root.resolve(url.substring(prefix.length())).toString();
            }
        }
        return url;
    }

    private Optional<SystemConfig> readSystem(String name, Node block, DeliveryReader delivery,
                                              Map<String, SystemLimits> limits) {
        Node nameNode = YamlFile.keyNode(block, name).orElse(block);
        if (!NAME.matcher(name).matches()) {
            yaml.error(nameNode, "system name '" + name + "' must start with a letter and hold only letters, digits, - and _");
            return Optional.empty();
        }
        String what = "system '" + name + "'";
        Optional<Map<String, Node>> entries = yaml.mapping(block, what, null);
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Node> e = new LinkedHashMap<>(entries.get());
        limits.put(name, delivery.limits(e, name));
        Optional<String> type = yaml.string(e, "connector", block, what);
        if (type.isEmpty()) {
            return Optional.empty();
        }
        ConnectorFactory factory = connectors.get(type.get());
        if (factory == null) {
            yaml.error(e.get("connector"), "unknown connector '" + type.get() + "' for system '" + name
                    + "' (known: " + String.join(", ", new TreeSet<>(connectors.keySet()))
                    + "; a plugin jar in plugins/ adds its own)");
            return Optional.empty();
        }
        Map<String, Node> where = new LinkedHashMap<>();
        Map<String, Object> settings = new LinkedHashMap<>();
        e.forEach((key, value) -> {
            if (!key.equals("connector") && !key.equals("entities")) {
                settings.put(key, yaml.plain(value, key, where));
            }
        });
        Map<String, EntityConfig> entities = new LinkedHashMap<>();
        Node entitiesNode = e.get("entities");
        if (entitiesNode == null) {
            yaml.error(block, what + " needs 'entities': which records it holds and how its fields are named");
        } else {
            yaml.mapping(entitiesNode, what + " entities", null).ifPresent(map -> map.forEach((entity, node) ->
                    readEntity(name, entity, node, where).ifPresent(config -> entities.put(entity, config))));
        }
        where.put("", block);
        SystemConfig config = new SystemConfig(name, type.get(), settings, entities);
        int before = yaml.diagnostics.size();
        List<ConfigProblem> problems;
        try {
            problems = factory.validate(config, root);
        } catch (RuntimeException | LinkageError failure) {
            // a plugin's bug, reported against the system that uses it rather than ending the load
            problems = List.of(new ConfigProblem("", "the '" + type.get() + "' connector failed to check its settings: " + failure));
        }
        for (ConfigProblem problem : problems) {
            if (problem.file() != null) {
                // a problem inside a file the system names (its init script), at that file's line
                yaml.diagnostics.add(Diagnostic.error(problem.file(), problem.line(), problem.column(),
                        yaml.redacted("system '" + name + "': " + problem.message())));
                continue;
            }
            Node at = where.getOrDefault(problem.path(), block);
            yaml.error(at, "system '" + name + "': " + problem.message());
        }
        return yaml.diagnostics.size() == before ? Optional.of(config) : Optional.empty();
    }

    private Optional<EntityConfig> readEntity(String system, String entity, Node node, Map<String, Node> where) {
        String what = "entity '" + entity + "' of system '" + system + "'";
        String path = "entities." + entity;
        where.put(path, node);
        Optional<Map<String, Node>> entries = yaml.mapping(node, what, null);
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        Map<String, String> fields = new LinkedHashMap<>();
        entries.get().forEach((key, value) -> {
            if (key.equals("fields")) {
                where.put(path + ".fields", value);
                yaml.mapping(value, what + " fields", null).ifPresent(map -> map.forEach((field, nativeNode) -> {
                    where.put(path + ".fields." + field, nativeNode);
                    yaml.string(nativeNode, what + " field '" + field + "'").ifPresent(n -> fields.put(field, n));
                }));
            } else {
                settings.put(key, yaml.plain(value, path + "." + key, where));
            }
        });
        if (fields.isEmpty()) {
            yaml.error(node, what + " needs 'fields': canonical field name to the system's own name");
            return Optional.empty();
        }
        return Optional.of(new EntityConfig(entity, settings, fields));
    }

    static Set<String> names(Map<String, ?> map) {
        return new TreeSet<>(map.keySet());
    }
}
