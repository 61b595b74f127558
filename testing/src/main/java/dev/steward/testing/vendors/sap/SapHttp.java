package dev.steward.testing.vendors.sap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The {@link SapFake}'s HTTP plumbing: SAP Gateway's OData v2 error body, answers, query and cookie parsing. Stateless. */
final class SapHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SapHttp() {
    }

    static int number(String text, int fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                query.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    static Map<String, String> cookies(HttpExchange exchange) {
        Map<String, String> cookies = new LinkedHashMap<>();
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    cookies.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
                }
            }
        }
        return cookies;
    }

    /** Answers the OData v2 error body; {@code propertyref} names the refused property, or null. */
    static void error(HttpExchange exchange, int status, String code, String message, String propertyref)
            throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        ObjectNode text = error.putObject("message");
        text.put("lang", "en");
        text.put("value", message);
        ObjectNode inner = error.putObject("innererror");
        ObjectNode application = inner.putObject("application");
        application.put("component_id", "LO-MD-BP");
        application.put("service_namespace", "/SAP/");
        application.put("service_id", "API_BUSINESS_PARTNER");
        application.put("service_version", "0001");
        inner.put("transactionid", UUID.randomUUID().toString().replace("-", "").toUpperCase(java.util.Locale.ROOT));
        inner.put("timestamp", DateTimeFormatter.ofPattern("yyyyMMddHHmmss.SSSSSSS").format(LocalDateTime.now(ZoneOffset.UTC)));
        ArrayNode details = inner.putArray("errordetails");
        ObjectNode detail = details.addObject();
        detail.put("code", code);
        detail.put("message", message);
        detail.put("propertyref", propertyref == null ? "" : propertyref);
        detail.put("severity", "error");
        detail.put("target", "");
        send(exchange, status, "application/json", body.toString());
    }

    static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
        }
        boolean empty = bytes.length == 0 || exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, empty ? -1 : bytes.length);
        if (!empty) {
            exchange.getResponseBody().write(bytes);
        }
    }
}
