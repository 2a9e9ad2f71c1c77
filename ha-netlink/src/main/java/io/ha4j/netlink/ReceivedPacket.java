package io.ha4j.netlink;

import java.net.InetAddress;

/**
 * What {@link VrrpSocket#receive} learnt about one packet besides its payload: IP source and destination,
 * the interface it arrived on, its TTL / hop limit (255 for a VRRP packet that crossed no router), the
 * payload length on the wire and whether the payload was cut short.
 */
public final class ReceivedPacket {

    private final InetAddress source;
    private final InetAddress destination;
    private final int interfaceIndex;
    private final int ttl;
    private final int length;
    private final boolean truncated;

    ReceivedPacket(InetAddress source, InetAddress destination, int interfaceIndex, int ttl, int length,
                   boolean truncated) {
        this.source = source;
        this.destination = destination;
        this.interfaceIndex = interfaceIndex;
        this.ttl = ttl;
        this.length = length;
        this.truncated = truncated;
    }

    /** The sender's IP address (the IPv4 header's source; the IPv6 source). */
    public InetAddress source() {
        return source;
    }

    /** The IP destination: the VRRP group or this router's unicast address; null if the kernel gave none. */
    public InetAddress destination() {
        return destination;
    }

    /** The ingress interface index ({@code IP_PKTINFO} / {@code IPV6_PKTINFO}); 0 if unknown. */
    public int interfaceIndex() {
        return interfaceIndex;
    }

    /** IPv4 TTL from the header, or the IPv6 hop limit ({@code IPV6_HOPLIMIT}); -1 if unknown. */
    public int ttl() {
        return ttl;
    }

    /** The VRRP payload's length as sent (without the IP header), even when truncated. */
    public int length() {
        return length;
    }

    /** Whether fewer than {@link #length()} bytes were stored (buffer too small or kernel truncation). */
    public boolean truncated() {
        return truncated;
    }

    @Override
    public String toString() {
        return "ReceivedPacket{" + source.getHostAddress() + " -> "
                + (destination == null ? "?" : destination.getHostAddress()) + ", ifindex " + interfaceIndex
                + ", ttl " + ttl + ", length " + length + (truncated ? ", truncated" : "") + "}";
    }
}
