package io.ha4j.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What {@link VrrpSocket#receive(java.nio.ByteBuffer, ReceivedPacket)} learnt about one packet besides its payload:
 * IP source and destination, the interface it arrived on, its TTL / hop limit (255 for a VRRP packet that crossed no
 * router), the payload length on the wire and whether the payload was cut short.
 *
 * <p>Owned by the caller and refilled by every receive, so a receive loop allocates nothing per packet: read the
 * addresses through {@link #sourceBytes()} / {@link #destinationBytes()} and their lengths. {@link #source()} and
 * {@link #destination()} build {@link InetAddress}es on each call, for tests and logs. Not thread-safe: one
 * receiving thread fills it and reads it.
 */
public final class ReceivedPacket {

    private final byte[] source = new byte[16];
    private final byte[] destination = new byte[16];
    private int sourceLength;
    private int destinationLength;
    private int interfaceIndex;
    private int ttl = -1;
    private int length;
    private boolean truncated;

    /** An empty record, to be filled by {@link VrrpSocket#receive(java.nio.ByteBuffer, ReceivedPacket)}. */
    public ReceivedPacket() {
    }

    void clear() {
        sourceLength = 0;
        destinationLength = 0;
        interfaceIndex = 0;
        ttl = -1;
        length = 0;
        truncated = false;
    }

    /** The array the source address is written to; valid bytes: {@link #sourceLength()}. */
    byte[] sourceArray() {
        return source;
    }

    /** The array the destination address is written to; valid bytes: {@link #destinationLength()}. */
    byte[] destinationArray() {
        return destination;
    }

    void set(int sourceLength, int destinationLength, int interfaceIndex, int ttl, int length, boolean truncated) {
        this.sourceLength = sourceLength;
        this.destinationLength = destinationLength;
        this.interfaceIndex = interfaceIndex;
        this.ttl = ttl;
        this.length = length;
        this.truncated = truncated;
    }

    /** The sender's IP address bytes (the IPv4 header's source; the IPv6 source), the first {@link #sourceLength()}. */
    public byte[] sourceBytes() {
        return source;
    }

    /** 4 (IPv4) or 16 (IPv6). */
    public int sourceLength() {
        return sourceLength;
    }

    /**
     * The IP destination bytes (the VRRP group or this router's unicast address), the first
     * {@link #destinationLength()}.
     */
    public byte[] destinationBytes() {
        return destination;
    }

    /** 4, 16, or 0 if the kernel gave no destination. */
    public int destinationLength() {
        return destinationLength;
    }

    /** The sender's IP address, as a new {@link InetAddress} (allocates). */
    public InetAddress source() {
        return address(source, sourceLength);
    }

    /** The IP destination as a new {@link InetAddress} (allocates); null if the kernel gave none. */
    public InetAddress destination() {
        return address(destination, destinationLength);
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

    private static InetAddress address(byte[] bytes, int length) {
        if (length == 0) {
            return null;
        }
        try {
            return InetAddress.getByAddress(java.util.Arrays.copyOf(bytes, length));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    @Override
    public String toString() {
        InetAddress from = source();
        InetAddress to = destination();
        return "ReceivedPacket{" + (from == null ? "?" : from.getHostAddress()) + " -> "
                + (to == null ? "?" : to.getHostAddress()) + ", ifindex " + interfaceIndex
                + ", ttl " + ttl + ", length " + length + (truncated ? ", truncated" : "") + "}";
    }
}
