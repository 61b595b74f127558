package dev.steward.connector.js;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Value;

/**
 * Copies a script's result out of its context as plain Java values ({@code LinkedHashMap},
 * {@code ArrayList}, {@code String}, {@code Integer}/{@code Long}/{@code Double},
 * {@code Boolean}, {@code null}), counting its JSON size as it goes so that an oversized or
 * cyclic result stops early. Must run on the thread that holds the context, under the watchdog:
 * reading a member may run a getter.
 */
final class GuestValues {

    static final int MAX_DEPTH = 64;

    /** The result is not what Steward can take; {@code tooLarge} tells which budget it broke. */
    static final class Unacceptable extends RuntimeException {
        final boolean tooLarge;

        Unacceptable(String message, boolean tooLarge) {
            super(message, null, false, false);
            this.tooLarge = tooLarge;
        }
    }

    private final int maxChars;
    private int chars;

    private GuestValues(int maxChars) {
        this.maxChars = maxChars;
    }

    /** A JavaScript object as a map; throws {@link Unacceptable} for anything else. */
    static Map<String, Object> object(Value value, int maxChars, String what) {
        if (value == null || value.isNull() || value.hasArrayElements() || value.canExecute() || !value.hasMembers()
                || value.isString() || value.isNumber() || value.isBoolean()) {
            throw new Unacceptable(what + " must be an object, not " + describe(value), false);
        }
        return new GuestValues(maxChars).map(value, 0);
    }

    /** Any JSON-like value. */
    static Object any(Value value, int maxChars) {
        return new GuestValues(maxChars).copy(value, 0);
    }

    private Object copy(Value value, int depth) {
        if (value.isNull()) {
            count(4);
            return null;
        }
        if (value.isBoolean()) {
            count(5);
            return value.asBoolean();
        }
        if (value.isString()) {
            String s = value.asString();
            count(s.length() + 2);
            return s;
        }
        if (value.isNumber()) {
            return number(value);
        }
        if (value.isInstant()) {
            String s = value.asInstant().toString();
            count(s.length() + 2);
            return s;
        }
        if (depth >= MAX_DEPTH) {
            throw new Unacceptable("the result is nested deeper than " + MAX_DEPTH + " levels (a cycle?)", false);
        }
        if (value.hasArrayElements()) {
            long size = value.getArraySize();
            count(2 + size);
            List<Object> list = new ArrayList<>((int) Math.min(size, 1024));
            for (long i = 0; i < size; i++) {
                list.add(copy(value.getArrayElement(i), depth + 1));
            }
            return list;
        }
        if (value.canExecute() || !value.hasMembers()) {
            throw new Unacceptable("the result holds " + describe(value) + ", which JSON cannot carry", false);
        }
        return map(value, depth);
    }

    private Map<String, Object> map(Value value, int depth) {
        count(2);
        Map<String, Object> map = new LinkedHashMap<>();
        for (String key : value.getMemberKeys()) {
            Value member = value.getMember(key);
            if (member == null || member.canExecute()) {
                continue; // JSON.stringify leaves functions out too
            }
            count(key.length() + 4);
            map.put(key, copy(member, depth + 1));
        }
        return map;
    }

    private Object number(Value value) {
        Object n;
        if (value.fitsInInt()) {
            n = value.asInt();
        } else if (value.fitsInLong()) {
            n = value.asLong();
        } else if (value.fitsInDouble()) {
            double d = value.asDouble();
            if (!Double.isFinite(d)) {
                throw new Unacceptable("the result holds " + d + ", which JSON cannot carry", false);
            }
            n = d;
        } else {
            throw new Unacceptable("the result holds a number too large for a double (" + value + ")", false);
        }
        count(n.toString().length());
        return n;
    }

    private void count(long more) {
        chars += (int) Math.min(more, Integer.MAX_VALUE);
        if (chars > maxChars || chars < 0) {
            throw new Unacceptable("the result is larger than " + maxChars + " characters of JSON", true);
        }
    }

    static String describe(Value value) {
        if (value == null || value.isNull()) {
            return "null";
        }
        if (value.canExecute()) {
            return "a function";
        }
        if (value.hasArrayElements()) {
            return "an array";
        }
        if (value.isString()) {
            return "a string";
        }
        if (value.isNumber()) {
            return "a number";
        }
        if (value.isBoolean()) {
            return "a boolean";
        }
        return "a " + value.getMetaObject();
    }
}
