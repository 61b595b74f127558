package dev.steward.connector.http;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A block of addresses in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}). IPv4 addresses
 * written as IPv6 ({@code ::ffff:10.1.2.3}) count as the IPv4 address they carry. Immutable.
 */
record Network(byte[] prefix, int bits, String text) {

    /** The network, or empty when the text is not {@code ADDRESS/BITS} or a plain address. */
    static Optional<Network> parse(String text) {
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String host = slash < 0 ? trimmed : trimmed.substring(0, slash);
        Optional<InetAddress> address = host.matches("[0-9A-Fa-f:.\\[\\]]+") ? AddressLiteral.parse(host) : Optional.empty();
        if (address.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = Addresses.canonical(address.get()).getAddress();
        int bits;
        try {
            bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(trimmed.substring(slash + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (bits < 0 || bits > bytes.length * 8) {
            return Optional.empty();
        }
        return Optional.of(new Network(bytes, bits, trimmed));
    }

    boolean contains(InetAddress address) {
        byte[] bytes = Addresses.canonical(address).getAddress();
        if (bytes.length != prefix.length) {
            return false;
        }
        for (int bit = 0; bit < bits; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((bytes[bit / 8] & mask) != (prefix[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Network n && n.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
