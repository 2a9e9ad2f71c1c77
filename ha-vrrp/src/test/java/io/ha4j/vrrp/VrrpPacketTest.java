package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ha4j.vrrp.internal.Checksum;
import io.ha4j.vrrp.internal.VrrpPacket;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The codec against the byte vectors of docs/vrrp.md §2.3. */
class VrrpPacketTest {

    private static byte[] ip(String literal) {
        return Hex.ip(literal).getAddress();
    }

    private static byte[] encode(int version, int vrid, int prio, int interval, byte[] addresses, int count, int addressLength,
                                 boolean ipv6, boolean pseudo, String src, String dst) {
        ByteBuffer b = ByteBuffer.allocate(VrrpPacket.MAX_LENGTH);
        int len = VrrpPacket.encode(b, 0, version, vrid, prio, interval, addresses, count, addressLength, 0, null);
        VrrpPacket.putChecksum(b, 0, VrrpPacket.computeChecksum(b, 0, len, ipv6, pseudo,
                src == null ? null : ip(src), dst == null ? null : ip(dst)));
        byte[] out = new byte[len];
        b.get(0, out);
        return out;
    }

    @Test
    void vrrpv2VectorFromHolo() {
        byte[] expected = Hex.bytes("21 33 1e 01 00 01 b5 c5 0a 00 01 05 00 00 00 00 00 00 00 00");
        byte[] actual = encode(2, 51, 30, 1, ip("10.0.1.5"), 1, 4, false, false, null, null);
        assertArrayEquals(expected, actual);
        ByteBuffer b = ByteBuffer.wrap(expected);
        assertEquals(2, VrrpPacket.version(b, 0));
        assertEquals(1, VrrpPacket.type(b, 0));
        assertEquals(51, VrrpPacket.virtualRouterId(b, 0));
        assertEquals(30, VrrpPacket.priority(b, 0));
        assertEquals(1, VrrpPacket.count(b, 0));
        assertEquals(0, VrrpPacket.authType(b, 0));
        assertEquals(1, VrrpPacket.interval(b, 0, 2));
        assertEquals(0xb5c5, VrrpPacket.checksum(b, 0));
        assertEquals(0, VrrpPacket.computeChecksum(b, 0, expected.length, false, false, null, null), "verifies");
    }

    @Test
    void vrrpv3Ipv4MessageOnlyVectorFromKeepalived() {
        byte[] expected = Hex.bytes("31 33 c8 01 00 64 44 02 c0 00 02 64");
        byte[] actual = encode(3, 51, 200, 100, ip("192.0.2.100"), 1, 4, false, false, null, null);
        assertArrayEquals(expected, actual);
        ByteBuffer b = ByteBuffer.wrap(expected);
        assertEquals(100, VrrpPacket.interval(b, 0, 3));
        assertEquals(0x4402, VrrpPacket.checksum(b, 0));
    }

    @Test
    void vrrpv3Ipv4BothChecksumConventions() {
        byte[] vip = ip("10.0.1.5");
        byte[] withPseudo = encode(3, 51, 100, 100, vip, 1, 4, false, true, "192.168.100.2", "224.0.0.18");
        byte[] messageOnly = encode(3, 51, 100, 100, vip, 1, 4, false, false, null, null);
        assertEquals(0x5a28, ByteBuffer.wrap(withPseudo).getShort(6) & 0xffff);
        assertEquals(0x5f62, ByteBuffer.wrap(messageOnly).getShort(6) & 0xffff);
    }

    @Test
    void vrrpv3Ipv6ChecksumWithPseudoHeader() {
        byte[] packet = encode(3, 51, 200, 100, ip("fe80::100"), 1, 16, true, false, "fe80::10", "ff02::12");
        assertEquals(24, packet.length);
        assertEquals(0x08b8, ByteBuffer.wrap(packet).getShort(6) & 0xffff);
        ByteBuffer b = ByteBuffer.wrap(packet);
        assertEquals(0, VrrpPacket.computeChecksum(b, 0, 24, true, false, ip("fe80::10"), ip("ff02::12")));
        assertEquals(16, VrrpPacket.addressOffset(0, 1, 8));
    }

    @Test
    void internetChecksumOfTheIpv4HeaderVector() {
        byte[] header = Hex.bytes("45 c0 00 28 00 00 00 00 ff 70 b5 e8 c0 a8 64 02 e0 00 00 12");
        assertEquals(0, Checksum.finish(Checksum.add(0, ByteBuffer.wrap(header), 0, header.length)));
        header[10] = 0;
        header[11] = 0;
        assertEquals(0xb5e8, Checksum.finish(Checksum.add(0, ByteBuffer.wrap(header), 0, header.length)));
    }

    @Test
    void v2PassAuthDataIsThePasswordZeroPadded() {
        ByteBuffer b = ByteBuffer.allocate(64);
        byte[] auth = {'s', 'e', 'c', 'r', 'e', 't', 0, 0};
        int len = VrrpPacket.encode(b, 0, 2, 1, 100, 1, ip("198.18.0.100"), 1, 4, VrrpPacket.AUTH_PASS, auth);
        assertEquals(20, len);
        assertEquals(VrrpPacket.AUTH_PASS, VrrpPacket.authType(b, 0));
        byte[] tail = new byte[8];
        b.get(12, tail);
        assertArrayEquals(auth, tail);
    }
}
