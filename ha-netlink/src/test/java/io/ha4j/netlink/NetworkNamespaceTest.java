package io.ha4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.netlink.testing.TestNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** setns moves only the calling thread, and moves it back, also when the body throws. */
@Tag("privileged")
@Timeout(60)
class NetworkNamespaceTest {

    private static String currentNamespace() throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    }

    @Test
    void testRunMovesOnlyTheCallingThreadAndRestoresIt() throws Exception {
        try (TestNetwork network = TestNetwork.create("ns")) {
            TestNetwork.Node node = network.addNode("a");
            String original = currentNamespace();
            String[] otherThread = new String[1];
            String inside = node.run(() -> {
                Thread t = new Thread(() -> {
                    try {
                        otherThread[0] = currentNamespace();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                return currentNamespace() + waitFor(t);
            });
            assertNotEquals(original, inside);
            assertEquals(original, currentNamespace(), "restored");
            assertEquals(inside, otherThread[0], "a thread started inside inherits the namespace");
            try (RouteNetlink netlink = node.run(RouteNetlink::open)) {
                assertTrue(netlink.addresses().stream().anyMatch(a -> a.address().equals(node.ipv4())),
                        "a socket opened inside stays in the namespace");
            }

            assertThrows(IllegalArgumentException.class, () -> node.run(() -> {
                throw new IllegalArgumentException("boom");
            }));
            assertEquals(original, currentNamespace(), "restored after the body threw");

            NativeException missing = assertThrows(NativeException.class,
                    () -> NetworkNamespace.run(network.prefix() + "-nosuch", () -> null));
            assertTrue(missing.getMessage().contains("no network namespace named"), missing.getMessage());
            assertEquals(original, currentNamespace());
        }
    }

    private static String waitFor(Thread t) throws InterruptedException {
        t.start();
        t.join(5000);
        return "";
    }
}
