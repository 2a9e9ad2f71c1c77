package io.ha4j.vrrp;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * What a {@link VrrpTransport} knows about one received packet besides its VRRP payload: IP source and
 * destination (as bytes: 4 for IPv4, 16 for IPv6), TTL / hop limit, ingress interface, the payload's length on
 * the wire, and whether the kernel already verified the checksum (IPv6 raw sockets with {@code IPV6_CHECKSUM}).
 *
 * <p>Mutable and meant to be reused by the transport for every packet, so that receiving allocates nothing;
 * the receiver copies what it needs before {@link VrrpTransport.Receiver#onPacket} returns.
 */
public final class PacketMetadata {

    private final byte[] source = new byte[16];
    private int sourceLength;
    private final byte[] destination = new byte[16];
    private int destinationLength;
    private int ttl = -1;
    private int interfaceIndex;
    private int wireLength = -1;
    private boolean truncated;
    private boolean checksumVerified;

    /** Resets every field to "unknown". */
    public PacketMetadata clear() {
        sourceLength = 0;
        destinationLength = 0;
        ttl = -1;
        interfaceIndex = 0;
        wireLength = -1;
        truncated = false;
        checksumVerified = false;
        return this;
    }

    /** The IP source: 4 or 16 bytes from {@code offset}. */
    public PacketMetadata source(byte[] address, int offset, int length) {
        checkLength(length);
        System.arraycopy(address, offset, source, 0, length);
        sourceLength = length;
        return this;
    }

    public PacketMetadata source(InetAddress address) {
        byte[] a = address.getAddress();
        return source(a, 0, a.length);
    }

    /** The IP destination (the group, or our unicast address): 4 or 16 bytes from {@code offset}. */
    public PacketMetadata destination(byte[] address, int offset, int length) {
        checkLength(length);
        System.arraycopy(address, offset, destination, 0, length);
        destinationLength = length;
        return this;
    }

    public PacketMetadata destination(InetAddress address) {
        if (address == null) {
            destinationLength = 0;
            return this;
        }
        byte[] a = address.getAddress();
        return destination(a, 0, a.length);
    }

    /** IPv4 TTL or IPv6 hop limit; -1 if unknown (then the TTL check is skipped). */
    public PacketMetadata ttl(int ttl) {
        this.ttl = ttl;
        return this;
    }

    /** Ingress interface index; 0 if unknown. */
    public PacketMetadata interfaceIndex(int index) {
        this.interfaceIndex = index;
        return this;
    }

    /** The payload's length as sent, if the transport knows it and it differs from the bytes delivered; -1 otherwise. */
    public PacketMetadata wireLength(int length) {
        this.wireLength = length;
        return this;
    }

    /** Whether the payload was cut short (buffer too small, {@code MSG_TRUNC}); such packets are dropped. */
    public PacketMetadata truncated(boolean truncated) {
        this.truncated = truncated;
        return this;
    }

    /** Whether the kernel already verified the checksum (IPv6 with {@code IPV6_CHECKSUM}); then it is not recomputed. */
    public PacketMetadata checksumVerified(boolean verified) {
        this.checksumVerified = verified;
        return this;
    }

    /** Copies every field of {@code other} into this. */
    public PacketMetadata copyFrom(PacketMetadata other) {
        System.arraycopy(other.source, 0, source, 0, 16);
        sourceLength = other.sourceLength;
        System.arraycopy(other.destination, 0, destination, 0, 16);
        destinationLength = other.destinationLength;
        ttl = other.ttl;
        interfaceIndex = other.interfaceIndex;
        wireLength = other.wireLength;
        truncated = other.truncated;
        checksumVerified = other.checksumVerified;
        return this;
    }

    public int sourceLength() {
        return sourceLength;
    }

    public int destinationLength() {
        return destinationLength;
    }

    public int ttl() {
        return ttl;
    }

    public int interfaceIndex() {
        return interfaceIndex;
    }

    public int wireLength() {
        return wireLength;
    }

    public boolean truncated() {
        return truncated;
    }

    public boolean checksumVerified() {
        return checksumVerified;
    }

    /** Byte {@code i} of the source address. */
    public byte sourceByte(int i) {
        return source[i];
    }

    /** Byte {@code i} of the destination address. */
    public byte destinationByte(int i) {
        return destination[i];
    }

    byte[] sourceBytes() {
        return source;
    }

    byte[] destinationBytes() {
        return destination;
    }

    private static void checkLength(int length) {
        if (length != 4 && length != 16) {
            throw new IllegalArgumentException("address length must be 4 or 16, was " + length);
        }
    }

    @Override
    public String toString() {
        return "PacketMetadata{" + hex(source, sourceLength) + " -> " + hex(destination, destinationLength)
                + ", ttl " + ttl + ", ifindex " + interfaceIndex + (truncated ? ", truncated" : "")
                + (checksumVerified ? ", checksum verified" : "") + "}";
    }

    static String address(byte[] bytes, int length) {
        if (length == 0) {
            return "?";
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOf(bytes, length)).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return "?";
        }
    }

    private static String hex(byte[] bytes, int length) {
        return address(bytes, length);
    }
}
