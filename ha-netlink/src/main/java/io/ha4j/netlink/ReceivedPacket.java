package io.ha4j.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * What is known about one received VRRP packet besides its payload: IP source and destination (as bytes: 4 for IPv4,
 * 16 for IPv6), the interface it arrived on, its TTL / hop limit (255 for a VRRP packet that crossed no router), the
 * payload's length on the wire, whether the payload was cut short, and whether the kernel already verified the
 * checksum (IPv6 raw sockets with {@code IPV6_CHECKSUM}).
 *
 * <p>The one packet-metadata type of ha4j: {@link VrrpSocket#receive(java.nio.ByteBuffer, ReceivedPacket)} fills it,
 * and ha-vrrp's transports hand the same object to the instance ({@code VrrpTransport.Receiver#onPacket}), so nothing
 * is copied field by field on the way. Mutable and owned by the receiving side, which refills it for every packet,
 * so that receiving allocates nothing: read the addresses through {@link #sourceBytes()} / {@link #destinationBytes()}
 * and their lengths; {@link #source()} and {@link #destination()} build {@link InetAddress}es on each call, for tests
 * and logs. A receiver copies what it keeps before its callback returns. Not thread-safe: one thread fills it and
 * reads it.
 */
public final class ReceivedPacket {

    private final byte[] source = new byte[16];
    private final byte[] destination = new byte[16];
    private int sourceLength;
    private int destinationLength;
    private int interfaceIndex;
    private int ttl = -1;
    private int wireLength = -1;
    private boolean truncated;
    private boolean checksumVerified;

    /** An empty record (every field "unknown"), to be filled by a socket or a transport. */
    public ReceivedPacket() {
    }

    /** Resets every field to "unknown". */
    public ReceivedPacket clear() {
        sourceLength = 0;
        destinationLength = 0;
        interfaceIndex = 0;
        ttl = -1;
        wireLength = -1;
        truncated = false;
        checksumVerified = false;
        return this;
    }

    /** The IP source: 4 or 16 bytes of {@code address} from {@code offset}. */
    public ReceivedPacket source(byte[] address, int offset, int length) {
        checkLength(length);
        System.arraycopy(address, offset, source, 0, length);
        sourceLength = length;
        return this;
    }

    public ReceivedPacket source(InetAddress address) {
        byte[] a = address.getAddress();
        return source(a, 0, a.length);
    }

    /** The IP destination (the group, or our unicast address): 4 or 16 bytes of {@code address} from {@code offset}. */
    public ReceivedPacket destination(byte[] address, int offset, int length) {
        checkLength(length);
        System.arraycopy(address, offset, destination, 0, length);
        destinationLength = length;
        return this;
    }

    /** The IP destination; null for "unknown". */
    public ReceivedPacket destination(InetAddress address) {
        if (address == null) {
            destinationLength = 0;
            return this;
        }
        byte[] a = address.getAddress();
        return destination(a, 0, a.length);
    }

    /** IPv4 TTL or IPv6 hop limit; -1 if unknown (then the TTL check is skipped). */
    public ReceivedPacket ttl(int ttl) {
        this.ttl = ttl;
        return this;
    }

    /** Ingress interface index; 0 if unknown. */
    public ReceivedPacket interfaceIndex(int index) {
        this.interfaceIndex = index;
        return this;
    }

    /** The payload's length as sent (without the IP header), even when truncated; -1 if unknown. */
    public ReceivedPacket wireLength(int length) {
        this.wireLength = length;
        return this;
    }

    /** Whether fewer bytes than {@link #wireLength()} were stored (buffer too small, kernel truncation). */
    public ReceivedPacket truncated(boolean truncated) {
        this.truncated = truncated;
        return this;
    }

    /** Whether the kernel already verified the checksum (IPv6 with {@code IPV6_CHECKSUM}); then it is not recomputed. */
    public ReceivedPacket checksumVerified(boolean verified) {
        this.checksumVerified = verified;
        return this;
    }

    /** {@link VrrpSocket} wrote the address bytes into {@link #sourceBytes()} / {@link #destinationBytes()} directly. */
    void filled(int sourceLength, int destinationLength, int interfaceIndex, int ttl, int wireLength, boolean truncated,
                boolean checksumVerified) {
        this.sourceLength = sourceLength;
        this.destinationLength = destinationLength;
        this.interfaceIndex = interfaceIndex;
        this.ttl = ttl;
        this.wireLength = wireLength;
        this.truncated = truncated;
        this.checksumVerified = checksumVerified;
    }

    /** Copies every field of {@code other} into this. */
    public ReceivedPacket copyFrom(ReceivedPacket other) {
        System.arraycopy(other.source, 0, source, 0, 16);
        sourceLength = other.sourceLength;
        System.arraycopy(other.destination, 0, destination, 0, 16);
        destinationLength = other.destinationLength;
        interfaceIndex = other.interfaceIndex;
        ttl = other.ttl;
        wireLength = other.wireLength;
        truncated = other.truncated;
        checksumVerified = other.checksumVerified;
        return this;
    }

    /** The sender's IP address bytes (the IPv4 header's source; the IPv6 source), the first {@link #sourceLength()}. */
    public byte[] sourceBytes() {
        return source;
    }

    /** 4 (IPv4), 16 (IPv6), or 0 if unknown. */
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

    /** 4, 16, or 0 if unknown (the kernel gave none). */
    public int destinationLength() {
        return destinationLength;
    }

    /** Byte {@code i} of the source address. */
    public byte sourceByte(int i) {
        return source[i];
    }

    /** Byte {@code i} of the destination address. */
    public byte destinationByte(int i) {
        return destination[i];
    }

    /** The sender's IP address, as a new {@link InetAddress} (allocates); null if unknown. */
    public InetAddress source() {
        return address(source, sourceLength);
    }

    /** The IP destination as a new {@link InetAddress} (allocates); null if unknown. */
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

    /** The payload's length as sent (without the IP header), even when truncated; -1 if unknown. */
    public int wireLength() {
        return wireLength;
    }

    public boolean truncated() {
        return truncated;
    }

    public boolean checksumVerified() {
        return checksumVerified;
    }

    /** {@code bytes} as a host address for logs, or {@code "?"} when unknown (allocates). */
    public static String format(byte[] bytes, int length) {
        InetAddress a = address(bytes, length);
        return a == null ? "?" : a.getHostAddress();
    }

    private static InetAddress address(byte[] bytes, int length) {
        if (length == 0) {
            return null;
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOf(bytes, length));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    private static void checkLength(int length) {
        if (length != 4 && length != 16) {
            throw new IllegalArgumentException("address length must be 4 or 16, was " + length);
        }
    }

    @Override
    public String toString() {
        return "ReceivedPacket{" + format(source, sourceLength) + " -> " + format(destination, destinationLength)
                + ", ifindex " + interfaceIndex + ", ttl " + ttl + ", length " + wireLength
                + (truncated ? ", truncated" : "") + (checksumVerified ? ", checksum verified" : "") + "}";
    }
}
