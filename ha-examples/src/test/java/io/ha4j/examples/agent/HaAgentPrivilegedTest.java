package io.ha4j.examples.agent;

import static io.ha4j.examples.agent.Shell.addresses;
import static io.ha4j.examples.agent.Shell.awaitTrue;
import static io.ha4j.examples.agent.Shell.output;
import static io.ha4j.examples.agent.Shell.quietly;
import static io.ha4j.examples.agent.Shell.read;
import static io.ha4j.examples.agent.Shell.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
        Shell.requireRoot("ip", "-V");
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

            awaitTrue("the VIP is added", () -> addresses(ns, "vrrp0").contains("198.18.7.100/32"), running, output);
            awaitTrue("the frontend accepts", () -> quietly("ip", "netns", "exec", ns, "bash", "-c",
                    "exec 3<>/dev/tcp/127.0.0.1/17443") == 0, running, output);
            awaitTrue("notify ran for MASTER", () -> read(notifyLog).contains("INSTANCE VI_1 MASTER 150"), running, output);

            // carrier lost on the VRRP interface (its veth peer goes down): FAULT, VIP released; back when it returns
            run("ip", "-n", ns, "link", "set", "vrrp1", "down");
            awaitTrue("FAULT releases the VIP", () -> !addresses(ns, "vrrp0").contains("198.18.7.100"), running, output);
            awaitTrue("notify ran for FAULT", () -> read(notifyLog).contains("INSTANCE VI_1 FAULT"), running, output);
            run("ip", "-n", ns, "link", "set", "vrrp1", "up");
            awaitTrue("the VIP is back", () -> addresses(ns, "vrrp0").contains("198.18.7.100/32"), running, output);

            agent.destroy(); // SIGTERM
            assertTrue(agent.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "agent did not stop on SIGTERM:\n" + read(output));
            assertEquals(143, agent.exitValue(), "a JVM stopped by SIGTERM exits 128+15:\n" + read(output));
            assertFalse(addresses(ns, "vrrp0").contains("198.18.7.100"), "VIP left behind:\n" + read(output));
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
}
