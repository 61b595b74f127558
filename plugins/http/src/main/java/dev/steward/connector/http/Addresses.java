package dev.steward.connector.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Where an address really points, and whether it is a cloud metadata or link-local one. */
final class Addresses {

    /** The well-known NAT64 prefix 64:ff9b::/96: the last four bytes are an IPv4 address reached through it. */
    private static final byte[] NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    /** The local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215), inside which an operator picks the length. */
    private static final byte[] NAT64_LOCAL = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 1};
    /**
     * Where RFC 6052 puts the IPv4 address for each NAT64 prefix length that fits in 64:ff9b:1::/48
     * (48, 56, 64 and 96 bits); byte 8 is always skipped.
     */
    private static final int[][] NAT64_LOCAL_LAYOUTS = {{6, 7, 9, 10}, {7, 9, 10, 11}, {9, 10, 11, 12}, {12, 13, 14, 15}};

    // after the prefixes: Network.parse reads addresses through canonical()
    private static final Network LINK_LOCAL_V4 = Network.parse("169.254.0.0/16").orElseThrow();
    private static final Network LINK_LOCAL_V6 = Network.parse("fe80::/10").orElseThrow();
    /** AWS's IPv6 instance metadata; Alibaba's metadata, which is not link-local. */
    private static final Network AWS_METADATA_V6 = Network.parse("fd00:ec2::254/128").orElseThrow();
    private static final Network ALIBABA_METADATA = Network.parse("100.100.100.200/32").orElseThrow();

    private Addresses() {
    }

    /**
     * The IPv4 address an IPv6 address stands for (IPv4-mapped {@code ::ffff:a.b.c.d},
     * IPv4-translated {@code ::ffff:0:a.b.c.d}, IPv4-compatible {@code ::a.b.c.d}, NAT64
     * {@code 64:ff9b::a.b.c.d}), else the address itself. Used to show an address and to match it
     * against networks; {@link #carried} also names the IPv4 addresses a tunnel leads to.
     */
    static InetAddress canonical(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] b = address.getAddress();
        if (isZero(b, 0, 10) && b[10] == (byte) 0xff && b[11] == (byte) 0xff
                || isZero(b, 0, 8) && b[8] == (byte) 0xff && b[9] == (byte) 0xff && b[10] == 0 && b[11] == 0
                || isZero(b, 0, 12) && (b[12] | b[13] | b[14]) != 0
                || Arrays.equals(Arrays.copyOf(b, 12), NAT64)) {
            return ipv4(b, 12, 13, 14, 15);
        }
        return address;
    }

    /**
     * Every IPv4 address that traffic to this IPv6 address may end up at: the one
     * {@link #canonical} finds, the 6to4 router ({@code 2002:AABB:CCDD::/48}), the Teredo server
     * and client ({@code 2001:0::/32}, the client's address inverted in the last four bytes), an
     * ISATAP interface ({@code ::5efe:a.b.c.d}) and each place a local-use NAT64 prefix may carry
     * one. Empty for an IPv4 address or an IPv6 address that carries none.
     */
    static List<InetAddress> carried(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return List.of();
        }
        byte[] b = address.getAddress();
        List<InetAddress> found = new ArrayList<>();
        InetAddress real = canonical(address);
        if (real != address) {
            found.add(real);
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            found.add(ipv4(b, 2, 3, 4, 5));
        }
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
            found.add(ipv4(b, 4, 5, 6, 7));
            found.add(inverted(ipv4(b, 12, 13, 14, 15)));
        }
        if ((b[8] & 0xfc) == 0 && b[9] == 0 && b[10] == 0x5e && b[11] == (byte) 0xfe) {
            found.add(ipv4(b, 12, 13, 14, 15));
        }
        if (Arrays.equals(Arrays.copyOf(b, 6), NAT64_LOCAL)) {
            for (int[] layout : NAT64_LOCAL_LAYOUTS) {
                found.add(ipv4(b, layout));
            }
        }
        return found;
    }

    /** The link-local or metadata address this address is or leads to, if it is or leads to one. */
    static Optional<InetAddress> linkLocalOrMetadata(InetAddress address) {
        InetAddress real = canonical(address);
        if (isLinkLocalOrMetadataItself(real)) {
            return Optional.of(real);
        }
        return carried(address).stream().filter(Addresses::isLinkLocalOrMetadataItself).findFirst();
    }

    /** True for link-local addresses and the cloud metadata services, in any spelling. */
    static boolean isLinkLocalOrMetadata(InetAddress address) {
        return linkLocalOrMetadata(address).isPresent();
    }

    private static boolean isLinkLocalOrMetadataItself(InetAddress real) {
        return LINK_LOCAL_V4.contains(real) || LINK_LOCAL_V6.contains(real) || AWS_METADATA_V6.contains(real)
                || ALIBABA_METADATA.contains(real) || real.isLinkLocalAddress();
    }

    private static boolean isZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress ipv4(byte[] bytes, int... at) {
        byte[] four = new byte[4];
        for (int i = 0; i < 4; i++) {
            four[i] = bytes[at[i]];
        }
        try {
            return Inet4Address.getByAddress(four);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static InetAddress inverted(InetAddress address) {
        byte[] four = address.getAddress();
        for (int i = 0; i < 4; i++) {
            four[i] = (byte) ~four[i];
        }
        return ipv4(four, 0, 1, 2, 3);
    }
}
