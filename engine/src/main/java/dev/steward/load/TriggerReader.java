package dev.steward.load;

import dev.steward.model.PollTrigger;
import dev.steward.model.ScheduleTrigger;
import dev.steward.plugin.DurationSetting;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;
import org.yaml.snakeyaml.nodes.Node;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;

/** Reads {@code trigger.poll} and {@code trigger.schedule} of a flow; {@code trigger.webhook} is {@link FlowReader}'s. */
final class TriggerReader {

    /** Shorter periods would poll a system harder than a webhook would call us. */
    static final Duration MIN_EVERY = Duration.ofSeconds(1);
    static final Duration MAX_EVERY = Duration.ofDays(1);

    private final Map<String, SystemConfig> systems;
    private final BiPredicate<SystemConfig, String> lists;

    /** @param lists whether the connector of a system can list an entity's records ({@code Connector#list}) */
    TriggerReader(Map<String, SystemConfig> systems, BiPredicate<SystemConfig, String> lists) {
        this.systems = systems;
        this.lists = lists;
    }

    /**
     * {@code poll: { system, entity, every, since }}; system and entity default to the flow's
     * {@code source} and {@code entity} and, when given, must be the same.
     */
    Optional<PollTrigger> poll(YamlFile yaml, Node node, Optional<String> source, Optional<String> entity) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, "trigger.poll", YamlFile.keys("system", "entity", "every", "since"));
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Node> e = entries.get();
        Optional<String> system = yaml.optionalString(e, "system", "trigger.poll");
        Optional<String> polled = yaml.optionalString(e, "entity", "trigger.poll");
        if (system.isPresent() && source.isPresent() && !system.get().equals(source.get())) {
            yaml.error(e.get("system"), "trigger.poll.system is '" + system.get() + "' but the flow's source is '"
                    + source.get() + "': the records polled are the flow's source records");
            return Optional.empty();
        }
        if (polled.isPresent() && entity.isPresent() && !polled.get().equals(entity.get())) {
            yaml.error(e.get("entity"), "trigger.poll.entity is '" + polled.get() + "' but the flow's entity is '"
                    + entity.get() + "'");
            return Optional.empty();
        }
        system = system.or(() -> source);
        polled = polled.or(() -> entity);
        if (system.isEmpty() || polled.isEmpty()) {
            return Optional.empty(); // the flow's own 'source'/'entity' errors say what is missing
        }
        Node at = e.getOrDefault("system", node);
        SystemConfig config = systems.get(system.get());
        if (config == null) {
            if (e.containsKey("system")) {
                yaml.error(at, "unknown system '" + system.get() + "' (steward.yaml declares: "
                        + String.join(", ", SettingsReader.names(systems)) + ")");
            }
            return Optional.empty();
        }
        Optional<EntityConfig> mapped = config.entity(polled.get());
        if (mapped.isEmpty()) {
            yaml.error(e.getOrDefault("entity", node), "system '" + system.get() + "' has no entity '" + polled.get()
                    + "' in steward.yaml");
            return Optional.empty();
        }
        if (!lists.test(config, polled.get())) {
            yaml.error(node, "the " + config.type() + " connector of '" + system.get() + "' cannot list "
                    + polled.get() + " records, so it cannot be polled"
                    + (config.type().equals("http") ? ": give the entity a list block in steward.yaml" : ""));
            return Optional.empty();
        }
        if (!e.containsKey("every")) {
            yaml.error(node, "trigger.poll needs 'every': how often to poll, like 30s or 5m");
            return Optional.empty();
        }
        Optional<Duration> every = yaml.string(e.get("every"), "trigger.poll.every").flatMap(text -> {
            Optional<Duration> parsed = DurationSetting.parse(text);
            if (parsed.isEmpty()) {
                yaml.error(e.get("every"), "trigger.poll.every '" + text + "' is not a duration: write a number and a"
                        + " unit, like 30s, 5m or 1h");
            } else if (parsed.get().compareTo(MIN_EVERY) < 0 || parsed.get().compareTo(MAX_EVERY) > 0) {
                yaml.error(e.get("every"), "trigger.poll.every must be between 1s and 1d, not " + text);
                return Optional.empty();
            }
            return parsed;
        });
        if (every.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> since = Optional.empty();
        if (e.containsKey("since")) {
            Optional<String> text = yaml.string(e.get("since"), "trigger.poll.since");
            if (text.isEmpty()) {
                return Optional.empty();
            }
            if (!text.get().equals("cursor")) {
                if (!mapped.get().fields().containsKey(text.get())) {
                    yaml.error(e.get("since"), "trigger.poll.since names '" + text.get() + "', which is not a field of "
                            + system.get() + "." + polled.get() + " in steward.yaml (it has: "
                            + String.join(", ", mapped.get().fields().keySet()) + "); or write 'since: cursor'");
                    return Optional.empty();
                }
                since = text;
            }
        } else {
            yaml.warning(node, "trigger.poll has no 'since': every poll lists the records from where the last one"
                    + " ended (since: cursor), which finds only records added after it; name the field that every"
                    + " change updates (since: updatedAt) to see changes to existing records too");
        }
        return Optional.of(new PollTrigger(system.get(), polled.get(), every.get(), since));
    }

    /** {@code schedule: { cron, zone }}. */
    Optional<ScheduleTrigger> schedule(YamlFile yaml, Node node) {
        Optional<Map<String, Node>> entries = yaml.mapping(node, "trigger.schedule", YamlFile.keys("cron", "zone"));
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Node> e = entries.get();
        Optional<String> cron = yaml.string(e, "cron", node, "trigger.schedule");
        if (cron.isEmpty()) {
            return Optional.empty();
        }
        try {
            ScheduleTrigger.parse(cron.get());
        } catch (IllegalArgumentException ex) {
            yaml.error(e.get("cron"), "trigger.schedule.cron '" + cron.get() + "' is not a cron expression: " + ex.getMessage());
            return Optional.empty();
        }
        ZoneId zone = ZoneOffset.UTC;
        Optional<String> zoneText = yaml.optionalString(e, "zone", "trigger.schedule");
        if (zoneText.isPresent()) {
            try {
                zone = ZoneId.of(zoneText.get());
            } catch (DateTimeException ex) {
                yaml.error(e.get("zone"), "trigger.schedule.zone '" + zoneText.get() + "' is not a time zone: write"
                        + " one like UTC, Europe/Paris or America/New_York");
                return Optional.empty();
            }
        }
        ScheduleTrigger trigger = new ScheduleTrigger(cron.get().trim(), zone);
        if (trigger.nextAfter(java.time.Instant.now()).isEmpty()) {
            yaml.warning(e.get("cron"), "trigger.schedule.cron '" + cron.get() + "' never matches again: the flow will not run");
        }
        return Optional.of(trigger);
    }
}
