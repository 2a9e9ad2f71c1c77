package io.ha4j.vrrp;

import io.ha4j.netlink.VrrpSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link VrrpTransport.Factory} needs to open a transport for one instance: interface, address
 * family, the multicast group or the unicast peers, the configured source address, and the interfaces whose link
 * state to report. The groups and the protocol number are ha-netlink's {@link VrrpSocket#IPV4_GROUP},
 * {@link VrrpSocket#IPV6_GROUP} and {@link VrrpSocket#PROTOCOL}.
 */
public final class TransportSpec {

    private final String instanceName;
    private final String interfaceName;
    private final int virtualRouterId;
    private final boolean ipv6;
    private final InetAddress unicastSource;
    private final List<InetAddress> unicastPeers;
    private final List<String> trackedInterfaces;

    TransportSpec(String instanceName, String interfaceName, int virtualRouterId, boolean ipv6,
                  InetAddress unicastSource, List<InetAddress> unicastPeers, List<String> trackedInterfaces) {
        this.instanceName = instanceName;
        this.interfaceName = interfaceName;
        this.virtualRouterId = virtualRouterId;
        this.ipv6 = ipv6;
        this.unicastSource = unicastSource;
        this.unicastPeers = List.copyOf(unicastPeers);
        this.trackedInterfaces = List.copyOf(trackedInterfaces);
    }

    public String instanceName() {
        return instanceName;
    }

    public String interfaceName() {
        return interfaceName;
    }

    public int virtualRouterId() {
        return virtualRouterId;
    }

    public boolean isIpv6() {
        return ipv6;
    }

    /** Whether adverts go to the multicast group (no unicast peers configured). */
    public boolean isMulticast() {
        return unicastPeers.isEmpty();
    }

    /** The group of this family: 224.0.0.18 or ff02::12. */
    public InetAddress group() {
        return ipv6 ? VrrpSocket.IPV6_GROUP : VrrpSocket.IPV4_GROUP;
    }

    /** keepalived's {@code unicast_src_ip} / {@code mcast_src_ip}, if configured. */
    public Optional<InetAddress> unicastSource() {
        return Optional.ofNullable(unicastSource);
    }

    /** keepalived's {@code unicast_peer} list; empty for multicast. */
    public List<InetAddress> unicastPeers() {
        return unicastPeers;
    }

    /**
     * The interfaces whose link state the instance needs, each once: its own interface first, then its
     * {@code track_interface}s. The transport reports their changes through
     * {@link VrrpTransport.Receiver#interfaceStateChanged}.
     */
    public List<String> trackedInterfaces() {
        return trackedInterfaces;
    }

    @Override
    public String toString() {
        return "TransportSpec{" + instanceName + " dev " + interfaceName + " vrid " + virtualRouterId
                + (ipv6 ? " IPv6" : " IPv4") + (isMulticast() ? " multicast" : " unicast " + unicastPeers) + "}";
    }
}
