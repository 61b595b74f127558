package dev.steward.connector.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a host that is an IP address however it is spelled. Besides the usual forms, the C
 * resolver ({@code inet_aton}) takes IPv4 in decimal ({@code 2852039166}), octal
 * ({@code 0251.0376.0251.0376}), hex ({@code 0xA9FEA9FE}) and with fewer than four parts
 * ({@code 169.254.43518}); all of them must be recognised as the address they mean, or a
 * check on names would let {@code 169.254.169.254} through in disguise.
 */
final class AddressLiteral {

    private AddressLiteral() {
    }

    /** The address, when the host is an IP literal in any spelling; empty for a name. */
    static Optional<InetAddress> parse(String host) {
        String text = host.strip();
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        if (text.indexOf(':') >= 0) {
            int zone = text.indexOf('%');
            return ipv6(zone < 0 ? text : text.substring(0, zone));
        }
        if (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        return ipv4(text);
    }

    private static Optional<InetAddress> ipv6(String text) {
        if (!text.matches("[0-9A-Fa-f:.]+")) {
            return Optional.empty();
        }
        try {
            // a literal with ':' is never looked up in DNS
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<InetAddress> ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length < 1 || parts.length > 4) {
            return Optional.empty();
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Optional<Long> value = number(parts[i]);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            values[i] = value.get();
        }
        long address = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 0xFF) {
                return Optional.empty();
            }
            address = (address << 8) | values[i];
        }
        // the last part fills the bytes that are left
        int lastBytes = 4 - (parts.length - 1);
        long last = values[parts.length - 1];
        if (last >= (1L << (8 * lastBytes))) {
            return Optional.empty();
        }
        address = (address << (8 * lastBytes)) | last;
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> number(String part) {
        String lower = part.toLowerCase(Locale.ROOT);
        int radix = 10;
        String digits = lower;
        if (lower.startsWith("0x")) {
            radix = 16;
            digits = lower.substring(2);
        } else if (lower.length() > 1 && lower.startsWith("0")) {
            radix = 8;
            digits = lower.substring(1);
        }
        if (digits.isEmpty() && radix == 16) {
            digits = "0";
        }
        if (digits.isEmpty() || digits.length() > 12) {
            return Optional.empty();
        }
        for (char c : digits.toCharArray()) {
            if (Character.digit(c, radix) < 0) {
                return Optional.empty();
            }
        }
        return Optional.of(Long.parseLong(digits, radix));
    }
}
