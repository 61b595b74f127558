package dev.steward.load;

import dev.steward.model.DecisionTable;
import dev.steward.model.Diagnostic;
import dev.steward.model.DrlSource;
import dev.steward.model.Flow;
import dev.steward.model.MastershipTable;
import dev.steward.model.RetrySettings;
import dev.steward.model.SignatureScheme;
import dev.steward.model.SourceLocation;
import dev.steward.model.Step;
import dev.steward.model.Trigger;
import dev.steward.model.WebhookTrigger;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.SystemConfig;
import dev.steward.plugin.WebhookFormat;
import dev.steward.plugin.WebhookSettings;
import dev.steward.rules.CompiledRules;
import dev.steward.rules.RuleSetCompiler;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads one flow file and checks it against the systems and rule files of the workspace. */
final class FlowReader {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");
    private static final Pattern HOOK_PATH = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*");
    private static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9-]{1,100}");

    private final Map<String, SystemConfig> systems;
    private final Map<String, MastershipTable> mastership;
    private final Map<String, DrlSource> drl;
    private final RuleSetCompiler compiler;
    private final TransformReader transforms;
    private final boolean hooksPublic;
    private final Map<String, DecisionTable> decisionTables;
    private final TriggerReader triggers;
    private final Map<String, WebhookFormat> formats;
    /** DRL problems are the DRL file's, reported once however many flows use it. */
    final Set<Diagnostic> ruleDiagnostics = new LinkedHashSet<>();

    FlowReader(Map<String, SystemConfig> systems, Map<String, MastershipTable> mastership,
               Map<String, DrlSource> drl, RuleSetCompiler compiler, TransformReader transforms) {
        this(systems, mastership, drl, compiler, transforms, false);
    }

    /** @param hooksPublic webhooks are reachable beyond loopback: an unsigned flow must say {@code signature: none} */
    FlowReader(Map<String, SystemConfig> systems, Map<String, MastershipTable> mastership,
               Map<String, DrlSource> drl, RuleSetCompiler compiler, TransformReader transforms, boolean hooksPublic) {
        this(systems, mastership, Map.of(), drl, compiler, transforms, hooksPublic);
    }

    /** @param decisionTables the decision tables that loaded without errors, by file name */
    FlowReader(Map<String, SystemConfig> systems, Map<String, MastershipTable> mastership,
               Map<String, DecisionTable> decisionTables, Map<String, DrlSource> drl, RuleSetCompiler compiler,
               TransformReader transforms, boolean hooksPublic) {
        this(systems, mastership, decisionTables, drl, compiler, transforms, hooksPublic, (system, entity) -> true);
    }

    /** @param lists whether a system's connector can list an entity's records, which a poll trigger needs */
    FlowReader(Map<String, SystemConfig> systems, Map<String, MastershipTable> mastership,
               Map<String, DecisionTable> decisionTables, Map<String, DrlSource> drl, RuleSetCompiler compiler,
               TransformReader transforms, boolean hooksPublic,
               java.util.function.BiPredicate<SystemConfig, String> lists) {
        this(systems, mastership, decisionTables, drl, compiler, transforms, hooksPublic, lists, Map.of());
    }

    /** @param formats the webhook formats a flow's {@code trigger.webhook.format} may name, by name */
    FlowReader(Map<String, SystemConfig> systems, Map<String, MastershipTable> mastership,
               Map<String, DecisionTable> decisionTables, Map<String, DrlSource> drl, RuleSetCompiler compiler,
               TransformReader transforms, boolean hooksPublic,
               java.util.function.BiPredicate<SystemConfig, String> lists, Map<String, WebhookFormat> formats) {
        this.formats = formats;
        this.triggers = new TriggerReader(systems, lists);
        this.decisionTables = decisionTables;
        this.hooksPublic = hooksPublic;
        this.transforms = transforms;
        this.systems = systems;
        this.mastership = mastership;
        this.drl = drl;
        this.compiler = compiler;
    }

    Optional<Flow> read(YamlFile yaml, Node node, Collection<Flow> loaded) {
        Optional<Map<String, Node>> top = yaml.mapping(node, "a flow",
                YamlFile.keys("id", "description", "trigger", "source", "entity", "fetch", "key", "version", "fields", "steps", "retry"));
        if (top.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Node> e = top.get();
        Optional<String> id = yaml.string(e, "id", node, "a flow");
        id.ifPresent(value -> {
            if (!ID.matcher(value).matches()) {
                yaml.error(e.get("id"), "flow id '" + value + "' must be lower-case letters, digits, - and _");
            }
            loaded.stream().filter(f -> f.id().equals(value)).findFirst().ifPresent(other ->
                    yaml.error(e.get("id"), "flow id '" + value + "' is already used by " + other.file()));
        });
        String description = yaml.optionalString(e, "description", "flow").orElse("");
        Optional<String> source = yaml.string(e, "source", node, "a flow").filter(name -> knownSystem(yaml, e.get("source"), name));
        Optional<String> entity = yaml.string(e, "entity", node, "a flow");
        Optional<Trigger> trigger = e.containsKey("trigger") ? trigger(yaml, e.get("trigger"), loaded, source, entity)
                : missing(yaml, node, "trigger");
        Optional<String> key = yaml.string(e, "key", node, "a flow");
        Optional<String> version = yaml.optionalString(e, "version", "flow");
        RetrySettings retry = e.containsKey("retry") ? new DeliveryReader(yaml).retry(e.get("retry"), "retry") : RetrySettings.NONE;
        Map<String, String> fields = e.containsKey("fields") ? fields(yaml, e.get("fields")) : Map.of();
        if (!e.containsKey("fields")) {
            yaml.error(node, "a flow needs 'fields': canonical field name <- path in the payload");
        }
        boolean fetch = e.containsKey("fetch") && fetch(yaml, e.get("fetch"), source, entity, fields, e.get("fields"));
        List<Step> steps = new ArrayList<>();
        List<String> ruleFiles = new ArrayList<>();
        if (!e.containsKey("steps")) {
            yaml.error(node, "a flow needs 'steps', for example [rules: [mastership.yaml], sync: {to: [erp]}]");
        } else if (!(e.get("steps") instanceof SequenceNode list)) {
            yaml.error(e.get("steps"), "steps must be a list: each step starts with '- '");
        } else {
            StepReader stepReader = stepReader(yaml, source.orElse(null), entity.orElse(null), fields);
            for (Node stepNode : list.getValue()) {
                step(yaml, stepNode, source.orElse(null), entity.orElse(null), fields, stepReader).ifPresent(step -> {
                    if (step instanceof Step.Transform && steps.stream().anyMatch(s -> !(s instanceof Step.Transform))) {
                        yaml.error(stepNode, "a transform step must come before rules and sync: it changes the fields they decide on");
                    }
                    steps.add(step);
                    if (step instanceof Step.Rules rules) {
                        ruleFiles.addAll(rules.files());
                    }
                });
            }
        }
        if (entity.isPresent() && !fields.isEmpty()) {
            warnUnmastered(yaml, e.get("fields"), entity.get(), fields, ruleFiles);
        }
        if (yaml.diagnostics.stream().anyMatch(Diagnostic::isError) || id.isEmpty() || trigger.isEmpty()
                || source.isEmpty() || entity.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Flow(id.get(), description, yaml.file, trigger.get(), source.get(), entity.get(),
                key.get(), fields, steps, version, retry, fetch));
    }

    /**
     * {@code fetch: true}: the record is read from the source by its key before the rules run, so
     * the field paths name the source's own fields (those mapped for the entity in steward.yaml).
     */
    private boolean fetch(YamlFile yaml, Node node, Optional<String> source, Optional<String> entity,
                          Map<String, String> fields, Node fieldsNode) {
        Optional<String> flag = yaml.string(node, "fetch");
        if (flag.isEmpty()) {
            return false;
        }
        if (!flag.get().equals("true") && !flag.get().equals("false")) {
            yaml.error(node, "fetch must be true or false, not '" + flag.get() + "'");
            return false;
        }
        if (flag.get().equals("false") || source.isEmpty() || entity.isEmpty()) {
            return false;
        }
        Optional<EntityConfig> mapped = systems.get(source.get()).entity(entity.get());
        if (mapped.isEmpty()) {
            yaml.error(node, "fetch: true reads each record from the source, but system '" + source.get()
                    + "' has no entity '" + entity.get() + "' in steward.yaml to read it with");
            return false;
        }
        java.util.Collection<String> read = mapped.get().fields().values();
        fields.forEach((field, path) -> {
            String first = path.split("\\.", 2)[0];
            if (!read.contains(first)) {
                yaml.warning(YamlFile.keyNode(fieldsNode, field).orElse(node), "with fetch: true, field '" + field
                        + "' is read from the record " + source.get() + " holds, but '" + path + "' is not one of the"
                        + " fields mapped for " + source.get() + "." + entity.get() + " in steward.yaml ("
                        + String.join(", ", read) + "): it will be missing");
            }
        });
        return true;
    }

    private Optional<Trigger> trigger(YamlFile yaml, Node node, Collection<Flow> loaded, Optional<String> source,
                                      Optional<String> entity) {
        Optional<Map<String, Node>> kinds = yaml.mapping(node, "trigger", YamlFile.keys("webhook", "poll", "schedule"));
        if (kinds.isEmpty()) {
            return Optional.empty();
        }
        if (kinds.get().size() != 1) {
            yaml.error(node, "a trigger is one of 'webhook', 'poll' or 'schedule'");
            return Optional.empty();
        }
        if (kinds.get().containsKey("poll")) {
            return triggers.poll(yaml, kinds.get().get("poll"), source, entity).map(Trigger.class::cast);
        }
        if (kinds.get().containsKey("schedule")) {
            return triggers.schedule(yaml, kinds.get().get("schedule")).map(Trigger.class::cast);
        }
        return webhook(yaml, node, kinds.get().get("webhook"), loaded).map(Trigger.class::cast);
    }

    private Optional<WebhookTrigger> webhook(YamlFile yaml, Node node, Node webhook, Collection<Flow> loaded) {
        Optional<Map<String, Node>> e = yaml.mapping(webhook, "trigger.webhook", YamlFile.keys("path", "format", "secret", "signature", "deliveryId", "options"));
        if (e.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> path = yaml.string(e.get(), "path", webhook, "trigger.webhook").map(p -> p.startsWith("/") ? p.substring(1) : p);
        if (path.isPresent() && !HOOK_PATH.matcher(path.get()).matches()) {
            yaml.error(e.get().get("path"), "webhook path '" + path.get() + "' may hold only letters, digits, -, _ and /");
            return Optional.empty();
        }
        if (path.isPresent()) {
            String p = path.get();
            Optional<Flow> other = loaded.stream().filter(f -> f.webhook().filter(hook -> hook.path().equals(p)).isPresent()).findFirst();
            if (other.isPresent()) {
                yaml.error(e.get().get("path"), "webhook path '" + p + "' is already used by " + other.get().file());
                return Optional.empty();
            }
        }
        Optional<String> secret = yaml.optionalString(e.get(), "secret", "trigger.webhook");
        if (secret.isPresent() && secret.get().isBlank()) {
            // Else every delivery would fail its check with a 500: no MAC can be made with an empty key.
            yaml.error(e.get().get("secret"), "the webhook secret is empty (an ${env:…} that is unset or empty?);"
                    + " remove 'secret' to accept unsigned deliveries");
            return Optional.empty();
        }
        Optional<String> header = yaml.optionalString(e.get(), "deliveryId", "trigger.webhook");
        if (header.isPresent() && !HEADER.matcher(header.get()).matches()) {
            yaml.error(e.get().get("deliveryId"), "deliveryId names the header that carries the delivery id, like webhook-id");
            return Optional.empty();
        }
        Optional<String> formatName = yaml.optionalString(e.get(), "format", "trigger.webhook");
        if (formatName.isPresent()) {
            return formatted(yaml, webhook, e.get(), path, secret, header, formatName.get());
        }
        if (e.get().containsKey("options")) {
            yaml.error(e.get().get("options"), "options are the settings of a webhook format: name the 'format' they are for"
                    + (formats.isEmpty() ? "" : " (known: " + String.join(", ", new java.util.TreeSet<>(formats.keySet())) + ")"));
            return Optional.empty();
        }
        SignatureScheme signature = new SignatureScheme.StandardWebhooks();
        Node signatureNode = e.get().get("signature");
        if (signatureNode != null) {
            Optional<SignatureScheme> scheme = SignatureReader.read(yaml, signatureNode);
            if (scheme.isEmpty()) {
                return Optional.empty();
            }
            boolean none = scheme.get() instanceof SignatureScheme.None;
            if (secret.isEmpty() && !none) {
                yaml.error(signatureNode, "a signature scheme needs the 'secret' that signs with it");
                return Optional.empty();
            }
            if (secret.isPresent() && none) {
                yaml.error(signatureNode, "'signature: none' takes unsigned deliveries, yet the flow names a secret: remove one of them");
                return Optional.empty();
            }
            signature = scheme.get();
        } else if (secret.isEmpty() && hooksPublic) {
            yaml.error(YamlFile.keyNode(node, "webhook").orElse(webhook), "webhooks are reachable beyond this machine (host.bind or host.hooks.bind is not a loopback"
                    + " address) and this flow verifies no signature: add a 'secret' (and its 'signature' scheme), or write"
                    + " 'signature: none' to take unsigned deliveries on purpose");
            return Optional.empty();
        }
        if (secret.isPresent() && signature instanceof SignatureScheme.StandardWebhooks
                && secret.get().startsWith("whsec_") && !isBase64(secret.get().substring(6))) {
            yaml.error(e.get().get("secret"), "a secret that starts with whsec_ must be base64 after it (as Standard Webhooks issues them)");
            return Optional.empty();
        }
        if (secret.isPresent() && header.isPresent() && !(signature instanceof SignatureScheme.Hmac)) {
            yaml.warning(e.get().get("deliveryId"), "deliveryId is not used: signed " + signature.name()
                    + " deliveries are deduplicated on the id their scheme gives them ("
                    + (signature instanceof SignatureScheme.GitHub ? "X-GitHub-Delivery" : "webhook-id") + ")");
        }
        SignatureScheme scheme = signature;
        return path.map(p -> new WebhookTrigger(p, secret, header, scheme));
    }

    /**
     * A webhook with a vendor's {@code format}: the format verifies deliveries (so no
     * {@code signature}) and gives each notification its id (so no {@code deliveryId}); its own
     * check of the secret and options become problems at their lines.
     */
    private Optional<WebhookTrigger> formatted(YamlFile yaml, Node webhook, Map<String, Node> e, Optional<String> path,
                                               Optional<String> secret, Optional<String> header, String name) {
        WebhookFormat format = formats.get(name);
        if (format == null) {
            yaml.error(e.get("format"), "unknown webhook format '" + name + "' (known: "
                    + (formats.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(formats.keySet())))
                    + "; a plugin jar in connectors/ adds its own)");
            return Optional.empty();
        }
        if (e.containsKey("signature")) {
            yaml.error(e.get("signature"), "format '" + name + "' verifies its deliveries itself: remove 'signature'"
                    + " (a flow has a format or a signature scheme, not both)");
            return Optional.empty();
        }
        if (header.isPresent()) {
            yaml.warning(e.get("deliveryId"), "deliveryId is not used: format '" + name + "' gives each notification"
                    + " the vendor's own id, which Steward deduplicates on");
        }
        Map<String, Node> where = new LinkedHashMap<>();
        where.put("", webhook);
        where.put("format", e.get("format"));
        if (e.containsKey("secret")) {
            where.put("secret", e.get("secret"));
        }
        Map<String, Object> options = new LinkedHashMap<>();
        Node optionsNode = e.get("options");
        if (optionsNode != null && !YamlFile.isNull(optionsNode)) {
            int before = yaml.diagnostics.size();
            if (!(yaml.plain(optionsNode, "options", where) instanceof Map<?, ?> map)) {
                yaml.error(optionsNode, "options must be a mapping of the format's settings, like { maxAge: 5m }");
                return Optional.empty();
            }
            if (yaml.diagnostics.size() > before) {
                return Optional.empty();
            }
            map.forEach((key, value) -> options.put(String.valueOf(key), value));
            for (Map.Entry<String, Object> option : options.entrySet()) {
                if (option.getValue() == null) {
                    yaml.error(where.getOrDefault("options." + option.getKey(), optionsNode), "option '"
                            + option.getKey() + "' has no value: give one, or leave it out");
                    return Optional.empty();
                }
            }
        }
        List<ConfigProblem> problems;
        try {
            problems = format.validate(new WebhookSettings(secret, options));
        } catch (RuntimeException | LinkageError failure) {
            problems = List.of(new ConfigProblem("", "the '" + name + "' webhook format failed to check its settings: " + failure));
        }
        for (ConfigProblem problem : problems) {
            yaml.error(where.getOrDefault(problem.path(), where.getOrDefault(problem.path().isEmpty() ? "" : "options", webhook)),
                    "format '" + name + "': " + problem.message());
        }
        if (!problems.isEmpty()) {
            return Optional.empty();
        }
        return path.map(p -> new WebhookTrigger(p, secret, header, new SignatureScheme.StandardWebhooks(),
                Optional.of(name), options));
    }

    private static boolean isBase64(String text) {
        try {
            return java.util.Base64.getDecoder().decode(text).length > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Map<String, String> fields(YamlFile yaml, Node node) {
        Map<String, String> fields = new LinkedHashMap<>();
        yaml.mapping(node, "fields", null).ifPresent(map -> map.forEach((name, pathNode) -> {
            if (!FIELD.matcher(name).matches()) {
                yaml.error(YamlFile.keyNode(node, name).orElse(pathNode), "field name '" + name
                        + "' must start with a letter and hold only letters, digits and _");
            } else {
                yaml.string(pathNode, "field '" + name + "'").ifPresent(path -> fields.put(name, path));
            }
        }));
        if (fields.isEmpty() && yaml.diagnostics.stream().noneMatch(Diagnostic::isError)) {
            yaml.error(node, "fields lists no field");
        }
        return fields;
    }

    /** The reader of one flow's filter, branch and call steps; its branches' steps are read as any step. */
    private StepReader stepReader(YamlFile yaml, String source, String entity, Map<String, String> fields) {
        StepReader[] reader = new StepReader[1];
        reader[0] = new StepReader(yaml, systems, fields, node -> step(yaml, node, source, entity, fields, reader[0]));
        return reader[0];
    }

    private Optional<Step> step(YamlFile yaml, Node node, String source, String entity, Map<String, String> fields,
                                StepReader stepReader) {
        Optional<Map<String, Node>> e = yaml.mapping(node, "a step",
                YamlFile.keys("transform", "filter", "branch", "rules", "call", "sync"));
        if (e.isEmpty()) {
            return Optional.empty();
        }
        if (e.get().size() != 1) {
            yaml.error(node, "a step is one of 'transform', 'filter', 'branch', 'rules', 'call' or 'sync';"
                    + " start each with its own '- '");
            return Optional.empty();
        }
        SourceLocation location = new SourceLocation(yaml.file, YamlFile.line(node));
        if (e.get().containsKey("filter")) {
            return stepReader.filter(e.get().get("filter"), location);
        }
        if (e.get().containsKey("branch")) {
            return stepReader.branch(e.get().get("branch"), location);
        }
        if (e.get().containsKey("call")) {
            return stepReader.call(e.get().get("call"), location);
        }
        if (e.get().containsKey("transform")) {
            return transforms.read(yaml, e.get().get("transform"), location).map(Step.class::cast);
        }
        if (e.get().containsKey("rules")) {
            Node filesNode = e.get().get("rules");
            return yaml.strings(filesNode, "rules").flatMap(files -> rules(yaml, filesNode, files, entity))
                    .map(files -> new Step.Rules(files, location));
        }
        Node syncNode = e.get().get("sync");
        Optional<Map<String, Node>> sync = yaml.mapping(syncNode, "sync", YamlFile.keys("to", "enforce", "fields", "retry"));
        if (sync.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> set = Map.of();
        if (sync.get().containsKey("fields")) {
            Optional<Map<String, Object>> read = stepReader.templates(sync.get().get("fields"), "sync.fields");
            if (read.isEmpty()) {
                return Optional.empty();
            }
            set = read.get();
            if (set.isEmpty()) {
                yaml.error(sync.get().get("fields"), "sync.fields lists no field");
                return Optional.empty();
            }
        }
        Node toNode = sync.get().get("to");
        if (toNode == null) {
            yaml.error(syncNode, "sync needs 'to': the systems to write to, like { to: [erp] }");
            return Optional.empty();
        }
        Optional<List<String>> targets = yaml.strings(toNode, "sync.to");
        if (targets.isEmpty()) {
            return Optional.empty();
        }
        boolean ok = true;
        for (String target : targets.get()) {
            if (!knownSystem(yaml, toNode, target)) {
                ok = false;
            } else if (target.equals(source) && set.isEmpty()) {
                yaml.error(toNode, "sync.to names '" + target + "', the flow's own source: a record never goes back where it came from"
                        + " (only values a sync names in its 'fields', like a call's result, may)");
                ok = false;
            } else if (entity != null) {
                Optional<EntityConfig> mapped = systems.get(target).entity(entity);
                if (mapped.isEmpty()) {
                    yaml.error(toNode, "system '" + target + "' has no entity '" + entity + "' in steward.yaml");
                    ok = false;
                } else if (!set.isEmpty()) {
                    for (String field : set.keySet()) {
                        if (!mapped.get().fields().containsKey(field)) {
                            yaml.error(YamlFile.keyNode(sync.get().get("fields"), field).orElse(toNode), "field '" + field
                                    + "' is not mapped for " + target + "." + entity + " in steward.yaml: there is no column"
                                    + " or property to write it to");
                            ok = false;
                        }
                    }
                } else {
                    for (String field : fields.keySet()) {
                        if (!mapped.get().fields().containsKey(field)) {
                            yaml.warning(toNode, "field '" + field + "' is not mapped for " + target + "." + entity
                                    + " in steward.yaml; it will not be written there");
                        }
                    }
                }
            }
        }
        boolean enforce = false;
        if (sync.get().containsKey("enforce")) {
            Optional<String> flag = yaml.string(sync.get().get("enforce"), "sync.enforce");
            if (flag.isPresent() && !flag.get().equals("true") && !flag.get().equals("false")) {
                yaml.error(sync.get().get("enforce"), "sync.enforce must be true or false, not '" + flag.get() + "'");
                ok = false;
            }
            enforce = flag.map("true"::equals).orElse(false);
            if (enforce && !set.isEmpty()) {
                yaml.error(sync.get().get("enforce"), "enforce heals accepted changes; a sync with 'fields' writes its own"
                        + " values instead: use one or the other");
                ok = false;
            }
        }
        RetrySettings retry = sync.get().containsKey("retry")
                ? new DeliveryReader(yaml).retry(sync.get().get("retry"), "sync.retry") : RetrySettings.NONE;
        return ok ? Optional.of(new Step.Sync(targets.get(), enforce, new SourceLocation(yaml.file, YamlFile.line(node)), retry, set))
                : Optional.empty();
    }

    private Optional<List<String>> rules(YamlFile yaml, Node node, List<String> files, String entity) {
        List<MastershipTable> tables = new ArrayList<>();
        List<DecisionTable> decisions = new ArrayList<>();
        List<DrlSource> sources = new ArrayList<>();
        boolean ok = true;
        for (String file : files) {
            String name = file.startsWith("rules/") ? file.substring("rules/".length()) : file;
            if (mastership.containsKey(name)) {
                tables.add(mastership.get(name));
            } else if (decisionTables.containsKey(name)) {
                DecisionTable table = decisionTables.get(name);
                decisions.add(table);
                if (entity != null && !table.entity().equals(entity)) {
                    yaml.warning(node, "rules/" + name + " decides " + table.entity() + " changes; this flow's "
                            + entity + " changes never match it");
                }
            } else if (drl.containsKey(name)) {
                sources.add(drl.get(name));
            } else {
                Set<String> known = new java.util.TreeSet<>(mastership.keySet());
                known.addAll(decisionTables.keySet());
                known.addAll(drl.keySet());
                yaml.error(node, "no rule file rules/" + name + (known.isEmpty() ? "" : " (there are: " + String.join(", ", known) + ")")
                        + " — or it did not load; see its own errors");
                ok = false;
            }
        }
        if (!ok) {
            return Optional.empty();
        }
        CompiledRules compiled = compiler.compile(tables, decisions, sources);
        ruleDiagnostics.addAll(compiled.diagnostics());
        if (compiled.ruleSet().isEmpty()) {
            yaml.error(node, "the rules do not compile: " + compiled.diagnostics().stream()
                    .filter(Diagnostic::isError).findFirst().map(Diagnostic::toString).orElse("see the rule files"));
            return Optional.empty();
        }
        return Optional.of(files.stream().map(f -> f.startsWith("rules/") ? f.substring(6) : f).toList());
    }

    private void warnUnmastered(YamlFile yaml, Node fieldsNode, String entity, Map<String, String> fields, List<String> ruleFiles) {
        List<MastershipTable> tables = ruleFiles.stream().map(mastership::get).filter(java.util.Objects::nonNull).toList();
        if (tables.isEmpty()) {
            return;
        }
        boolean acceptUnmastered = tables.stream().flatMap(t -> t.unmastered().stream())
                .anyMatch(p -> p.entity().equals(entity) && p.accept());
        for (String field : fields.keySet()) {
            boolean mastered = tables.stream().flatMap(t -> t.rows().stream())
                    .anyMatch(r -> r.entity().equals(entity) && r.fields().contains(field));
            if (!mastered && !acceptUnmastered) {
                yaml.warning(YamlFile.keyNode(fieldsNode, field).orElse(fieldsNode), "no mastership row masters "
                        + entity + "." + field + ": its changes will be rejected with 'no master'");
            }
        }
    }

    private boolean knownSystem(YamlFile yaml, Node node, String name) {
        if (systems.containsKey(name)) {
            return true;
        }
        yaml.error(node, "unknown system '" + name + "' (steward.yaml declares: "
                + String.join(", ", SettingsReader.names(systems)) + ")");
        return false;
    }

    private static <T> Optional<T> missing(YamlFile yaml, Node node, String key) {
        yaml.error(node, "a flow needs '" + key + "'");
        return Optional.empty();
    }
}
