package io.ha4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HaCluster;
import io.ha4j.core.testkit.Await;
import io.ha4j.netlink.LinuxVipManager;
import io.ha4j.netlink.testing.TestNetwork;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example at the top of README.md, read from README.md at test time, compiled with javax.tools and run inside a
 * network namespace, so the README cannot drift from code that works. The only change to the block is one call
 * inserted after its {@code node.start();} that hands the running cluster to this test: the node becomes master and
 * holds the VIP on eth0 while the cluster runs; a second router on the segment (priority 100) stays backup; when
 * the block's try-with-resources closes the cluster, that router receives the priority-0 advert, takes over, and
 * the VIP is gone from the first node.
 */
@Tag("privileged")
public class ReadmeExampleTest {

    private static final String VIP = "198.18.0.100/32";
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final String START = "node.start();";
    private static final List<String> IMPORTS = List.of("io.ha4j.core.HaCluster", "io.ha4j.netlink.LinuxVipManager",
            "io.ha4j.proxy.Backend", "io.ha4j.proxy.TcpBalancer", "io.ha4j.vrrp.VrrpInstance");
    /** Holds the cluster the README block built while it runs; the generated class calls it. */
    public static volatile Consumer<HaCluster> whileRunning;

    @TempDir
    Path classes;

    /** The first ```java block of README.md (the repository root is this module's parent). */
    static String readmeExample() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        Matcher m = JAVA_BLOCK.matcher(readme);
        assertTrue(m.find(), "README.md has a ```java block");
        return m.group(1);
    }

    /** Compiles the README block as the body of {@code ReadmeExample.run()} and returns that method's class. */
    private Class<?> compile(String block) throws Exception {
        int start = block.indexOf(START);
        assertTrue(start >= 0, "the README example calls " + START);
        String body = block.substring(0, start + START.length())
                + " " + ReadmeExampleTest.class.getName() + ".whileRunning.accept(node);"
                + block.substring(start + START.length());
        StringBuilder source = new StringBuilder("package io.ha4j.examples.readme;\n");
        IMPORTS.forEach(i -> source.append("import ").append(i).append(";\n"));
        source.append("public final class ReadmeExample {\n    public static void run() throws Exception {\n")
                .append(body).append("\n    }\n}\n");
        Path file = classes.resolve("ReadmeExample.java");
        Files.writeString(file, source, StandardCharsets.UTF_8);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int exit = javac.run(null, null, errors, "-proc:none", "-d", classes.toString(),
                "-classpath", testClassPath(), file.toString());
        assertEquals(0, exit, "the README example compiles:\n" + errors.toString(StandardCharsets.UTF_8) + "\n" + source);
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
        return loader.loadClass("io.ha4j.examples.readme.ReadmeExample");
    }

    /** Surefire puts the real class path here when it starts the JVM through a manifest-only jar. */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isEmpty() ? surefire : System.getProperty("java.class.path");
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void readmeExampleTakesTheVipAndItsCloseSendsPriorityZero() throws Exception {
        Class<?> example = compile(readmeExample());
        try (TestNetwork net = TestNetwork.create("rdme")) {
            TestNetwork.Node node1 = net.addNode("node1");
            TestNetwork.Node node2 = net.addNode("node2");
            Peer[] peer = new Peer[1];
            try {
                whileRunning = node -> {
                    VrrpInstance vrrp = node.component("VI_1", VrrpInstance.class).orElseThrow();
                    Await.until(Duration.ofSeconds(20), "VI_1 of the README becomes MASTER", vrrp::isMaster);
                    assertTrue(node1.addresses().contains(VIP), "VIP on eth0 while master: " + node1.addresses());
                    try {
                        peer[0] = node2.run(Peer::start);
                    } catch (Exception e) {
                        throw new AssertionError("the peer router did not start", e);
                    }
                    Await.until(Duration.ofSeconds(20), "the peer (priority 100) hears the README node and stays BACKUP",
                            () -> peer[0].instance.state() == VrrpState.BACKUP
                                    && peer[0].instance.counters().advertsReceived() > 0);
                };
                node1.run(() -> {
                    try {
                        example.getMethod("run").invoke(null);
                    } catch (InvocationTargetException e) {
                        if (e.getCause() instanceof Exception ex) {
                            throw ex;
                        }
                        if (e.getCause() instanceof Error err) {
                            throw err;
                        }
                        throw e;
                    }
                    return null;
                });
                assertTrue(peer[0] != null, "the README example ran up to its node.start()");
                assertFalse(node1.addresses().contains(VIP), "VIP released by close(): " + node1.addresses());
                Await.until(Duration.ofSeconds(10), "the peer received the README node's priority-0 advert at close()",
                        () -> peer[0].instance.counters().priorityZeroReceived() > 0);
                Await.until(Duration.ofSeconds(10), "the peer takes over", peer[0].instance::isMaster);
                Await.until(Duration.ofSeconds(10), "the VIP moved to the peer", () -> node2.addresses().contains(VIP));
            } finally {
                whileRunning = null;
                if (peer[0] != null) {
                    peer[0].close();
                }
            }
        }
    }

    /** A second ha4j router on the segment: same VRID and VIP, priority 100. */
    private record Peer(LinuxVipManager vips, HaCluster cluster, VrrpInstance instance) implements AutoCloseable {
        static Peer start() throws IOException {
            VrrpInstance instance = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51)
                    .priority(100).virtualAddress(VIP).build();
            LinuxVipManager vips = LinuxVipManager.open();
            HaCluster cluster = HaCluster.builder().name("peer").vipManager(vips).add(instance).build();
            cluster.start();
            return new Peer(vips, cluster, instance);
        }

        @Override
        public void close() {
            try {
                cluster.close();
            } finally {
                vips.close();
            }
        }
    }
}
