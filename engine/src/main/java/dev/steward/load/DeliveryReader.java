package dev.steward.load;

import dev.steward.model.AlertSettings;
import dev.steward.model.HealthSettings;
import dev.steward.model.RetrySettings;
import dev.steward.model.SystemLimits;
import org.yaml.snakeyaml.nodes.Node;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the delivery blocks: {@code retry:} (in {@code steward.yaml}, a flow or a sync step), a
 * system's {@code rateLimit:} and {@code circuitBreaker:}, {@code health:} and {@code alerts:}.
 */
final class DeliveryReader {

    static final Duration MAX_HORIZON = Duration.ofDays(30);

    private final YamlFile yaml;

    DeliveryReader(YamlFile yaml) {
        this.yaml = yaml;
    }

    RetrySettings retry(Node node, String what) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, what, YamlFile.keys("maxAttempts", "base", "cap", "horizon"));
        if (entries.isEmpty()) {
            return RetrySettings.NONE;
        }
        Map<String, Node> e = entries.get();
        Optional<Integer> attempts = e.containsKey("maxAttempts")
                ? yaml.integer(e.get("maxAttempts"), what + ".maxAttempts", 1, 1000) : Optional.empty();
        Optional<Duration> base = duration(e, "base", what);
        Optional<Duration> cap = duration(e, "cap", what);
        Optional<Duration> horizon = duration(e, "horizon", what);
        if (base.isPresent() && cap.isPresent() && cap.get().compareTo(base.get()) < 0) {
            yaml.error(e.get("cap"), what + ".cap must not be shorter than its base");
        }
        if (horizon.isPresent() && horizon.get().compareTo(MAX_HORIZON) > 0) {
            yaml.error(e.get("horizon"), what + ".horizon must be at most 30d: an event is not kept retrying for longer");
            horizon = Optional.empty();
        }
        return new RetrySettings(attempts, base, cap, horizon);
    }

    /** Takes {@code rateLimit}, {@code circuitBreaker} and {@code optimisticWrites} out of a system's settings. */
    SystemLimits limits(Map<String, Node> system, String name) {
        Optional<SystemLimits.RateLimit> rate = Optional.empty();
        Node rateNode = system.remove("rateLimit");
        String what = "systems." + name;
        if (rateNode != null) {
            rate = yaml.mapping(rateNode, what + ".rateLimit", YamlFile.keys("perSecond", "burst")).flatMap(e -> {
                if (!e.containsKey("perSecond")) {
                    yaml.error(rateNode, what + ".rateLimit needs 'perSecond', like { perSecond: 10, burst: 20 }");
                    return Optional.empty();
                }
                Optional<Double> perSecond = yaml.string(e.get("perSecond"), what + ".rateLimit.perSecond").flatMap(text -> {
                    try {
                        double value = Double.parseDouble(text);
                        if (value >= 0.001 && value <= 100_000) {
                            return Optional.of(value);
                        }
                    } catch (NumberFormatException ignored) {
                        // reported below
                    }
                    yaml.error(e.get("perSecond"), what + ".rateLimit.perSecond must be a number from 0.001 to 100000, not '" + text + "'");
                    return Optional.empty();
                });
                int defaultBurst = (int) Math.max(1, Math.ceil(perSecond.orElse(1.0)));
                int burst = e.containsKey("burst")
                        ? yaml.integer(e.get("burst"), what + ".rateLimit.burst", 1, 1_000_000).orElse(defaultBurst) : defaultBurst;
                return perSecond.map(value -> new SystemLimits.RateLimit(value, burst));
            });
        }
        SystemLimits.Breaker breaker = SystemLimits.Breaker.DEFAULT;
        Node breakerNode = system.remove("circuitBreaker");
        if (breakerNode != null) {
            breaker = breaker(breakerNode, what + ".circuitBreaker");
        }
        boolean optimistic = false;
        Node optimisticNode = system.remove("optimisticWrites");
        if (optimisticNode != null) {
            Optional<String> flag = yaml.string(optimisticNode, what + ".optimisticWrites");
            if (flag.isPresent() && !flag.get().equals("true") && !flag.get().equals("false")) {
                yaml.error(optimisticNode, what + ".optimisticWrites must be true or false, not '" + flag.get() + "'");
            }
            optimistic = flag.map("true"::equals).orElse(false);
        }
        return new SystemLimits(rate, breaker, optimistic);
    }

    private SystemLimits.Breaker breaker(Node node, String what) {
        SystemLimits.Breaker d = SystemLimits.Breaker.DEFAULT;
        if (node instanceof org.yaml.snakeyaml.nodes.ScalarNode scalar) {
            if (!scalar.getValue().equals("false")) {
                yaml.error(node, what + " is a mapping of settings, or false to turn the breaker off");
                return d;
            }
            return new SystemLimits.Breaker(false, d.failureRate(), d.minimumCalls(), d.window(), d.openFor(), d.slowCall(),
                    d.halfOpenCalls());
        }
        Optional<Map<String, Node>> entries = yaml.mapping(node, what,
                YamlFile.keys("failureRate", "minimumCalls", "window", "openFor", "slowCall", "halfOpenCalls"));
        if (entries.isEmpty()) {
            return d;
        }
        Map<String, Node> e = entries.get();
        int rate = e.containsKey("failureRate") ? yaml.integer(e.get("failureRate"), what + ".failureRate", 1, 100).orElse(d.failureRate()) : d.failureRate();
        int window = e.containsKey("window") ? yaml.integer(e.get("window"), what + ".window", 1, 10_000).orElse(d.window()) : d.window();
        int minimum = e.containsKey("minimumCalls")
                ? yaml.integer(e.get("minimumCalls"), what + ".minimumCalls", 1, 10_000).orElse(d.minimumCalls()) : Math.min(d.minimumCalls(), window);
        int halfOpen = e.containsKey("halfOpenCalls")
                ? yaml.integer(e.get("halfOpenCalls"), what + ".halfOpenCalls", 1, 1000).orElse(d.halfOpenCalls()) : d.halfOpenCalls();
        Duration openFor = duration(e, "openFor", what).orElse(d.openFor());
        Duration slowCall = duration(e, "slowCall", what).orElse(d.slowCall());
        return new SystemLimits.Breaker(true, rate, minimum, window, openFor, slowCall, halfOpen);
    }

    HealthSettings health(Node node) {
        HealthSettings d = HealthSettings.DEFAULT;
        Optional<Map<String, Node>> entries = yaml.mapping(node, "health", YamlFile.keys("backlogAge", "noSuccessFor", "checkEvery"));
        if (entries.isEmpty()) {
            return d;
        }
        Map<String, Node> e = entries.get();
        return new HealthSettings(duration(e, "backlogAge", "health").orElse(d.backlogAge()),
                duration(e, "noSuccessFor", "health").orElse(d.noSuccessFor()),
                duration(e, "checkEvery", "health").orElse(d.checkEvery()));
    }

    AlertSettings alerts(Node node) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, "alerts", YamlFile.keys("url", "timeout", "headers"));
        if (entries.isEmpty()) {
            return AlertSettings.NONE;
        }
        Map<String, Node> e = entries.get();
        Optional<URI> url = yaml.optionalString(e, "url", "alerts").flatMap(text -> {
            try {
                URI uri = new URI(text);
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                    return Optional.of(uri);
                }
            } catch (URISyntaxException ignored) {
                // reported below
            }
            yaml.error(e.get("url"), "alerts.url must be an http:// or https:// URL, not '" + text + "'");
            return Optional.empty();
        });
        Duration timeout = duration(e, "timeout", "alerts").orElse(AlertSettings.NONE.timeout());
        Map<String, String> headers = new LinkedHashMap<>();
        Node headersNode = e.get("headers");
        if (headersNode != null) {
            yaml.mapping(headersNode, "alerts.headers", null).ifPresent(map -> map.forEach((name, value) ->
                    yaml.string(value, "alerts.headers." + name).ifPresent(text -> headers.put(name, text))));
        }
        return new AlertSettings(url, timeout, headers);
    }

    private Optional<Duration> duration(Map<String, Node> entries, String key, String what) {
        Node node = entries.get(key);
        if (node == null) {
            return Optional.empty();
        }
        return yaml.string(node, what + "." + key).flatMap(text -> SettingsReader.duration(yaml, text, node));
    }
}
