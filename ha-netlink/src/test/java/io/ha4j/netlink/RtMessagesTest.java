package io.ha4j.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The rtnetlink codec against hand-built byte layouts (host order headers, network order addresses). */
class RtMessagesTest {

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    @Test
    void testNewAddressIpv6MatchesKeepalivedRequest() throws Exception {
        InetAddress vip = InetAddress.getByName("fe80::198:18:0:10");
        ByteBuffer m = RtMessages.newAddress(42, vip, 128, 7, 0, null, AddressInfo.IFA_F_NODAD, true);
        assertEquals(m.remaining(), m.getInt(0), "nlmsg_len");
        assertEquals(RtMessages.RTM_NEWADDR, m.getShort(4));
        assertEquals(RtMessages.NLM_F_REQUEST | RtMessages.NLM_F_ACK | RtMessages.NLM_F_CREATE | RtMessages.NLM_F_EXCL,
                m.getShort(6));
        assertEquals(42, m.getInt(8));
        assertEquals(Native.AF_INET6, m.get(16));
        assertEquals((byte) 128, m.get(17));
        assertEquals(AddressInfo.IFA_F_NODAD, m.get(18));
        assertEquals(7, m.getInt(20));
        // IFA_LOCAL, IFA_ADDRESS (20 bytes each), IFA_FLAGS (8), IFA_CACHEINFO (20)
        assertEquals(24 + 20 + 20 + 8 + 20, m.remaining());
        assertEquals(20, m.getShort(24));
        assertEquals(RtMessages.IFA_LOCAL, m.getShort(26));
        byte[] address = new byte[16];
        m.position(28);
        m.get(address);
        assertArrayEquals(vip.getAddress(), address);
        assertEquals(RtMessages.IFA_FLAGS, m.getShort(64 + 2));
        assertEquals(AddressInfo.IFA_F_NODAD, m.getInt(68));
        assertEquals(RtMessages.IFA_CACHEINFO, m.getShort(72 + 2));
        assertEquals(0, m.getInt(76), "preferred lifetime 0");
        assertEquals(-1, m.getInt(80), "valid lifetime forever");
    }

    @Test
    void testNewAddressIpv4WithLabelAndDelete() throws Exception {
        InetAddress vip = InetAddress.getByName("198.18.0.10");
        ByteBuffer m = RtMessages.newAddress(1, vip, 32, 3, 0, "eth0:vip", 0, false);
        AddressInfo parsed = RtMessages.parseAddress(body(m));
        assertEquals(vip, parsed.address());
        assertEquals(32, parsed.prefixLength());
        assertEquals(3, parsed.interfaceIndex());
        assertEquals("eth0:vip", parsed.label());

        ByteBuffer d = RtMessages.deleteAddress(2, vip, 32, 3);
        assertEquals(RtMessages.RTM_DELADDR, d.getShort(4));
        assertEquals(RtMessages.NLM_F_REQUEST | RtMessages.NLM_F_ACK, d.getShort(6));
        assertEquals(vip, RtMessages.parseAddress(body(d)).address());
    }

    private static ByteBuffer body(ByteBuffer message) {
        List<ByteBuffer> bodies = new ArrayList<>();
        RtMessages.forEach(message, (type, flags, seq, b) -> bodies.add(b));
        assertEquals(1, bodies.size());
        return bodies.get(0);
    }

    @Test
    void testParseLinkMessage() {
        ByteBuffer m = le(128);
        m.putInt(0).putShort((short) RtMessages.RTM_NEWLINK).putShort((short) 0).putInt(0).putInt(0);
        m.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(5).putInt(LinkInfo.IFF_UP | LinkInfo.IFF_LOWER_UP).putInt(0);
        RtMessages.putStringAttribute(m, RtMessages.IFLA_IFNAME, "eth0");
        RtMessages.putAttribute(m, RtMessages.IFLA_ADDRESS, new byte[] {2, 0, 0x5e, 0, 1, 0x33});
        RtMessages.putAttribute(m, RtMessages.IFLA_MTU, le(4).putInt(9000).array());
        RtMessages.putAttribute(m, RtMessages.IFLA_OPERSTATE, new byte[] {6});
        m.putInt(0, m.position());
        m.flip();
        LinkInfo link = RtMessages.parseLink(body(m));
        assertEquals(5, link.index());
        assertEquals("eth0", link.name());
        assertEquals("02:00:5e:00:01:33", link.hardwareAddressString());
        assertEquals(9000, link.mtu());
        assertTrue(link.isUp());
        assertEquals(LinkInfo.OperState.UP, link.operState());
    }

    @Test
    void testErrorAndDoneAndSequenceWalk() {
        ByteBuffer m = le(64);
        m.putInt(36).putShort((short) RtMessages.NLMSG_ERROR).putShort((short) 0).putInt(9).putInt(0);
        m.putInt(-Errno.EEXIST).put(new byte[16]);
        m.putInt(20).putShort((short) RtMessages.NLMSG_DONE).putShort((short) 2).putInt(10).putInt(0).putInt(0);
        m.flip();
        List<String> seen = new ArrayList<>();
        RtMessages.forEach(m, (type, flags, seq, b) -> {
            seen.add(type + "/" + seq + (type == RtMessages.NLMSG_ERROR ? "/" + RtMessages.errorCode(b) : ""));
            return true;
        });
        assertEquals(List.of("2/9/" + Errno.EEXIST, "3/10"), seen);
    }

    @Property(tries = 200)
    void truncatedOrCorruptDatagramsStayInBoundsAndKeepTheIntactMessage(@ForAll byte[] garbage,
            @ForAll @IntRange(min = 0, max = 200) int cut) throws Exception {
        InetAddress address = InetAddress.getByName("198.18.0.1");
        ByteBuffer valid = RtMessages.newAddress(3, address, 24, 2, 0, "eth0:a", 0, false);
        int kept = Math.min(cut, valid.remaining());
        byte[] bytes = new byte[kept + garbage.length];
        valid.duplicate().get(bytes, 0, kept);
        System.arraycopy(garbage, 0, bytes, kept, garbage.length);
        List<AddressInfo> first = new ArrayList<>();
        int[] bodyBytes = new int[1];
        RtMessages.forEach(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()), (type, flags, seq, b) -> {
            bodyBytes[0] += b.remaining() + 16;
            AddressInfo parsed = RtMessages.parseAddress(b.duplicate().order(ByteOrder.nativeOrder()));
            RtMessages.parseLink(b.duplicate().order(ByteOrder.nativeOrder()));
            if (first.isEmpty()) {
                first.add(parsed);
            }
            return true;
        });
        assertTrue(bodyBytes[0] <= bytes.length, "the walk handed out " + bodyBytes[0] + " bytes of " + bytes.length);
        if (kept == valid.remaining()) {
            AddressInfo intact = first.get(0);
            assertEquals(address, intact.address(), "the intact message ahead of the garbage parses as sent");
            assertEquals(24, intact.prefixLength());
            assertEquals(2, intact.interfaceIndex());
            assertEquals("eth0:a", intact.label());
        }
    }

    @Test
    void testAddressWithoutAddressAttributeIsIgnored() {
        ByteBuffer b = le(8).put((byte) Native.AF_INET).put((byte) 24).put((byte) 0).put((byte) 0).putInt(2);
        b.flip();
        assertNull(RtMessages.parseAddress(b));
    }
}
