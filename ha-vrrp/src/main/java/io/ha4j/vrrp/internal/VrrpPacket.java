package io.ha4j.vrrp.internal;

import java.nio.ByteBuffer;

/**
 * VRRP advert layout, encode and field access over a {@link ByteBuffer} at absolute offsets (a flyweight:
 * nothing is allocated to read or write a packet).
 *
 * <pre>
 * VRRPv2 (RFC 3768 §5.1)                      VRRPv3 (RFC 5798 / 9568 §5.1)
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Type  | Virtual Rtr ID|   Priority    | Count IP Addrs|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Auth Type   |   Adver Int   |          Checksum             |   v2
 * |(rsvd) |     Max Adver Int     |          Checksum             |   v3 (centiseconds)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 IPv4 (4 bytes) or IPv6 (16 bytes) addresses    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Authentication Data (8 bytes, v2 only: keepalived PASS)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Internal: not API (see the package documentation).
 */
public final class VrrpPacket {

    public static final int HEADER_LENGTH = 8;
    public static final int AUTH_LENGTH = 8;
    public static final int TYPE_ADVERTISEMENT = 1;
    public static final int AUTH_NONE = 0;
    public static final int AUTH_PASS = 1;
    public static final int AUTH_AH = 2;
    /** Largest advert: v2/v3 header, 255 IPv6 addresses, v2 auth data. */
    public static final int MAX_LENGTH = HEADER_LENGTH + 255 * 16 + AUTH_LENGTH;

    private VrrpPacket() {
    }

    public static int length(int version, int count, int addressLength) {
        return HEADER_LENGTH + count * addressLength + (version == 2 ? AUTH_LENGTH : 0);
    }

    public static int version(ByteBuffer b, int off) {
        return (b.get(off) >> 4) & 0xf;
    }

    public static int type(ByteBuffer b, int off) {
        return b.get(off) & 0xf;
    }

    public static int virtualRouterId(ByteBuffer b, int off) {
        return b.get(off + 1) & 0xff;
    }

    public static int priority(ByteBuffer b, int off) {
        return b.get(off + 2) & 0xff;
    }

    public static int count(ByteBuffer b, int off) {
        return b.get(off + 3) & 0xff;
    }

    /** v2 only. */
    public static int authType(ByteBuffer b, int off) {
        return b.get(off + 4) & 0xff;
    }

    /** v2: seconds (byte 5); v3: centiseconds (12 bits of bytes 4-5). */
    public static int interval(ByteBuffer b, int off, int version) {
        return version == 2 ? b.get(off + 5) & 0xff : b.getShort(off + 4) & 0x0fff;
    }

    public static int checksum(ByteBuffer b, int off) {
        return b.getShort(off + 6) & 0xffff;
    }

    /** Offset of address {@code i}. */
    public static int addressOffset(int off, int i, int addressLength) {
        return off + HEADER_LENGTH + i * addressLength;
    }

    /**
     * Writes an advert at {@code off} with a zero checksum and returns its length.
     *
     * @param interval   v2: seconds 1..255; v3: centiseconds 1..4095
     * @param addresses  {@code count} addresses back to back, each {@code addressLength} bytes
     * @param authData   v2 only: 8 bytes (keepalived PASS: the password, zero padded) or null for none
     */
    public static int encode(ByteBuffer b, int off, int version, int vrid, int priority, int interval,
                      byte[] addresses, int count, int addressLength, int authType, byte[] authData) {
        b.put(off, (byte) ((version << 4) | TYPE_ADVERTISEMENT));
        b.put(off + 1, (byte) vrid);
        b.put(off + 2, (byte) priority);
        b.put(off + 3, (byte) count);
        if (version == 2) {
            b.put(off + 4, (byte) authType);
            b.put(off + 5, (byte) interval);
        } else {
            b.putShort(off + 4, (short) (interval & 0x0fff));
        }
        b.putShort(off + 6, (short) 0);
        int n = count * addressLength;
        for (int i = 0; i < n; i++) {
            b.put(off + HEADER_LENGTH + i, addresses[i]);
        }
        if (version == 2) {
            int a = off + HEADER_LENGTH + n;
            for (int i = 0; i < AUTH_LENGTH; i++) {
                b.put(a + i, authData == null ? 0 : authData[i]);
            }
        }
        return length(version, count, addressLength);
    }

    public static void putChecksum(ByteBuffer b, int off, int checksum) {
        b.putShort(off + 6, (short) checksum);
    }

    /**
     * The checksum of the message at {@code off} (its checksum field must be zero), or, over a received message,
     * zero when it is right.
     *
     * @param ipv6            whether to use the IPv6 pseudo-header (then {@code pseudoHeader} is ignored)
     * @param pseudoHeader    IPv4 v3 only: include the IPv4 pseudo-header
     */
    public static int computeChecksum(ByteBuffer b, int off, int length, boolean ipv6, boolean pseudoHeader,
                               byte[] source, byte[] destination) {
        long sum;
        if (ipv6) {
            sum = Checksum.ipv6PseudoHeader(source, destination, length);
        } else if (pseudoHeader) {
            sum = Checksum.ipv4PseudoHeader(source, destination, length);
        } else {
            sum = 0;
        }
        return Checksum.finish(Checksum.add(sum, b, off, length));
    }
}
