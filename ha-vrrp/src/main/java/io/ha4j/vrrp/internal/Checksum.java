package io.ha4j.vrrp.internal;

import io.ha4j.netlink.VrrpSocket;
import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071) over VRRP messages and the pseudo-headers they may include. Works on
 * absolute buffer positions and partial sums so that nothing is allocated.
 */
public final class Checksum {

    private Checksum() {
    }

    /** Adds the 16-bit big-endian words of {@code length} bytes at {@code offset} to {@code sum}. */
    public static long add(long sum, ByteBuffer buffer, int offset, int length) {
        int i = 0;
        for (; i + 1 < length; i += 2) {
            sum += ((buffer.get(offset + i) & 0xff) << 8) | (buffer.get(offset + i + 1) & 0xff);
        }
        if (i < length) {
            sum += (buffer.get(offset + i) & 0xff) << 8;
        }
        return sum;
    }

    /** Adds the words of an address (4 or 16 bytes, even). */
    public static long add(long sum, byte[] address, int length) {
        for (int i = 0; i < length; i += 2) {
            sum += ((address[i] & 0xff) << 8) | (address[i + 1] & 0xff);
        }
        return sum;
    }

    /** IPv4 pseudo-header: source, destination, zero, protocol 112, VRRP length (16 bits). */
    public static long ipv4PseudoHeader(byte[] source, byte[] destination, int length) {
        long sum = add(0, source, 4);
        sum = add(sum, destination, 4);
        sum += VrrpSocket.PROTOCOL;
        sum += length;
        return sum;
    }

    /** IPv6 pseudo-header (RFC 8200 §8.1): source, destination, 32-bit length, 3 zero bytes, next header 112. */
    public static long ipv6PseudoHeader(byte[] source, byte[] destination, int length) {
        long sum = add(0, source, 16);
        sum = add(sum, destination, 16);
        sum += (length >>> 16) & 0xffff;
        sum += length & 0xffff;
        sum += VrrpSocket.PROTOCOL;
        return sum;
    }

    /** Folds a partial sum to 16 bits and complements it: the value to put in a checksum field. */
    public static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
