package dev.steward.connector.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** Where an address really points, and whether it is a cloud metadata or link-local one. */
final class Addresses {

    private static final Network LINK_LOCAL_V4 = Network.parse("169.254.0.0/16").orElseThrow();
    private static final Network LINK_LOCAL_V6 = Network.parse("fe80::/10").orElseThrow();
    /** AWS's IPv6 instance metadata; Alibaba's metadata, which is not link-local. */
    private static final Network AWS_METADATA_V6 = Network.parse("fd00:ec2::254/128").orElseThrow();
    private static final Network ALIBABA_METADATA = Network.parse("100.100.100.200/32").orElseThrow();
    /** The well-known NAT64 prefix: the last four bytes are an IPv4 address reached through it. */
    private static final byte[] NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

    private Addresses() {
    }

    /**
     * The IPv4 address an IPv6 address carries (IPv4-mapped {@code ::ffff:a.b.c.d},
     * IPv4-compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d}), else the address itself.
     */
    static InetAddress canonical(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] b = address.getAddress();
        byte[] head = Arrays.copyOf(b, 12);
        boolean mapped = Arrays.equals(Arrays.copyOf(b, 10), new byte[10]) && b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        boolean compatible = Arrays.equals(head, new byte[12]) && (b[12] | b[13] | b[14]) != 0;
        if (mapped || compatible || Arrays.equals(head, NAT64)) {
            try {
                return Inet4Address.getByAddress(Arrays.copyOfRange(b, 12, 16));
            } catch (UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        return address;
    }

    /** True for link-local addresses and the cloud metadata services, in any spelling. */
    static boolean isLinkLocalOrMetadata(InetAddress address) {
        InetAddress real = canonical(address);
        return LINK_LOCAL_V4.contains(real) || LINK_LOCAL_V6.contains(real) || AWS_METADATA_V6.contains(real)
                || ALIBABA_METADATA.contains(real) || real.isLinkLocalAddress();
    }
}
