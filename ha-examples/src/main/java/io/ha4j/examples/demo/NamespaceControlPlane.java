package io.ha4j.examples.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real thing: a LAN of network namespaces ({@link NamespaceLan}), one JVM per control-plane node
 * ({@link DemoNode}) and one for the client ({@link DemoClient}), each started with {@code ip netns exec}.
 * Every node runs ha4j's {@code VrrpInstance} with the Linux VIP manager (the VIP is a real address on its
 * {@code eth0}) and a {@code TcpBalancer} on {@code :7443}.
 *
 * <p>A crash is the node's bridge port set down, then {@code kill -9} of its JVM (a dead host drops off the
 * LAN at once; the VIP the killed JVM could not remove stays on its {@code eth0}). Coming back, the node's JVM
 * starts while its link is still down, so ha4j's start-up cleanup removes the leftover VIP before the node
 * can answer for it (its VRRP instance sits in FAULT, interface down), and the link comes up once the node
 * has started.
 */
final class NamespaceControlPlane implements ControlPlane {

    static final String VIP = "198.18.0.100";
    static final int VIP_PREFIX = 32;
    static final String CLIENT = "client";
    static final int BALANCER_PORT = 7443;
    static final int APISERVER_PORT = 6443;
    private static final Map<String, String> NODES = nodeAddresses();
    private static final Map<String, Integer> PRIORITIES = Map.of("node1", 150, "node2", 100, "node3", 50);

    private final DemoOptions options;
    private final Timeline timeline;
    private final Path runDir;
    private final NamespaceLan lan;
    private final Map<String, DemoProcess> processes = new ConcurrentHashMap<>();
    private final Set<String> crashed = ConcurrentHashMap.newKeySet();

    private NamespaceControlPlane(DemoOptions options, Timeline timeline, Path runDir, NamespaceLan lan) {
        this.options = options;
        this.timeline = timeline;
        this.runDir = runDir;
        this.lan = lan;
    }

