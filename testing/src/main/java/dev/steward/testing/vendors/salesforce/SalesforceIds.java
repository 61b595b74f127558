package dev.steward.testing.vendors.salesforce;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Salesforce record ids as the fake hands them out: a 3-character key prefix of the sObject type
 * ({@code 001} Account, {@code 003} Contact), a 2-character pod, a counter, and the 3-character
 * suffix Salesforce computes from the case of the 15-character id, so 18-character ids look and
 * check like real ones. Thread-safe.
 */
final class SalesforceIds {

    private static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    private final AtomicLong counter = new AtomicLong(1_000_000);

    /** A new 18-character id with this key prefix. */
    String next(String prefix) {
        StringBuilder body = new StringBuilder();
        long n = counter.incrementAndGet();
        for (int i = 0; i < 10; i++) {
            body.insert(0, DIGITS.charAt((int) (n % 62)));
            n /= 62;
        }
        return eighteen(prefix + "5g" + body);
    }

    /** The 18-character form of a 15-character id. */
    static String eighteen(String id15) {
        if (id15.length() != 15) {
            throw new IllegalArgumentException("a 15-character id is needed: " + id15);
        }
        StringBuilder out = new StringBuilder(id15);
        for (int chunk = 0; chunk < 3; chunk++) {
            int bits = 0;
            for (int i = 0; i < 5; i++) {
                char c = id15.charAt(chunk * 5 + i);
                if (c >= 'A' && c <= 'Z') {
                    bits |= 1 << i;
                }
            }
            out.append(SUFFIX.charAt(bits));
        }
        return out.toString();
    }

    /** The key prefix of a type: the standard ones, else a custom-object-like prefix from its name. */
    static String prefix(String type) {
        return switch (type) {
            case "Account" -> "001";
            case "Contact" -> "003";
            case "Opportunity" -> "006";
            case "Lead" -> "00Q";
            case "Case" -> "500";
            default -> "a0" + DIGITS.charAt(Math.floorMod(type.hashCode(), 62));
        };
    }
}
