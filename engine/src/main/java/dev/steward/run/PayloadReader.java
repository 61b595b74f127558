package dev.steward.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a delivery's body into the JSON object Steward stores, strictly: the body must be UTF-8
 * (no overlong or otherwise invalid sequences), JSON with no key repeated within an object
 * ({@link Values#JSON} detects it), an object, and every number must be one that costs nothing to
 * compare and store: at most {@link #MAX_DIGITS} significant digits and a decimal exponent within
 * ±{@link #MAX_EXPONENT}. {@code 1e99999999} is ten characters, but written out it is a hundred
 * million digits. Stateless.
 */
public final class PayloadReader {

    /** Past every double ({@code 1.8e308}, {@code 4.9e-324}), short of numbers too long to write out. */
    public static final int MAX_EXPONENT = 400;
    public static final int MAX_DIGITS = 100;

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private PayloadReader() {
    }

    /**
     * The body as a JSON object.
     *
     * @throws PayloadRejectedException malformed (400) when it is not UTF-8 JSON or not an
     *                                  object; unusable (422) when a number is out of range
     */
    public static JsonNode read(byte[] body) {
        JsonNode payload;
        try {
            payload = Values.JSON.readTree(utf8(body));
        } catch (StreamConstraintsException e) {
            throw new PayloadRejectedException("the payload is too deep or too large: " + e.getOriginalMessage(), true);
        } catch (JsonProcessingException e) {
            throw new PayloadRejectedException("the payload is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), true);
        }
        if (payload == null || !payload.isObject()) {
            throw new PayloadRejectedException("the payload must be a JSON object", true);
        }
        Optional<String> number = numberOutOfRange(payload);
        if (number.isPresent()) {
            throw new PayloadRejectedException(number.get(), false);
        }
        return payload;
    }

    /** Why a number in the payload is out of range, naming its path; empty when every number is fine. */
    public static Optional<String> numberOutOfRange(JsonNode payload) {
        // The paths are only spelled out for the message: the walk that finds nothing builds none.
        return anyOutOfRange(payload) ? check(payload, "") : Optional.empty();
    }

    private static boolean anyOutOfRange(JsonNode node) {
        if (node.isNumber()) {
            return outOfRange(node, "").isPresent();
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (anyOutOfRange(child)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Optional<String> check(JsonNode node, String path) {
        if (node.isNumber()) {
            return outOfRange(node, path);
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                Optional<String> found = check(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey());
                if (found.isPresent()) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Optional<String> found = check(node.get(i), path + "[" + i + "]");
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> outOfRange(JsonNode node, String path) {
        if (!node.isBigDecimal() && !node.isBigInteger()) {
            return Optional.empty();
        }
        BigDecimal number = node.decimalValue();
        if (number.signum() == 0) {
            return Optional.empty();
        }
        number = number.stripTrailingZeros();
        long exponent = (long) number.precision() - number.scale() - 1;
        if (number.precision() > MAX_DIGITS) {
            return Optional.of("the number at '" + LogText.of(path) + "' has " + number.precision()
                    + " significant digits; at most " + MAX_DIGITS + " are accepted");
        }
        if (Math.abs(exponent) > MAX_EXPONENT) {
            return Optional.of("the number at '" + LogText.of(path) + "' is out of range: its exponent " + exponent
                    + " is beyond ±" + MAX_EXPONENT);
        }
        return Optional.empty();
    }

    /** The body decoded as UTF-8, refusing what is not UTF-8; a leading byte order mark is dropped. */
    private static String utf8(byte[] body) {
        ByteBuffer in = ByteBuffer.wrap(body);
        if (body.length >= 3 && body[0] == BOM[0] && body[1] == BOM[1] && body[2] == BOM[2]) {
            in.position(3);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new PayloadRejectedException("the payload is not valid UTF-8 (at byte " + in.position() + ")", true);
        }
    }
}
