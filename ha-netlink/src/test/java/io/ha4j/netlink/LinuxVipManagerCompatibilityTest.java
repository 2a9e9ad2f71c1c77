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

    @BeforeAll
    static void createNetwork() {
        network = TestNetwork.create("kit");
        node = network.addNode("a");
        network.addNode("b");
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
}
