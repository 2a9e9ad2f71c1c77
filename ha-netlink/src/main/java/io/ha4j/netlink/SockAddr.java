package io.ha4j.netlink;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import jnr.ffi.Pointer;

/**
 * Builds and reads the socket address structs ha-netlink needs. Their layouts are the same on x86_64 and
 * arm64 (they only hold fixed-width fields): {@code sockaddr_in} 16 bytes, {@code sockaddr_in6} 28,
 * {@code sockaddr_nl} 12, {@code sockaddr_ll} 20. Families and ifindex are host order, ports and
 * addresses network order.
 */
final class SockAddr {

    static final int IN_SIZE = 16;
    static final int IN6_SIZE = 28;
    static final int NL_SIZE = 12;
    static final int LL_SIZE = 20;

    private SockAddr() {
    }

    /** Writes a sockaddr_in or sockaddr_in6 for {@code address} into {@code p}; returns its length. */
    static int writeInet(Pointer p, InetAddress address, int scopeId) {
        if (address instanceof Inet4Address) {
            p.setMemory(0, IN_SIZE, (byte) 0);
            p.putShort(0, (short) Native.AF_INET);
            p.put(4, address.getAddress(), 0, 4);
            return IN_SIZE;
        }
        p.setMemory(0, IN6_SIZE, (byte) 0);
        p.putShort(0, (short) Native.AF_INET6);
        p.put(8, address.getAddress(), 0, 16);
        p.putInt(24, scopeId);
        return IN6_SIZE;
    }

    static Pointer inet(InetAddress address, int scopeId) throws IOException {
        Pointer p = Native.allocate(IN6_SIZE);
        writeInet(p, address, scopeId);
        return p;
    }

    static int length(InetAddress address) {
        return address instanceof Inet4Address ? IN_SIZE : IN6_SIZE;
    }

    static Pointer netlink(int pid, int groups) throws IOException {
        Pointer p = Native.allocate(NL_SIZE);
        p.setMemory(0, NL_SIZE, (byte) 0);
        p.putShort(0, (short) Native.AF_NETLINK);
        p.putInt(4, pid);
        p.putInt(8, groups);
        return p;
    }

    /** sockaddr_ll for sending a frame of {@code etherType} on {@code ifindex} to {@code destinationMac}. */
    static Pointer link(int ifindex, int etherType, byte[] destinationMac) throws IOException {
        Pointer p = Native.allocate(LL_SIZE);
        p.setMemory(0, LL_SIZE, (byte) 0);
        p.putShort(0, (short) Native.AF_PACKET);
        p.putShort(2, htons(etherType));
        p.putInt(4, ifindex);
        p.putByte(11, (byte) destinationMac.length);
        p.put(12, destinationMac, 0, destinationMac.length);
        return p;
    }

    /** The 16-bit value whose in-memory bytes are {@code value} in network order, on this host. */
    static short htons(int value) {
        short s = (short) value;
        return java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN ? s : Short.reverseBytes(s);
    }
}
