package io.ha4j.netlink;

import java.time.Duration;
import io.ha4j.core.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ha4j.core.VirtualAddress;
import io.ha4j.netlink.testing.TestNetwork;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Gratuitous ARP and unsolicited NA from ha4j update another namespace's neighbour table. Linux only updates
 * an entry it already has from such frames (unless arp_accept / accept_untracked_na), so node b first gets a
 * stale entry pointing at a made-up MAC.
 */
@Tag("privileged")
@Timeout(60)
class NeighborAnnouncerTest {

    private static final String STALE_MAC = "02:00:00:00:00:01";
    private static TestNetwork network;
    private static TestNetwork.Node a;
    private static TestNetwork.Node b;

    @BeforeAll
    static void createNetwork() {
        network = TestNetwork.create("garp");
        a = network.addNode("a");
        b = network.addNode("b");
        b.sysctl("net.ipv4.conf.eth0.arp_accept", "1");
    }

    @AfterAll
    static void deleteNetwork() {
        if (network != null) {
            network.close();
        }
    }

    private static void awaitNeighbor(String address, String mac) {
        Await.value(Duration.ofSeconds(5), "neighbour entry of " + address + " in " + b + " names " + mac,
                () -> b.neighbor(address), Optional.of(mac)::equals);
    }

    @Test
    void testGratuitousArpUpdatesNeighbourTable() throws Exception {
        String vip = "198.18.0.160";
        b.exec("ip", "neigh", "replace", vip, "lladdr", STALE_MAC, "dev", "eth0", "nud", "stale").orThrow();
        try (NeighborAnnouncer announcer = a.run(() -> NeighborAnnouncer.open("eth0"))) {
            assertEquals(a.mac(), LinkInfo.formatMac(announcer.macAddress()));
            assertEquals(true, announcer.gratuitousArp((Inet4Address) VirtualAddress.parseLiteral(vip)));
        }
        awaitNeighbor(vip, a.mac());
    }

    @Test
    void testUnsolicitedNeighborAdvertisementUpdatesNeighbourTable() throws Exception {
        String vip = "fe80::198:18:0:160";
        b.exec("ip", "-6", "neigh", "replace", vip, "lladdr", STALE_MAC, "dev", "eth0", "nud", "stale").orThrow();
        try (NeighborAnnouncer announcer = a.run(() -> NeighborAnnouncer.open("eth0"))) {
            announcer.unsolicitedNeighborAdvertisement((Inet6Address) VirtualAddress.parseLiteral(vip));
        }
        awaitNeighbor(vip, a.mac());
    }

    @Test
    void testVipManagerAnnounceUpdatesNeighbourTable() throws Exception {
        VirtualAddress vip = VirtualAddress.parse("198.18.0.161/32", "eth0");
        b.exec("ip", "neigh", "replace", "198.18.0.161", "lladdr", STALE_MAC, "dev", "eth0", "nud", "stale").orThrow();
        try (LinuxVipManager manager = a.run(LinuxVipManager::open)) {
            manager.add(vip);
            try {
                manager.announce(vip);
                awaitNeighbor("198.18.0.161", a.mac());
            } finally {
                manager.remove(vip);
            }
        }
    }
}
