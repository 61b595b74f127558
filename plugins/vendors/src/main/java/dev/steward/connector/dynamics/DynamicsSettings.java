package dev.steward.connector.dynamics;

import dev.steward.connector.http.SystemHttp;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The settings of a {@code connector: dynamics} system, read and checked once: the
 * environment's URL, the Entra ID app's client credentials, and per entity the entity set,
 * the alternate key and the write mode. Immutable; the client secret is never shown.
 *
 * @param environmentUrl the environment, {@code https://contoso.crm.dynamics.com}, no trailing slash
 * @param apiBase        the Web API root, {@code {environmentUrl}/api/data/v9.2/}
 * @param tokenUrl       Entra ID's token endpoint for the tenant
 * @param clientId       the app registration's client id
 * @param clientSecret   its client secret
 * @param scope          {@code {environmentUrl}/.default} unless set
 * @param pageSize       records per page when listing (Dataverse's maximum is 5000)
 * @param entities       per canonical entity name
 */
record DynamicsSettings(String environmentUrl, URI apiBase, URI tokenUrl, String clientId, String clientSecret,
                        String scope, int pageSize, Map<String, Entity> entities) {

    static final String DEFAULT_AUTHORITY = "https://login.microsoftonline.com";
    static final String DEFAULT_API_VERSION = "v9.2";
    static final int DEFAULT_PAGE_SIZE = 500;
    static final int MAX_PAGE_SIZE = 5000;

    private static final Pattern ATTRIBUTE = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern BIND = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*@odata\\.bind");
    private static final Pattern ENTITY_SET = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9.-]+");
    private static final Pattern API_VERSION = Pattern.compile("v\\d+\\.\\d+");

    /** How an entity's writes treat a record that does or does not exist yet. */
    enum WriteMode {
        /** {@code PATCH} creates or updates (Dataverse's upsert). */
        UPSERT,
        /** {@code If-Match: *}: updates only; a missing record is refused. */
        UPDATE_ONLY,
        /** {@code If-None-Match: *}: creates only; an existing record is refused. */
        CREATE_ONLY
    }

    /**
     * One entity of the system.
     *
     * @param entitySet   the Web API entity set ({@code accounts})
     * @param key         the alternate key attribute Steward's keys are values of
     *                    ({@code accountnumber}), or empty when the keys are the rows' GUIDs
     * @param idAttribute the primary id attribute ({@code accountid})
     * @param write       upsert, update only or create only
     * @param fields      canonical name to native attribute name, as mapped
     */
    record Entity(String entitySet, Optional<String> key, String idAttribute, WriteMode write,
                  Map<String, String> fields) {

        /** The attributes to {@code $select}: the mapped ones that can be read, the key and the id. */
        List<String> select() {
            List<String> select = new ArrayList<>();
            for (String attribute : fields.values()) {
                if (!attribute.endsWith("@odata.bind") && !select.contains(attribute)) {
                    select.add(attribute);
                }
            }
            key.filter(k -> !select.contains(k)).ifPresent(select::add);
            if (!select.contains(idAttribute)) {
                select.add(idAttribute);
            }
            return select;
        }

        /** The attribute Steward's keys are values of. */
        String keyAttribute() {
            return key.orElse(idAttribute);
        }
    }

    @Override
    public String toString() {
        return "DynamicsSettings[environmentUrl=" + environmentUrl + ", tokenUrl=" + tokenUrl + ", clientId="
                + clientId + "]";
    }

    /** Reads the settings, adding a problem per wrong setting; null when there is any. */
    static DynamicsSettings read(SystemConfig config, List<ConfigProblem> problems) {
        int before = problems.size();
        String environmentUrl = required(config, "environmentUrl", problems);
        URI environment = null;
        if (environmentUrl != null) {
            environmentUrl = stripSlash(environmentUrl);
            environment = httpUrl("environmentUrl", environmentUrl, problems);
            if (environment != null) {
                problems.addAll(SystemHttp.validate(config, "environmentUrl", environmentUrl));
            }
        }
        String apiVersion = config.setting("apiVersion").orElse(DEFAULT_API_VERSION);
        if (!API_VERSION.matcher(apiVersion).matches()) {
            problems.add(new ConfigProblem("apiVersion", "must look like v9.2, not '" + apiVersion + "'"));
        }
        String clientId = required(config, "clientId", problems);
        String clientSecret = required(config, "clientSecret", problems);
        URI tokenUrl = tokenUrl(config, problems);
        String scope = config.setting("scope").orElse(environmentUrl == null ? null : environmentUrl + "/.default");
        int pageSize = pageSize(config, problems);
        Map<String, Entity> entities = new LinkedHashMap<>();
        if (config.entities().isEmpty()) {
            problems.add(new ConfigProblem("entities", "declare at least one entity with its entitySet"));
        }
        config.entities().values().stream()
                .sorted(java.util.Comparator.comparing(EntityConfig::name))
                .forEach(entity -> {
                    Entity read = entity(entity, problems);
                    if (read != null) {
                        entities.put(entity.name(), read);
                    }
                });
        if (problems.size() > before) {
            return null;
        }
        return new DynamicsSettings(environmentUrl, URI.create(environmentUrl + "/api/data/" + apiVersion + "/"),
                tokenUrl, clientId, clientSecret, scope, pageSize, entities);
    }

    private static URI tokenUrl(SystemConfig config, List<ConfigProblem> problems) {
        Optional<String> explicit = config.setting("tokenUrl");
        if (explicit.isPresent()) {
            URI uri = httpUrl("tokenUrl", explicit.get(), problems);
            if (uri != null) {
                urlProblems(config, "tokenUrl", explicit.get(), problems);
            }
            return uri;
        }
        String tenant = required(config, "tenantId", problems);
        if (tenant == null) {
            return null;
        }
        if (!TENANT.matcher(tenant).matches()) {
            problems.add(new ConfigProblem("tenantId", "must be the tenant's id (a GUID) or domain, not '" + tenant
                    + "'"));
            return null;
        }
        String authority = stripSlash(config.setting("authority").orElse(DEFAULT_AUTHORITY));
        URI uri = httpUrl("authority", authority, problems);
        if (uri == null) {
            return null;
        }
        urlProblems(config, "authority", authority, problems);
        return URI.create(authority + "/" + tenant + "/oauth2/v2.0/token");
    }

    /** Only the problems about this URL: the transport's own settings are checked with environmentUrl. */
    private static void urlProblems(SystemConfig config, String setting, String url, List<ConfigProblem> problems) {
        SystemHttp.validate(config, setting, url).stream()
                .filter(problem -> problem.path().equals(setting))
                .forEach(problems::add);
    }

    private static int pageSize(SystemConfig config, List<ConfigProblem> problems) {
        Object value = config.settings().get("pageSize");
        if (value == null) {
            return DEFAULT_PAGE_SIZE;
        }
        try {
            int size = Integer.parseInt(String.valueOf(value).trim());
            if (size >= 1 && size <= MAX_PAGE_SIZE) {
                return size;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        problems.add(new ConfigProblem("pageSize", "must be a whole number from 1 to " + MAX_PAGE_SIZE + ", not '"
                + value + "'"));
        return DEFAULT_PAGE_SIZE;
    }

    private static Entity entity(EntityConfig entity, List<ConfigProblem> problems) {
        String at = "entities." + entity.name() + ".";
        int before = problems.size();
        Optional<String> entitySet = entity.setting("entitySet");
        if (entitySet.isEmpty()) {
            problems.add(new ConfigProblem(at + "entitySet", "required: the Web API entity set, e.g. accounts"));
        } else if (!ENTITY_SET.matcher(entitySet.get()).matches()) {
            problems.add(new ConfigProblem(at + "entitySet", "'" + entitySet.get()
                    + "' is not an entity set name (letters, digits, _)"));
        }
        Optional<String> key = entity.setting("key");
        key.filter(k -> !ATTRIBUTE.matcher(k).matches()).ifPresent(k -> problems.add(new ConfigProblem(at + "key",
                "'" + k + "' is not an attribute's logical name (lower case letters, digits, _)")));
        String idAttribute = entity.setting("idAttribute").orElseGet(() -> defaultId(entitySet.orElse("")));
        if (!ATTRIBUTE.matcher(idAttribute).matches()) {
            problems.add(new ConfigProblem(at + "idAttribute", "'" + idAttribute
                    + "' is not an attribute's logical name; set the primary id attribute, e.g. accountid"));
        }
        WriteMode write = WriteMode.UPSERT;
        Optional<String> writeSetting = entity.setting("write");
        if (writeSetting.isPresent()) {
            switch (writeSetting.get()) {
                case "upsert" -> write = WriteMode.UPSERT;
                case "updateOnly" -> write = WriteMode.UPDATE_ONLY;
                case "createOnly" -> write = WriteMode.CREATE_ONLY;
                default -> problems.add(new ConfigProblem(at + "write", "must be upsert, updateOnly or createOnly, not '"
                        + writeSetting.get() + "'"));
            }
        }
        if (write == WriteMode.CREATE_ONLY && key.isEmpty()) {
            problems.add(new ConfigProblem(at + "write", "createOnly needs an alternate key (key:): Steward cannot"
                    + " choose a new row's GUID"));
        }
        for (Map.Entry<String, String> field : entity.fields().entrySet()) {
            String nativeName = field.getValue();
            if (!ATTRIBUTE.matcher(nativeName).matches() && !BIND.matcher(nativeName).matches()) {
                problems.add(new ConfigProblem(at + "fields." + field.getKey(), "'" + nativeName
                        + "' is not an attribute's logical name (lower case, e.g. creditlimit) nor a lookup"
                        + " binding (parentcustomerid_account@odata.bind)"));
            }
        }
        for (String setting : entity.settings().keySet()) {
            if (!List.of("entitySet", "key", "idAttribute", "write").contains(setting)) {
                problems.add(new ConfigProblem(at + setting, "unknown setting of a dynamics entity (entitySet, key,"
                        + " idAttribute, write, fields)"));
            }
        }
        if (problems.size() > before) {
            return null;
        }
        return new Entity(entitySet.orElseThrow(), key, idAttribute, write, entity.fields());
    }

    /** {@code accounts -> accountid}, {@code contacts -> contactid}: the usual primary id of an entity set. */
    static String defaultId(String entitySet) {
        String singular = entitySet.endsWith("s") ? entitySet.substring(0, entitySet.length() - 1) : entitySet;
        return singular.toLowerCase(Locale.ROOT) + "id";
    }

    private static String required(SystemConfig config, String setting, List<ConfigProblem> problems) {
        Optional<String> value = config.setting(setting).filter(v -> !v.isBlank());
        if (value.isEmpty()) {
            problems.add(new ConfigProblem(setting, "required for connector dynamics"));
            return null;
        }
        return value.get();
    }

    private static URI httpUrl(String setting, String url, List<ConfigProblem> problems) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null || !List.of("http", "https").contains(String.valueOf(uri.getScheme()))) {
                problems.add(new ConfigProblem(setting, "must be an http(s) URL with a host, not '" + url + "'"));
                return null;
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                problems.add(new ConfigProblem(setting, "must have no query or fragment: '" + url + "'"));
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            problems.add(new ConfigProblem(setting, "is not a URL: " + e.getMessage()));
            return null;
        }
    }

    private static String stripSlash(String url) {
        String trimmed = url.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }
}
