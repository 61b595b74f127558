package dev.steward.connector.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The only way the http client learns where to connect: it resolves the host once, checks
 * every address against the system's {@link NetworkPolicy}, and hands the client exactly the
 * addresses it checked. The client keeps the host name for the {@code Host} header, TLS SNI
 * and certificate checks, so nothing of the request changes but where it may go. If any
 * address is refused, all are: a name that resolves to one good and one bad address is
 * suspect. Thread-safe.
 */
final class CheckedDnsResolver implements DnsResolver {

    /** A host resolved to an address the policy refuses; never retried. */
    static final class RefusedAddressException extends UnknownHostException {
        RefusedAddressException(String message) {
            super(message);
        }
    }

    private final HostResolver resolver;
    private final NetworkPolicy policy;

    CheckedDnsResolver(HostResolver resolver, NetworkPolicy policy) {
        this.resolver = resolver;
        this.policy = policy;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        List<InetAddress> addresses = resolver.resolve(host);
        if (addresses.isEmpty()) {
            throw new UnknownHostException(host);
        }
        for (InetAddress address : addresses) {
            Optional<String> refusal = policy.refusal(address);
            if (refusal.isPresent()) {
                throw new RefusedAddressException("refused to connect to " + host + ": " + refusal.get());
            }
        }
        return addresses.toArray(InetAddress[]::new);
    }

    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        return Arrays.stream(resolve(host)).map(address -> new InetSocketAddress(address, port)).toList();
    }

    @Override
    public String resolveCanonicalHostname(String host) {
        // canonical names would mean another lookup; the host as written is what was checked
        return host;
    }
}