    private static Map<String, String> nodeAddresses() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("node1", "198.18.0.11");
        m.put("node2", "198.18.0.12");
        m.put("node3", "198.18.0.13");
        return m;
    }

    /** Creates the certificate (in {@code runDir}, where the nodes and the client read it) and the LAN; nothing runs yet. */
    static NamespaceControlPlane create(DemoOptions options, Timeline timeline, Path runDir) throws Exception {
        List<String> sans = new ArrayList<>(NODES.values());
        sans.add(VIP);
        DemoPki.create(runDir, sans);
        Map<String, String> members = new LinkedHashMap<>();
        NODES.forEach((n, a) -> members.put(n, a + "/24"));
        members.put(CLIENT, "198.18.0.50/24");
        NamespaceLan lan = NamespaceLan.create(options.prefix(), members);
        return new NamespaceControlPlane(options, timeline, runDir, lan);
    }

    @Override
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("REAL network namespaces on one bridge, one JVM per node (prefix " + lan.prefix() + ", logs in " + runDir + ")");
        NODES.forEach((n, a) -> lines.add(String.format("%s: netns %s, eth0 %s/24, VRRP priority %d, apiserver https://%s:%d, balancer :%d",
                n, lan.namespace(n), a, PRIORITIES.get(n), a, APISERVER_PORT, BALANCER_PORT)));
        lines.add(CLIENT + ": netns " + lan.namespace(CLIENT) + ", eth0 198.18.0.50/24, talks to https://" + VIP + ":" + BALANCER_PORT);
        lines.add("VIP " + VIP + "/" + VIP_PREFIX + ", VRRPv2 advert_int " + options.advertInterval().toSeconds() + " s, "
                + "unicast to the other nodes, " + (options.preempt() ? "preempt" : "nopreempt")
                + "; balancer health check: HTTPS GET /readyz expect 200");
        return lines;
    }

    @Override
    public List<String> nodes() {
        return List.copyOf(NODES.keySet());
    }

    @Override
    public void startNode(String node) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--name", node,
                "--address", NODES.get(node),
                "--interface", NamespaceLan.INTERFACE,
                "--priority", Integer.toString(PRIORITIES.get(node)),
                "--vip", VIP + "/" + VIP_PREFIX,
                "--peers", String.join(",", NODES.values()),
                "--backends", backendsArgument(),
                "--advert-int", Long.toString(options.advertInterval().toSeconds()),
                "--pki", runDir.toString()));
        if (!options.preempt()) {
            args.add("--nopreempt");
        }
        if (node.equals(nodes().get(0))) {
            args.add("--state");
            args.add("MASTER");
        }
        processes.put(node, DemoProcess.start(node, lan.namespace(node), DemoNode.class.getName(), args, runDir, timeline));
    }

    private static String backendsArgument() {
        List<String> b = new ArrayList<>();
        NODES.forEach((n, a) -> b.add(n + "=" + a + ":" + APISERVER_PORT));
        return String.join(",", b);
    }

    @Override
    public void startClient() throws Exception {
        processes.put(CLIENT, DemoProcess.start(CLIENT, lan.namespace(CLIENT), DemoClient.class.getName(),
                List.of("--target", VIP + ":" + BALANCER_PORT, "--pki", runDir.toString()), runDir, timeline));
    }

    @Override
    public void crash(String node) throws Exception {
        // the link first, as when a host dies: nothing the dying process does reaches the LAN any more
        lan.linkDown(node);
        DemoProcess p = processes.remove(node);
        if (p != null) {
            p.kill();
        }
        crashed.add(node);
        timeline.accept(new DemoEvent(timeline.clock().nanoTime(), node, DemoEvent.Kind.NODE, "", "KILLED",
                "link down, kill -9 of pid " + (p == null ? "?" : p.pid()) + "; ip addr still shows "
                        + (hasVip(node) ? "the VIP" : "no VIP") + " on its dead eth0"));
    }

    @Override
    public void revive(String node) throws Exception {
        long since = timeline.clock().nanoTime();
        startNode(node);
        boolean started = timeline.await(Duration.ofSeconds(30), t -> t.events().stream().anyMatch(e ->
                e.origin().equals(node) && e.kind() == DemoEvent.Kind.NODE && e.nanoTime() >= since
                        && (e.state().equals("STARTED") || e.state().equals("FAILED"))));
        if (!started) {
            timeline.say(node + " did not report STARTED within 30 s; bringing its link up anyway");
        }
        timeline.say(node + " started with its link still down; ip addr on its eth0 now: " + lan.addresses(node)
                + (hasVip(node) ? " (the VIP left by the crash is STILL there)" : " (the VIP left by the crash was removed at start)"));
        lan.linkUp(node);
        crashed.remove(node);
        timeline.say(node + ": link up");
    }

    @Override
    public void shutDownApiserver(String node) {
        command(node, "apiserver shutdown");
    }

    @Override
    public void stopApiserver(String node) {
        command(node, "apiserver stop");
    }

    private void command(String node, String command) {
        DemoProcess p = processes.get(node);
        if (p == null || !p.send(command)) {
            timeline.say("cannot send '" + command + "' to " + node + ": its process is gone");
        }
    }

    @Override
    public List<String> vipHolders() throws IOException, InterruptedException {
        List<String> holders = new ArrayList<>();
        for (String n : NODES.keySet()) {
            if (!crashed.contains(n) && hasVip(n)) { // a dead node's leftover VIP answers nobody
                holders.add(n);
            }
        }
        return holders;
    }

    private boolean hasVip(String node) throws IOException, InterruptedException {
        return lan.addresses(node).contains(VIP + "/" + VIP_PREFIX);
    }

    @Override
    public Optional<String> vipCommand(String node) {
        return NODES.containsKey(node)
                ? Optional.of("ip -n " + lan.namespace(node) + " -4 addr show dev " + NamespaceLan.INTERFACE)
                : Optional.empty();
    }

    @Override
    public synchronized void close() {
        DemoProcess client = processes.remove(CLIENT);
        if (client != null) {
            client.close();
        }
        List<DemoProcess> running = new ArrayList<>(processes.values());
        processes.clear();
        running.forEach(DemoProcess::requestStop); // all nodes stop at once: priority 0, VIPs released
        running.forEach(DemoProcess::close);
        lan.close();
    }
}
