package io.ha4j.examples.agent;

import static io.ha4j.examples.agent.Shell.addresses;
import static io.ha4j.examples.agent.Shell.awaitTrue;
import static io.ha4j.examples.agent.Shell.output;
import static io.ha4j.examples.agent.Shell.quietly;
import static io.ha4j.examples.agent.Shell.read;
import static io.ha4j.examples.agent.Shell.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.netlink.NetworkNamespace;
import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.netlink.VrrpSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as an operator runs it: a separate JVM started with {@code ip netns exec} in a network
 * namespace of its own (a veth pair, 198.18.7.0/24, whose other end is in a second namespace), reading a
 * keepalived.conf and an haproxy.cfg. It becomes master, adds the VIP with rtnetlink, serves the frontend,
 * runs the notify script; losing the carrier puts it in FAULT (VIP released) until the link returns.
 *
 * <p>SIGTERM, with a witness for each part of the README's claim: a raw VRRP socket in the peer namespace
 * records every advert, and must see one with priority 0 from the agent; a client connection through the
 * balancer is in the middle of its response when SIGTERM arrives, and its backend sends the rest only after
 * the priority-0 advert was seen, so the client receives every byte only if the balancer drains instead of
 * cutting the connection; the VIP is gone and the STOP notify ran. Needs root and iproute2; fails (never
 * skips) without them.
 */
@Tag("privileged")
class HaAgentPrivilegedTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void runsTheConfigurationForRealAndReleasesTheVipOnSigterm(@TempDir Path dir) throws Exception {
        Shell.requireRoot("ip", "-V");
        String ns = "h4j" + ProcessHandle.current().pid() + "ag";
        String peer = "h4j" + ProcessHandle.current().pid() + "pe";
        Process agent = null;
        Path output = dir.resolve("agent.out");
        AdvertRecorder adverts = null;
        ServerSocket backend = null;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            quietly("ip", "netns", "del", ns);
            quietly("ip", "netns", "del", peer);
        }));
        try {
            run("ip", "netns", "add", ns);
            run("ip", "netns", "add", peer);
            run("ip", "-n", ns, "link", "set", "lo", "up");
            run("ip", "-n", peer, "link", "set", "lo", "up");
            run("ip", "-n", ns, "link", "add", "vrrp0", "type", "veth", "peer", "name", "vrrp1", "netns", peer);
            run("ip", "-n", ns, "addr", "add", "198.18.7.1/24", "dev", "vrrp0");
            run("ip", "-n", peer, "addr", "add", "198.18.7.2/24", "dev", "vrrp1");
            run("ip", "-n", ns, "link", "set", "vrrp0", "up");
            run("ip", "-n", peer, "link", "set", "vrrp1", "up");
            adverts = AdvertRecorder.start(peer, "vrrp1");

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
            run("ip", "-n", peer, "link", "set", "vrrp1", "down");
            awaitTrue("FAULT releases the VIP", () -> !addresses(ns, "vrrp0").contains("198.18.7.100"), running, output);
            awaitTrue("notify ran for FAULT", () -> read(notifyLog).contains("INSTANCE VI_1 FAULT"), running, output);
            run("ip", "-n", peer, "link", "set", "vrrp1", "up");
            awaitTrue("the VIP is back", () -> addresses(ns, "vrrp0").contains("198.18.7.100/32"), running, output);

            AdvertRecorder recorded = adverts;
            awaitTrue("the peer hears the master's adverts", () -> recorded.priorities().contains(150), running, output);
            assertFalse(recorded.priorities().contains(0), "priority 0 before SIGTERM: " + recorded.priorities());

            // a response in flight: the client has the first half when SIGTERM arrives. The backend listens only
            // from here on, so the earlier probe of the frontend left nothing in its accept queue.
            backend = NetworkNamespace.run(ns, () -> new ServerSocket(17444, 4, InetAddress.getLoopbackAddress()));
            backend.setSoTimeout((int) DEADLINE.toMillis());
            try (Socket client = NetworkNamespace.run(ns, () -> new Socket(InetAddress.getLoopbackAddress(), 17443))) {
                client.setSoTimeout((int) DEADLINE.toMillis());
                try (Socket server = backend.accept()) {
                    server.setSoTimeout((int) DEADLINE.toMillis());
                    client.getOutputStream().write("GET /watch\n".getBytes(StandardCharsets.US_ASCII));
                    byte[] request = server.getInputStream().readNBytes(11);
                    assertEquals("GET /watch\n", new String(request, StandardCharsets.US_ASCII));
                    server.getOutputStream().write(response(0, HALF));
                    assertArrayEquals(response(0, HALF), client.getInputStream().readNBytes(HALF));

                    agent.destroy(); // SIGTERM
                    awaitTrue("the peer records the priority-0 advert", () -> recorded.priorities().contains(0), null, output);
                    server.getOutputStream().write(response(HALF, HALF));
                    server.shutdownOutput();
                    assertArrayEquals(response(HALF, HALF), client.getInputStream().readNBytes(HALF + 1),
                            "the response in flight was cut:\n" + read(output));
                }
            }
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
            if (adverts != null) {
                adverts.close();
            }
            if (backend != null) {
                backend.close();
            }
            quietly("ip", "netns", "del", ns);
            quietly("ip", "netns", "del", peer);
        }
    }

    private static final int HALF = 64 * 1024;

    /** {@code length} bytes of a response whose byte at offset {@code i} is a function of {@code i}. */
    private static byte[] response(int from, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) ((from + i) * 31 + 7);
        }
        return b;
    }

    /**
     * A raw VRRP socket on the peer end of the veth (ha-netlink's {@link VrrpSocket}, opened in the peer
     * namespace): records the priority of every advert for VRID 51 that arrives there.
     */
    private static final class AdvertRecorder implements AutoCloseable {
        private final VrrpSocket socket;
        private final List<Integer> priorities = new CopyOnWriteArrayList<>();
        private final Thread thread;

        private AdvertRecorder(VrrpSocket socket) {
            this.socket = socket;
            this.thread = new Thread(this::receive, "advert-recorder");
            thread.setDaemon(true);
            thread.start();
        }

        static AdvertRecorder start(String namespace, String interfaceName) throws Exception {
            return new AdvertRecorder(NetworkNamespace.run(namespace, () -> VrrpSocket.open(VrrpSocket.Options.ipv4(interfaceName).build())));
        }

        private void receive() {
            ByteBuffer pdu = ByteBuffer.allocate(1500);
            ReceivedPacket packet = new ReceivedPacket();
            try {
                while (true) {
                    pdu.clear();
                    if (!socket.receive(pdu, packet)) {
                        return;
                    }
                    if (pdu.position() >= 8 && (pdu.get(1) & 0xff) == 51) {
                        priorities.add(pdu.get(2) & 0xff);
                    }
                }
            } catch (java.io.IOException e) {
                priorities.add(-1); // shows in assertion messages; the priority-0 wait then fails
            }
        }

        List<Integer> priorities() {
            return List.copyOf(priorities);
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(10_000);
        }
    }
}
