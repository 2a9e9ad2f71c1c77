package io.ha4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which address {@link VrrpSocket} sends from when none is configured, over address lists as rtnetlink gives them. */
class VrrpSocketSourceTest {

    private static final long FOREVER = AddressInfo.INFINITE_LIFETIME;

    private static AddressInfo address(String literal, int prefix, int flags, long preferred) throws Exception {
        return new AddressInfo(InetAddress.getByName(literal), prefix, 2, literal.startsWith("fe80") ? 253 : 0, null,
                flags, preferred, FOREVER);
    }

    @Test
    void ipv6TakesTheOwnLinkLocalAddressOverVipsListedFirst() throws Exception {
        List<AddressInfo> list = List.of(
                address("fe80::4a4a:100", 64, AddressInfo.IFA_F_NODAD | AddressInfo.IFA_F_PERMANENT, FOREVER),
                address("fe80::4a4a:101", 128, AddressInfo.IFA_F_PERMANENT, 0),
                address("fe80::4a4a:102", 64, AddressInfo.IFA_F_TENTATIVE, FOREVER),
                address("fe80::4a4a:103", 64, AddressInfo.IFA_F_DEPRECATED, FOREVER),
                address("fe80::4a4a:104", 64, AddressInfo.IFA_F_DADFAILED, FOREVER),
                address("198.18.0.1", 24, AddressInfo.IFA_F_PERMANENT, FOREVER),
                address("fe80::1", 64, AddressInfo.IFA_F_PERMANENT, FOREVER));
        assertEquals(InetAddress.getByName("fe80::1"), VrrpSocket.defaultSource(list, true));
    }

    @Test
    void ipv6FallsBackToAVipLookingAddressButADadFailedOneOnlyLast() throws Exception {
        List<AddressInfo> list = List.of(
                address("fe80::4a4a:104", 64, AddressInfo.IFA_F_DADFAILED, FOREVER),
                address("fe80::4a4a:100", 64, AddressInfo.IFA_F_NODAD, FOREVER));
        assertEquals(InetAddress.getByName("fe80::4a4a:100"), VrrpSocket.defaultSource(list, true));
        assertEquals(InetAddress.getByName("fe80::4a4a:104"), VrrpSocket.defaultSource(list.subList(0, 1), true));
    }

    @Test
    void ipv6IgnoresGlobalAddresses() throws Exception {
        assertNull(VrrpSocket.defaultSource(List.of(address("2001:db8::1", 64, 0, FOREVER)), true));
    }

    @Test
    void ipv4TakesThePrimaryAddressOverASecondaryListedFirst() throws Exception {
        List<AddressInfo> list = List.of(
                address("198.18.0.100", 24, AddressInfo.IFA_F_SECONDARY, FOREVER),
                address("fe80::1", 64, 0, FOREVER),
                address("198.18.0.1", 24, AddressInfo.IFA_F_PERMANENT, FOREVER),
                address("198.18.1.1", 24, AddressInfo.IFA_F_PERMANENT, FOREVER));
        assertEquals(InetAddress.getByName("198.18.0.1"), VrrpSocket.defaultSource(list, false));
    }

    @Test
    void ipv4FallsBackToASecondaryAddressWhenThereIsNothingElse() throws Exception {
        List<AddressInfo> list = List.of(address("198.18.0.100", 24, AddressInfo.IFA_F_SECONDARY, FOREVER));
        assertEquals(InetAddress.getByName("198.18.0.100"), VrrpSocket.defaultSource(list, false));
        assertNull(VrrpSocket.defaultSource(List.of(address("fe80::1", 64, 0, FOREVER)), false));
    }
}
