package io.ha4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.VirtualAddress;
import io.ha4j.netlink.testing.TestNetwork;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** VIPs through rtnetlink, checked with iproute2 in the namespace; link and address events. */
@Tag("privileged")
@Timeout(60)
class LinuxVipManagerTest {

    private static TestNetwork network;
    private static TestNetwork.Node node;

    @BeforeAll
    static void createNetwork() {
        network = TestNetwork.create("vip");
        node = network.addNode("a");
    }

    @AfterAll
    static void deleteNetwork() {
        if (network != null) {
            network.close();
        }
    }

    @Test
    void testVipAddedAndRemovedIsSeenByIpAddr() throws Exception {
        VirtualAddress vip = VirtualAddress.parse("198.18.0.150/32", node.interfaceName()).withLabel("eth0:vip");
        try (LinuxVipManager manager = node.run(LinuxVipManager::open)) {
            manager.add(vip);
            assertTrue(node.addresses().contains("198.18.0.150/32"), node.addresses().toString());
            String json = node.exec("ip", "-j", "addr", "show", "dev", "eth0").orThrow();
            assertTrue(json.contains("\"label\":\"eth0:vip\""), json);
            manager.remove(vip);
            assertFalse(node.addresses().contains("198.18.0.150/32"), node.addresses().toString());
        }
    }

    @Test
    void testIpv6VipIsNodadAndDeprecatedLikeKeepalived() throws Exception {
        VirtualAddress vip = VirtualAddress.parse("fe80::198:18:0:150/128", node.interfaceName());
        try (LinuxVipManager manager = node.run(LinuxVipManager::open)) {
            manager.add(vip);
            try {
                String json = node.exec("ip", "-j", "addr", "show", "dev", "eth0").orThrow();
                int at = json.indexOf("\"fe80::198:18:0:150\"");
                assertTrue(at > 0, json);
                String entry = json.substring(at, json.indexOf('}', at));
                assertTrue(entry.contains("\"nodad\":true"), entry);
                assertTrue(entry.contains("\"preferred_life_time\":0"), entry);
                assertTrue(entry.contains("\"valid_life_time\":4294967295"), entry);
            } finally {
                manager.remove(vip);
            }
            assertFalse(node.addresses().contains("fe80::198:18:0:150/128"));
        }
    }

    @Test
    void testAddressRemovedFromOutsideArrivesAsEvent() throws Exception {
        VirtualAddress vip = VirtualAddress.parse("198.18.0.151/32", node.interfaceName());
        BlockingQueue<VirtualAddress> removed = new LinkedBlockingQueue<>();
        try (LinuxVipManager manager = node.run(LinuxVipManager::open)) {
            manager.addListener(removed::add, Runnable::run);
            manager.add(vip);
            node.deleteAddress("198.18.0.151/32").orThrow();
            assertEquals(vip, removed.poll(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void testLinkSetDownArrivesAsEvent() throws Exception {
        node.exec("ip", "link", "add", "dummy7", "type", "veth", "peer", "name", "dummy8").orThrow();
        node.exec("ip", "link", "set", "dummy8", "up").orThrow();
        node.exec("ip", "link", "set", "dummy7", "up").orThrow();
        BlockingQueue<LinkInfo> links = new LinkedBlockingQueue<>();
        BlockingQueue<AddressInfo> addresses = new LinkedBlockingQueue<>();
        try (NetlinkMonitor monitor = node.run(() -> NetlinkMonitor.start(new NetlinkListener() {
            @Override
            public void onLinkChanged(LinkInfo link, boolean linkRemoved) {
                if ("dummy7".equals(link.name())) {
                    links.add(link);
                }
            }

            @Override
            public void onAddressChanged(AddressInfo address, boolean addressRemoved) {
                if (!addressRemoved) {
                    addresses.add(address);
                }
            }
        }, "test-monitor"))) {
            node.exec("ip", "link", "set", "dummy7", "down").orThrow();
            LinkInfo down = null;
            for (int i = 0; i < 10 && (down == null || down.isUp()); i++) {
                down = links.poll(5, TimeUnit.SECONDS);
                assertNotNull(down, "no RTM_NEWLINK for dummy7 going down");
            }
            assertFalse(down.isUp(), down.toString());
            assertEquals(LinkInfo.OperState.DOWN, down.operState());

            node.exec("ip", "addr", "add", "198.18.0.152/32", "dev", "dummy7").orThrow();
            AddressInfo added = addresses.poll(5, TimeUnit.SECONDS);
            assertNotNull(added);
            assertEquals("198.18.0.152", added.address().getHostAddress());
            assertEquals(32, added.prefixLength());
        } finally {
            node.exec("ip", "link", "del", "dummy7");
        }
    }

    @Test
    void testThrowingListenerDoesNotStopTheMonitor() throws Exception {
        BlockingQueue<AddressInfo> added = new LinkedBlockingQueue<>();
        try (NetlinkMonitor monitor = node.run(() -> NetlinkMonitor.start(new NetlinkListener() {
            @Override
            public void onAddressChanged(AddressInfo address, boolean addressRemoved) {
                if (!addressRemoved) {
                    added.add(address);
                    throw new IllegalStateException("listener bug (expected by the test)");
                }
            }
        }, "test-monitor-throwing"))) {
            node.addAddress("198.18.0.153/32");
            node.addAddress("198.18.0.154/32");
            assertEquals("198.18.0.153", added.poll(5, TimeUnit.SECONDS).address().getHostAddress());
            assertEquals("198.18.0.154", added.poll(5, TimeUnit.SECONDS).address().getHostAddress());
        } finally {
            node.deleteAddress("198.18.0.153/32");
            node.deleteAddress("198.18.0.154/32");
        }
    }

    @Test
    void testRouteNetlinkListsLinksAndAddresses() throws Exception {
        try (RouteNetlink netlink = node.run(RouteNetlink::open)) {
            LinkInfo eth0 = netlink.link("eth0");
            assertEquals(node.mac(), eth0.hardwareAddressString());
            assertEquals(1500, eth0.mtu());
            assertTrue(eth0.isUp());
            assertTrue(netlink.links().stream().anyMatch(l -> "lo".equals(l.name())));
            assertTrue(netlink.addresses(eth0.index()).stream()
                    .anyMatch(a -> a.address().equals(node.ipv4()) && a.prefixLength() == 24));
            NativeException missing = org.junit.jupiter.api.Assertions.assertThrows(NativeException.class,
                    () -> netlink.link("nosuch0"));
            assertEquals("ENODEV", missing.errnoName());
        }
    }
}
