package io.ha4j.netlink;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;

/**
 * Builds the Ethernet frames of a gratuitous ARP and an IPv6 unsolicited Neighbor Advertisement, byte for
 * byte as keepalived sends them (vrrp.md §1.6). Pure Java, network byte order.
 */
final class NeighborFrames {

    static final int ETH_P_ARP = 0x0806;
    static final int ETH_P_IPV6 = 0x86DD;
    static final byte[] BROADCAST_MAC = {-1, -1, -1, -1, -1, -1};
    /** Ethernet multicast MAC of ff02::1 (33:33 + the group's low 32 bits). */
    static final byte[] ALL_NODES_MAC = {0x33, 0x33, 0, 0, 0, 1};
    static final byte[] ALL_NODES = {(byte) 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    static final int ARP_FRAME_LENGTH = 14 + 28;
    static final int NA_FRAME_LENGTH = 14 + 40 + 32;

    static final int NA_FLAG_ROUTER = 0x80000000;
    static final int NA_FLAG_OVERRIDE = 0x20000000;

    private NeighborFrames() {
    }

    /**
     * ARP request, sender = target = {@code vip}, target hardware address ff:ff:ff:ff:ff:ff, to the Ethernet
     * broadcast address.
     */
    static byte[] gratuitousArp(byte[] mac, Inet4Address vip) {
        ByteBuffer b = ByteBuffer.allocate(ARP_FRAME_LENGTH);
        b.put(BROADCAST_MAC).put(mac).putShort((short) ETH_P_ARP);
        b.putShort((short) 1);              // hardware type Ethernet
        b.putShort((short) 0x0800);         // protocol IPv4
        b.put((byte) 6).put((byte) 4);      // address lengths
        b.putShort((short) 1);              // op: request
        b.put(mac).put(vip.getAddress());   // sender
        b.put(BROADCAST_MAC).put(vip.getAddress()); // target
        return b.array();
    }

    /**
     * Unsolicited NA from {@code vip} to ff02::1, hop limit 255, Override (and Router when {@code router}),
     * target {@code vip}, option 2 (target link-layer address) = {@code mac}, ICMPv6 checksum filled in.
     */
    static byte[] unsolicitedNeighborAdvertisement(byte[] mac, Inet6Address vip, boolean router) {
        ByteBuffer b = ByteBuffer.allocate(NA_FRAME_LENGTH);
        b.put(ALL_NODES_MAC).put(mac).putShort((short) ETH_P_IPV6);
        int ip = b.position();
        b.putInt(0x60000000);               // version 6, traffic class 0, flow 0
        b.putShort((short) 32);             // payload: NA 24 + option 8
        b.put((byte) 58);                   // ICMPv6
        b.put((byte) 255);                  // hop limit
        b.put(vip.getAddress());
        b.put(ALL_NODES);
        int icmp = b.position();
        b.put((byte) 136).put((byte) 0).putShort((short) 0);
        b.putInt(NA_FLAG_OVERRIDE | (router ? NA_FLAG_ROUTER : 0));
        b.put(vip.getAddress());
        b.put((byte) 2).put((byte) 1).put(mac);
        byte[] frame = b.array();
        int checksum = icmpv6Checksum(frame, ip + 8, ip + 24, icmp, 32);
        frame[icmp + 2] = (byte) (checksum >>> 8);
        frame[icmp + 3] = (byte) checksum;
        return frame;
    }

    /** RFC 4443 §2.3: one's complement sum over the IPv6 pseudo-header and the ICMPv6 message. */
    static int icmpv6Checksum(byte[] frame, int source, int destination, int icmp, int length) {
        long sum = 0;
        sum += sum16(frame, source, 16);
        sum += sum16(frame, destination, 16);
        sum += length;
        sum += 58;
        sum += sum16(frame, icmp, length);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static long sum16(byte[] b, int offset, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += ((b[offset + i] & 0xff) << 8) | (b[offset + i + 1] & 0xff);
        }
        if ((length & 1) != 0) {
            sum += (b[offset + length - 1] & 0xff) << 8;
        }
        return sum;
    }
}
