package io.ha4j.netlink;

import io.ha4j.core.VipManager;
import io.ha4j.core.VirtualAddress;
import io.ha4j.netlink.testing.TestNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** The compatibility kit against the real kernel, in a namespace of a {@link TestNetwork}. */
@Tag("privileged")
class LinuxVipManagerCompatibilityTest extends VipManagerCompatibilityKit {

    private static TestNetwork network;
    private static TestNetwork.Node node;
    private static TestNetwork.Node peer;
    /** A MAC no node has: the peer's entry for a VIP points here until an announcement corrects it. */
    private static final String ELSEWHERE_MAC = "02:00:00:00:00:01";

    @BeforeAll
    static void createNetwork() {
        network = TestNetwork.create("kit");
        node = network.addNode("a");
        peer = network.addNode("b");
        peer.sysctl("net.ipv4.conf.eth0.arp_accept", "1");
    }

    @AfterAll
    static void deleteNetwork() {
        if (network != null) {
            network.close();
        }
    }

    @Override
    protected VipManager newManager() throws Exception {
        return node.run(LinuxVipManager::open);
    }

    @Override
    protected String interfaceName() {
        return node.interfaceName();
    }

    @Override
    protected void addExternally(VirtualAddress vip) {
        node.addAddress(vip.cidr());
    }

    @Override
    protected void removeExternally(VirtualAddress vip) {
        node.deleteAddress(vip.cidr()).orThrow();
    }

    /**
     * Linux updates an existing neighbour entry from a gratuitous ARP or unsolicited NA (it creates none), so
     * the peer gets a stale entry for {@code vip} pointing at a MAC no node has.
     */
    @Override
    protected void watchAnnouncements(VirtualAddress vip) {
        String family = vip.address() instanceof java.net.Inet6Address ? "-6" : "-4";
        peer.exec("ip", family, "neigh", "replace", vip.address().getHostAddress(), "lladdr", ELSEWHERE_MAC,
                "dev", "eth0", "nud", "stale").orThrow();
    }

    @Override
    protected boolean announced(VirtualAddress vip) {
        return peer.neighbor(vip.address().getHostAddress()).equals(java.util.Optional.of(node.mac()));
    }
}
