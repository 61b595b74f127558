package dev.steward.connector.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into the addresses to connect to. The http connector checks each of them
 * and connects only to what it checked, so tests can stand in a resolver that answers without
 * DNS. Implementations must be thread-safe.
 */
@FunctionalInterface
interface HostResolver {

    List<InetAddress> resolve(String host) throws UnknownHostException;

    /**
     * IP literals in every spelling read here (never handed to the C resolver, which takes hex
     * and octal); names through the JDK's resolver.
     */
    static HostResolver system() {
        return host -> {
            var literal = AddressLiteral.parse(host);
            if (literal.isPresent()) {
                return List.of(literal.get());
            }
            return List.of(InetAddress.getAllByName(host));
        };
    }
}
