package io.ha4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.VirtualAddress;
import io.ha4j.netlink.testing.TestNetwork;
import org.junit.jupiter.api.Test;

/** Builder validation and the test kit's address guard; no root needed. */
class OptionsAndGuardsTest {

    @Test
    void testOptionsRejectWrongFamilyAndSecondSet() {
        IllegalArgumentException family = assertThrows(IllegalArgumentException.class, () -> VrrpSocket.Options.ipv6("eth0")
                .sourceAddress(VirtualAddress.parseLiteral("198.18.0.1")).build());
        assertTrue(family.getMessage().contains("sourceAddress"), family.getMessage());
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> VrrpSocket.Options.ipv4("eth0").multicast(false).multicast(true));
        assertTrue(twice.getMessage().contains("multicast"), twice.getMessage());
        IllegalArgumentException protocol = assertThrows(IllegalArgumentException.class,
                () -> VrrpSocket.Options.ipv4("eth0").protocol(300));
        assertEquals("protocol must be in [1, 254], was 300", protocol.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VrrpSocket.Options.ipv4("a-very-long-interface-name"));
        assertThrows(IllegalArgumentException.class, () -> VrrpSocket.Options.ipv4("eth0")
                .sourceAddress(VirtualAddress.parseLiteral("224.0.0.18")).build());
    }

    @Test
    void testTestNetworkRefusesAddressesOutsideTheBenchmarkRange() {
        assertEquals(VirtualAddress.parseLiteral("198.18.0.1"), TestNetwork.requireTestAddress("198.18.0.1/24"));
        TestNetwork.requireTestAddress("198.19.255.254");
        TestNetwork.requireTestAddress("fe80::1/64");
        for (String outside : new String[] {"10.0.0.1", "198.20.0.1", "198.17.255.255/32", "192.168.1.1", "2001:db8::1",
                "8.8.8.8"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TestNetwork.requireTestAddress(outside), outside);
            assertTrue(e.getMessage().contains("198.18.0.0/15"), e.getMessage());
        }
    }

    @Test
    void testNetworkNamespaceValidatesName() {
        assertThrows(IllegalArgumentException.class, () -> NetworkNamespace.run("../etc", () -> null));
    }
}
