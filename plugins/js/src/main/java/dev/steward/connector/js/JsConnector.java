package dev.steward.connector.js;

import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.WriteOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A system made of two JavaScript functions. {@code read(entity, key, ctx)} returns the record
 * as an object, or {@code null}/{@code undefined} when there is none; {@code upsert(entity, key,
 * fields, ctx)} writes, and throws to refuse. {@code entity} is the canonical entity name;
 * {@code ctx} holds {@code system}, and for writes {@code eventId} and {@code idempotencyKey},
 * and a {@code log} function. Errors are {@link dev.steward.plugin.ScriptFailedException}s, not
 * retried. Every call starts from a clean scope (the script's top level runs again, the builtins
 * are frozen), so nothing is kept between calls. Thread-safe.
 */
final class JsConnector implements Connector {

    private final String system;
    private final ScriptPool pool;

    JsConnector(String system, ScriptPool pool) {
        this.system = system;
        this.pool = pool;
    }

    @Override
    public Optional<Map<String, Object>> read(EntityConfig entity, String key) {
        return pool.call("read", List.of(entity.name(), key), Map.of("system", system),
                (result, maxChars) -> result == null || result.isNull()
                        ? Optional.empty()
                        : Optional.of(GuestValues.object(result, maxChars, "the result of read")));
    }

    @Override
    public void upsert(EntityConfig entity, String key, Map<String, Object> fields, WriteOptions options) {
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("system", system);
        ctx.put("eventId", options == null ? null : options.eventId());
        ctx.put("idempotencyKey", options == null ? null : options.idempotencyKey());
        pool.call("upsert", List.of(entity.name(), key, fields), ctx, (result, maxChars) -> null);
    }

    @Override
    public void close() {
        pool.close();
    }
}
