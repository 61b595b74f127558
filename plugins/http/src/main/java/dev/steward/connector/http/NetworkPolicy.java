package dev.steward.connector.http;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses one system may be reached at. Link-local and cloud metadata addresses, and
 * IPv6 addresses that lead to one (mapped, translated, 6to4, NAT64, Teredo, ISATAP), are
 * refused unless the system sets {@code allowLinkLocal: true}; when the deployment
 * ({@code STEWARD_ALLOWED_NETWORKS}) or the system ({@code allowedNetworks}) names networks,
 * an address must be inside every list that is given. Private and loopback addresses are
 * allowed otherwise: on-premise ERPs live there. Immutable.
 *
 * @param deployment networks every system is restricted to; empty: no restriction
 * @param system     networks this system is restricted to; empty: no restriction
 */
record NetworkPolicy(boolean allowLinkLocal, List<Network> deployment, List<Network> system) {

    static final String ENV = "STEWARD_ALLOWED_NETWORKS";

    NetworkPolicy {
        deployment = List.copyOf(deployment);
        system = List.copyOf(system);
    }

    static NetworkPolicy open() {
        return new NetworkPolicy(false, List.of(), List.of());
    }

    /** Why the address is refused, or empty when it is allowed. */
    Optional<String> refusal(InetAddress address) {
        InetAddress real = Addresses.canonical(address);
        String shown = real.getHostAddress();
        Optional<InetAddress> linkLocal = allowLinkLocal ? Optional.empty() : Addresses.linkLocalOrMetadata(address);
        if (linkLocal.isPresent()) {
            String what = linkLocal.get().equals(real) ? shown + " is"
                    : shown + " leads to " + linkLocal.get().getHostAddress() + ",";
            return Optional.of(what + " a link-local or cloud metadata address (set allowLinkLocal: true"
                    + " on the system if it really lives there)");
        }
        if (!deployment.isEmpty() && deployment.stream().noneMatch(n -> n.contains(address))) {
            return Optional.of(shown + " is outside the networks " + ENV + " allows (" + deployment + ")");
        }
        if (!system.isEmpty() && system.stream().noneMatch(n -> n.contains(address))) {
            return Optional.of(shown + " is outside the system's allowedNetworks (" + system + ")");
        }
        return Optional.empty();
    }
}
