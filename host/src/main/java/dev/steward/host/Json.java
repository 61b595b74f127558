package dev.steward.host;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.steward.run.Values;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;

/** JSON answers, written with Steward's one mapper so numbers keep their exact form. */
public final class Json {

    private Json() {
    }

    public static void send(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(Values.JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void error(Context ctx, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", message);
        send(ctx, status, body);
    }

    /** A map that keeps its keys in insertion order, built from key/value pairs. */
    public static Map<String, Object> object(Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                out.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return out;
    }

    /**
     * The request's body as a JSON object.
     *
     * @throws io.javalin.http.HttpResponseException 400 when it is not JSON, or not an object
     */
    public static com.fasterxml.jackson.databind.JsonNode requestObject(Context ctx) {
        com.fasterxml.jackson.databind.JsonNode body;
        try {
            body = dev.steward.run.Values.JSON.readTree(ctx.bodyAsBytes());
        } catch (java.io.IOException e) {
            throw new io.javalin.http.HttpResponseException(400, "the request is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new io.javalin.http.HttpResponseException(400, "the request must be a JSON object");
        }
        return body;
    }
}
