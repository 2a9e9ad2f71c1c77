package io.ha4j.examples.agent;

import io.ha4j.core.testkit.Await;
import static io.ha4j.examples.agent.Shell.addresses;
import static io.ha4j.examples.agent.Shell.awaitTrue;
import static io.ha4j.examples.agent.Shell.quietly;
import static io.ha4j.examples.agent.Shell.read;
import static io.ha4j.examples.agent.Shell.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drop-in claim of seed 001 (two control-plane nodes): master01 keeps running real keepalived with its
 * "Example for master01" configuration, master02 runs HaAgent with its "Example for master02" configuration
 * (auth_type PASS, VRRPv2, tracked script), each in its own network namespace joined by a veth pair. Only the
 * interface, the addresses (198.18.8.0/24) and the script path are changed. keepalived holds the VIP while it
 * runs; when it stops (priority 0), the agent takes the VIP over; SIGTERM to the agent releases it.
 * Needs root, iproute2 and keepalived; fails (never skips) without them.
 */
@Tag("privileged")
class KeepalivedInteropPrivilegedTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void agentBacksUpRealKeepalivedWithTheSeedConfigurations(@TempDir Path dir) throws Exception {
        Shell.requireRoot("ip", "-V", "keepalived", "--version");
        String prefix = "h4j" + ProcessHandle.current().pid();
        String nsKeepalived = prefix + "k";
        String nsAgent = prefix + "a";
        Process keepalived = null;
        Process agent = null;
        Path keepalivedOut = dir.resolve("keepalived.out");
        Path agentOut = dir.resolve("agent.out");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            quietly("ip", "netns", "del", nsKeepalived);
            quietly("ip", "netns", "del", nsAgent);
        }));
        try {
            run("ip", "netns", "add", nsKeepalived);
            run("ip", "netns", "add", nsAgent);
            run("ip", "-n", nsKeepalived, "link", "add", "m01", "type", "veth", "peer", "name", "m02", "netns", nsAgent);
            run("ip", "-n", nsKeepalived, "addr", "add", "198.18.8.10/24", "dev", "m01");
            run("ip", "-n", nsAgent, "addr", "add", "198.18.8.11/24", "dev", "m02");
            run("ip", "-n", nsKeepalived, "link", "set", "m01", "up");
            run("ip", "-n", nsAgent, "link", "set", "m02", "up");
            run("ip", "-n", nsKeepalived, "link", "set", "lo", "up");
            run("ip", "-n", nsAgent, "link", "set", "lo", "up");

            Path check = dir.resolve("check_apiserver.sh");
            Files.writeString(check, "#!/bin/sh\nexit 0\n");
            assertTrue(check.toFile().setExecutable(true));
            Path master01 = dir.resolve("master01.conf");
            Files.writeString(master01, adapt(TestFiles.text("seed001-keepalived-master01.conf"), "m01", check));
            Path master02 = dir.resolve("master02.conf");
            Files.writeString(master02, adapt(TestFiles.text("seed001-keepalived-master01.conf"), "m02", check)
                    .replace("state MASTER", "state BACKUP").replace("priority 200", "priority 100"));

            keepalived = new ProcessBuilder("ip", "netns", "exec", nsKeepalived, "keepalived", "-n", "-l", "-D", "-G", "-P",
                    "-f", master01.toString(), "-p", dir.resolve("k.pid").toString(), "-r", dir.resolve("k-vrrp.pid").toString())
                    .redirectErrorStream(true).redirectOutput(keepalivedOut.toFile()).start();
            awaitTrue("keepalived holds the VIP", () -> addresses(nsKeepalived, "m01").contains("198.18.8.100/32"), keepalived,
                    keepalivedOut);

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            agent = new ProcessBuilder("ip", "netns", "exec", nsAgent, java, "-cp", System.getProperty("java.class.path"),
                    HaAgent.class.getName(), "--keepalived-conf", master02.toString())
                    .redirectErrorStream(true).redirectOutput(agentOut.toFile()).start();
            Process runningAgent = agent;
            awaitTrue("the agent is BACKUP", () -> read(agentOut).contains("INITIALIZE -> BACKUP"), agent, agentOut);
            // several advert intervals: the agent must accept keepalived's adverts (PASS auth, v2) and stay backup
            Await.quietPeriod(Duration.ofSeconds(4));
            assertTrue(agent.isAlive(), read(agentOut));
            assertTrue(!addresses(nsAgent, "m02").contains("198.18.8.100"), "split brain: the agent took the VIP while "
                    + "keepalived is master\n" + read(agentOut) + "\n" + read(keepalivedOut));
            assertTrue(addresses(nsKeepalived, "m01").contains("198.18.8.100/32"), read(keepalivedOut));

            keepalived.destroy(); // SIGTERM: keepalived sends priority 0 and removes the VIP
            assertTrue(keepalived.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), read(keepalivedOut));
            awaitTrue("the agent takes the VIP over", () -> addresses(nsAgent, "m02").contains("198.18.8.100/32"), runningAgent,
                    agentOut);

            agent.destroy();
            assertTrue(agent.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), read(agentOut));
            assertEquals(143, agent.exitValue(), read(agentOut));
            assertTrue(!addresses(nsAgent, "m02").contains("198.18.8.100"), "VIP left behind\n" + read(agentOut));
        } finally {
            for (Process p : new Process[] {agent, keepalived}) {
                if (p != null && p.isAlive()) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            quietly("ip", "netns", "del", nsKeepalived);
            quietly("ip", "netns", "del", nsAgent);
        }
    }

    /** The seed's configuration on the test's interface, VIP and check script. */
    private static String adapt(String seed, String iface, Path check) {
        return seed.replace("enp0s3", iface).replace("10.0.2.100", "198.18.8.100")
                .replace("/etc/keepalived/check_apiserver.sh", check.toString());
    }
}
