package io.ha4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.netlink.testing.CommandResult;
import io.ha4j.netlink.testing.TestNetwork;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every entry point, run in a child JVM that has dropped all capabilities (uid 0 kept so the JVM can still
 * read the Maven repository), fails with a message naming the call, EPERM and the missing capability, and the
 * JVM exits normally (no crash).
 */
@Tag("privileged")
@Timeout(120)
class UnprivilegedTest {

    @Test
    void testEveryEntryPointFailsWithClearMessage() {
        try (TestNetwork network = TestNetwork.create("nopr")) {
            TestNetwork.Node node = network.addNode("a");
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            CommandResult result = node.exec("setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all",
                    "--", java, "-cp", classpath, UnprivilegedProbe.class.getName(), node.namespace());
            String output = result.stdout() + result.stderr();
            assertEquals(0, result.exitCode(), output);
            assertEquals(9, output.lines().filter(l -> l.startsWith("OK ")).count(), output);
            assertTrue(output.contains("needs CAP_NET_ADMIN / CAP_NET_RAW (run as root or grant the capabilities)"), output);
            assertTrue(!output.contains("SIGSEGV") && !output.contains("hs_err"), output);
            assertTrue(node.addresses().stream().noneMatch(a -> a.startsWith("198.18.0.25")), "nothing was added");
        }
    }
}
