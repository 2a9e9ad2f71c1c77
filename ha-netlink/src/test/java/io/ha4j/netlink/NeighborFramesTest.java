package io.ha4j.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Gratuitous ARP and unsolicited NA frames, byte by byte. */
class NeighborFramesTest {

    private static final byte[] MAC = {2, 0x42, 0x0a, 0, 0, 1};

    @Test
    void testGratuitousArpIsRequestWithSenderEqualTarget() throws Exception {
        Inet4Address vip = (Inet4Address) InetAddress.getByName("198.18.0.10");
        byte[] f = NeighborFrames.gratuitousArp(MAC, vip);
        assertEquals(42, f.length);
        assertArrayEquals(NeighborFrames.BROADCAST_MAC, Arrays.copyOfRange(f, 0, 6), "Ethernet broadcast");
        assertArrayEquals(MAC, Arrays.copyOfRange(f, 6, 12));
        assertArrayEquals(new byte[] {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1}, Arrays.copyOfRange(f, 12, 22));
        assertArrayEquals(MAC, Arrays.copyOfRange(f, 22, 28), "sender MAC");
        assertArrayEquals(vip.getAddress(), Arrays.copyOfRange(f, 28, 32), "sender IP");
        assertArrayEquals(NeighborFrames.BROADCAST_MAC, Arrays.copyOfRange(f, 32, 38), "target MAC ff:ff:ff:ff:ff:ff");
        assertArrayEquals(vip.getAddress(), Arrays.copyOfRange(f, 38, 42), "target IP");
    }

    @Test
    void testUnsolicitedNeighborAdvertisementLayoutAndChecksum() throws Exception {
        Inet6Address vip = (Inet6Address) InetAddress.getByName("fe80::198:18:0:10");
        byte[] f = NeighborFrames.unsolicitedNeighborAdvertisement(MAC, vip, false);
        assertEquals(86, f.length);
        assertArrayEquals(new byte[] {0x33, 0x33, 0, 0, 0, 1}, Arrays.copyOfRange(f, 0, 6));
        assertEquals(0x86, f[12] & 0xff);
        assertEquals(0xdd, f[13] & 0xff);
        assertEquals(0x60, f[14] & 0xff, "IPv6");
        assertEquals(32, f[19], "payload length");
        assertEquals(58, f[20], "next header ICMPv6");
        assertEquals(255, f[21] & 0xff, "hop limit");
        assertArrayEquals(vip.getAddress(), Arrays.copyOfRange(f, 22, 38), "source = the VIP");
        assertArrayEquals(NeighborFrames.ALL_NODES, Arrays.copyOfRange(f, 38, 54), "ff02::1");
        assertEquals(136, f[54] & 0xff, "type NA");
        assertEquals(0x20, f[58] & 0xff, "Override only");
        assertArrayEquals(vip.getAddress(), Arrays.copyOfRange(f, 62, 78), "target");
        assertArrayEquals(new byte[] {2, 1}, Arrays.copyOfRange(f, 78, 80), "target link-layer option");
        assertArrayEquals(MAC, Arrays.copyOfRange(f, 80, 86));
        // A correct checksum makes the sum over pseudo-header and message (checksum included) 0xffff.
        assertEquals(0, NeighborFrames.icmpv6Checksum(f, 22, 38, 54, 32));
        assertEquals(0xa0, NeighborFrames.unsolicitedNeighborAdvertisement(MAC, vip, true)[58] & 0xff, "Router + Override");
    }

    @Test
    void testChecksumAgainstKnownVector() {
        // RFC 1071 example words 0001 f203 f4f5 f6f7 sum to 0xddf2 (one's complement), checksum 0x220d; here the
        // pseudo-header parts are zero except length and next header, which add 4 + 58.
        byte[] f = new byte[40];
        byte[] words = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        System.arraycopy(words, 0, f, 32, 8);
        int expected = ~(0xddf2 + 8 + 58) & 0xffff;
        assertEquals(expected, NeighborFrames.icmpv6Checksum(f, 0, 16, 32, 8));
    }
}
