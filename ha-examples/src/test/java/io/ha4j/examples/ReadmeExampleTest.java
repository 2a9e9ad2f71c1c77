package io.ha4j.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HaCluster;
import io.ha4j.netlink.LinuxVipManager;
import io.ha4j.netlink.testing.TestNetwork;
import io.ha4j.proxy.Backend;
import io.ha4j.proxy.TcpBalancer;
import io.ha4j.vrrp.VrrpInstance;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The example at the top of README.md, run as written inside a network namespace: the node becomes master,
 * holds the VIP on eth0 while the cluster runs, and releases it when the cluster closes. If the README's code
 * stops compiling or stops doing what the README says, this test fails.
 */
@Tag("privileged")
class ReadmeExampleTest {

    private static final String VIP = "198.18.0.100/32";

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readmeExampleTakesAndReleasesTheVip() throws Exception {
        try (TestNetwork net = TestNetwork.create("rdme")) {
            TestNetwork.Node node1 = net.addNode("node1");
            node1.run(() -> {
                // --- README.md example, verbatim except for the assertions inside the block ---
                try (LinuxVipManager vips = LinuxVipManager.open();
                     HaCluster node = HaCluster.builder().vipManager(vips)
                             .add(TcpBalancer.builder("apiserver").bind("0.0.0.0", 7443)
                                     .backend(Backend.of("cp-1", "198.18.0.11", 6443))
                                     .backend(Backend.of("cp-2", "198.18.0.12", 6443)).build())
                             .add(VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51)
                                     .priority(150).virtualAddress("198.18.0.100/32").build())
                             .build()) {
                    node.start();
                    // --- end of the README example ---
                    VrrpInstance vrrp = node.component("VI_1", VrrpInstance.class).orElseThrow();
                    awaitTrue("VI_1 becomes MASTER", vrrp::isMaster);
                    assertTrue(node1.addresses().contains(VIP), "VIP on eth0 while master: " + node1.addresses());
                }
                return null;
            });
            assertFalse(node1.addresses().contains(VIP), "VIP released by close(): " + node1.addresses());
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }
}
