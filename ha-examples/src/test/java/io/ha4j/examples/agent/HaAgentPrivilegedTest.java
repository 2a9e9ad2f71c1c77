package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as an operator runs it: a separate JVM started with {@code ip netns exec} in a network
 * namespace of its own (veth pair, 198.18.7.0/24), reading a keepalived.conf and an haproxy.cfg. It becomes
 * master, adds the VIP with rtnetlink, serves the frontend, runs the notify script; losing the carrier puts
 * it in FAULT (VIP released) until the link returns; SIGTERM makes it send priority 0, remove the VIP and
 * exit. Needs root and iproute2; fails (never skips) without them.
 */
@Tag("privileged")
class HaAgentPrivilegedTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void runsTheConfigurationForRealAndReleasesTheVipOnSigterm(@TempDir Path dir) throws Exception {
        requireRootAndIproute2();
        String ns = "h4j" + ProcessHandle.current().pid() + "ag";
        Process agent = null;
        Path output = dir.resolve("agent.out");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> quietly("ip", "netns", "del", ns)));
        try {
            run("ip", "netns", "add", ns);
            run("ip", "-n", ns, "link", "set", "lo", "up");
            run("ip", "-n", ns, "link", "add", "vrrp0", "type", "veth", "peer", "name", "vrrp1");
            run("ip", "-n", ns, "addr", "add", "198.18.7.1/24", "dev", "vrrp0");
            run("ip", "-n", ns, "link", "set", "vrrp0", "up");
            run("ip", "-n", ns, "link", "set", "vrrp1", "up");

            Path notifyLog = dir.resolve("notify.log");
            Path notify = dir.resolve("notify.sh");
            Files.writeString(notify, "#!/bin/sh\necho \"$@\" >> " + notifyLog + "\n");
            assertTrue(notify.toFile().setExecutable(true));
            Path keepalived = dir.resolve("keepalived.conf");
            Files.writeString(keepalived, """
                    global_defs {
                        router_id agent-test
                    }
                    vrrp_instance VI_1 {
                        state MASTER
                        interface vrrp0
                        virtual_router_id 51
                        priority 150
                        advert_int 1
                        authentication {
                            auth_type PASS
                            auth_pass secret
                        }
                        virtual_ipaddress {
                            198.18.7.100/32
                        }
                        notify %s
                    }
                    """.formatted(notify));
            Path haproxy = dir.resolve("haproxy.cfg");
            Files.writeString(haproxy, """
                    defaults
                        mode tcp
                        timeout connect 1s
                        timeout client 1m
                        timeout server 1m
                    frontend apiserver
                        bind 127.0.0.1:17443
                        default_backend apiserver
                    backend apiserver
                        server n1 127.0.0.1:17444
                    """);

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            agent = new ProcessBuilder("ip", "netns", "exec", ns, java, "-cp", System.getProperty("java.class.path"),
                    HaAgent.class.getName(), "--keepalived-conf", keepalived.toString(), "--haproxy-cfg", haproxy.toString())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            Process running = agent;

            awaitTrue("the VIP is added", () -> addresses(ns).contains("198.18.7.100/32"), running, output);
            awaitTrue("the frontend accepts", () -> quietly("ip", "netns", "exec", ns, "bash", "-c",
                    "exec 3<>/dev/tcp/127.0.0.1/17443") == 0, running, output);
            awaitTrue("notify ran for MASTER", () -> read(notifyLog).contains("INSTANCE VI_1 MASTER 150"), running, output);

            // carrier lost on the VRRP interface (its veth peer goes down): FAULT, VIP released; back when it returns
            run("ip", "-n", ns, "link", "set", "vrrp1", "down");
            awaitTrue("FAULT releases the VIP", () -> !addresses(ns).contains("198.18.7.100"), running, output);
            awaitTrue("notify ran for FAULT", () -> read(notifyLog).contains("INSTANCE VI_1 FAULT"), running, output);
            run("ip", "-n", ns, "link", "set", "vrrp1", "up");
            awaitTrue("the VIP is back", () -> addresses(ns).contains("198.18.7.100/32"), running, output);

            agent.destroy(); // SIGTERM
            assertTrue(agent.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "agent did not stop on SIGTERM:\n" + read(output));
            assertEquals(143, agent.exitValue(), "a JVM stopped by SIGTERM exits 128+15:\n" + read(output));
            assertFalse(addresses(ns).contains("198.18.7.100"), "VIP left behind:\n" + read(output));
            awaitTrue("notify ran for STOP", () -> read(notifyLog).contains("INSTANCE VI_1 STOP"), null, output);
            String log = read(output);
            assertTrue(log.contains("Stopping"), log);
        } finally {
            if (agent != null && agent.isAlive()) {
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            quietly("ip", "netns", "del", ns);
        }
    }

    private static void requireRootAndIproute2() {
        if (!"0".equals(output("id", "-u").trim())) {
            fail("needs root (network namespaces, raw sockets, rtnetlink); run with -Pprivileged as root");
        }
        if (quietly("ip", "-V") != 0) {
            fail("needs iproute2 ('ip'): apt-get install iproute2");
        }
    }

    private static String addresses(String ns) {
        return output("ip", "-n", ns, "-o", "addr", "show", "dev", "vrrp0");
    }

    private static void awaitTrue(String what, BooleanSupplier condition, Process agent, Path output) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (agent != null && !agent.isAlive()) {
                fail("agent exited with " + agent.exitValue() + " before: " + what + "\n" + read(output));
            }
            Thread.sleep(100);
        }
        fail("timed out waiting until " + what + "\n" + read(output));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", command) + " failed: " + out);
        }
    }

    private static String output(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private static int quietly(String... command) {
        try {
            List<String> c = new ArrayList<>(List.of(command));
            Process p = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }
}
