package dev.steward.run;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * Field values as Steward compares and stores them: JSON values in a canonical text form, so
 * that {@code 5000}, {@code 5000.0} and {@code 5000.00} from two systems are the same value.
 */
public final class Values {

    /**
     * The mapper for payloads: bounded nesting, string and number sizes; decimals kept exact; a key
     * repeated in one object is an error (a sender that repeats a key is broken or hostile; "last
     * one wins" would pick a value silently). {@link PayloadReader}
     * bounds numbers further, naming the field.
     */
    public static final ObjectMapper JSON = JsonMapper.builder(new com.fasterxml.jackson.core.JsonFactoryBuilder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(64).maxStringLength(1_000_000).maxNumberLength(1000).build())
                    .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private Values() {
    }

    /** The node at a dotted path ({@code item.sku}), or a missing node. */
    public static JsonNode at(JsonNode root, String dottedPath) {
        if (dottedPath.indexOf('.') < 0) { // the common case: a top-level field, no split
            JsonNode node = root != null && root.isObject() ? root.get(dottedPath) : null;
            return node == null ? MissingNode.getInstance() : node;
        }
        JsonNode node = root;
        for (String part : dottedPath.split("\\.")) {
            if (node == null || !node.isObject()) {
                return MissingNode.getInstance();
            }
            node = node.get(part);
        }
        return node == null ? MissingNode.getInstance() : node;
    }

    /**
     * Sets {@code value} at a dotted path ({@code item.sku}) of {@code root}, making the objects
     * on the way (a non-object on the way is replaced): the inverse of {@link #at}.
     */
    public static void put(ObjectNode root, String dottedPath, JsonNode value) {
        put(root, dottedPath.split("\\."), value);
    }

    /** {@link #put(ObjectNode, String, JsonNode)} with the path already split. */
    public static void put(ObjectNode root, String[] path, JsonNode value) {
        ObjectNode node = root;
        for (int i = 0; i < path.length - 1; i++) {
            node = node.get(path[i]) instanceof ObjectNode object ? object : node.putObject(path[i]);
        }
        node.set(path[path.length - 1], value);
    }

    /** A plain Java value (as connectors take them) as a JSON node. */
    public static JsonNode toNode(Object value) {
        // The scalars of plain(), without a round trip through Jackson's token buffer.
        return switch (value) {
            case null -> NullNode.getInstance();
            case String text -> TextNode.valueOf(text);
            case Long number -> LongNode.valueOf(number);
            case Integer number -> IntNode.valueOf(number);
            case BigDecimal number -> DecimalNode.valueOf(number);
            case Boolean bool -> BooleanNode.valueOf(bool);
            default -> JSON.valueToTree(value);
        };
    }

    /** The canonical text of a value: compact JSON, numbers without trailing zeros. */
    public static String canonical(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "null";
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) { // what the decimal below gives, without a BigDecimal
            return Long.toString(node.longValue());
        }
        if (node.isNumber()) {
            BigDecimal decimal = node.decimalValue();
            if (decimal.scale() == 0) { // a whole number: its digits are already the text below
                return decimal.toPlainString();
            }
            BigDecimal number = decimal.stripTrailingZeros();
            return number.scale() < 0 ? number.setScale(0).toPlainString() : number.toPlainString();
        }
        if (node.isContainerNode()) {
            try {
                return JSON.writeValueAsString(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        if (node.isTextual()) { // what node.toString() writes, without a generator per value
            String text = node.textValue();
            return plainText(text) ? '"' + text + '"'
                    : '"' + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + '"';
        }
        return node.toString();
    }

    /**
     * Whether JSON writes {@code text} between quotes as it is: no control character, quote or
     * backslash, the only characters Jackson escapes by default.
     */
    private static boolean plainText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code plain(parse(canonical))}: the plain value of a canonical text, without a parser for
     * the common texts (a string with nothing escaped, a whole number that fits a long, null,
     * true, false).
     */
    public static Object plainOf(String canonical) {
        int n = canonical.length();
        if (n >= 2 && canonical.charAt(0) == '"' && canonical.charAt(n - 1) == '"') {
            for (int i = 1; i < n - 1; i++) {
                char c = canonical.charAt(i);
                if (c < 0x20 || c == '"' || c == '\\') {
                    return plain(parse(canonical));
                }
            }
            return canonical.substring(1, n - 1);
        }
        switch (canonical) {
            case "null" -> {
                return null;
            }
            case "true" -> {
                return Boolean.TRUE;
            }
            case "false" -> {
                return Boolean.FALSE;
            }
            default -> {
            }
        }
        if (wholeNumber(canonical)) {
            return Long.parseLong(canonical);
        }
        return plain(parse(canonical));
    }

    /** {@code -?(0|[1-9][0-9]{0,17})}: a whole number JSON allows that a long holds. */
    private static boolean wholeNumber(String text) {
        int start = text.startsWith("-") ? 1 : 0;
        int digits = text.length() - start;
        if (digits < 1 || digits > 18 || (digits > 1 && text.charAt(start) == '0')) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The plain Java value of a node: String, BigDecimal or Long, Boolean, Map, List, null. */
    public static Object plain(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return JSON.convertValue(node, Object.class);
    }

    /** A plain value in canonical form: {@code 5000.00} and {@code 5000.0} both become {@code 5000}. */
    public static Object normalized(Object value) {
        return plain(parse(canonical(toNode(value))));
    }

    /** Parses canonical text back into a node. */
    public static JsonNode parse(String canonical) {
        try {
            return JSON.readTree(canonical);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + canonical, e);
        }
    }

    /** A record key from the payload: a string or a whole number, as text. */
    public static Optional<String> key(JsonNode node) {
        if (node.isTextual() && !node.textValue().isBlank()) {
            return Optional.of(node.textValue());
        }
        if (node.isIntegralNumber()) {
            return Optional.of(node.asText());
        }
        return Optional.empty();
    }
}
