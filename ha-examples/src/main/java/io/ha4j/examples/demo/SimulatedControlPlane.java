package io.ha4j.examples.demo;

import io.ha4j.core.Clock;
import io.ha4j.core.VirtualAddress;
import io.ha4j.core.testing.ManualScheduler;
import io.ha4j.vrrp.testing.SimulatedLan;
import io.ha4j.vrrp.testing.SimulatedRouter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The demo without root: the same three nodes in one JVM. VRRP runs on ha-vrrp's {@link SimulatedLan} (real
 * {@code VrrpInstance}s exchanging real advert bytes through a simulated segment, each node holding its VIP in
 * an in-memory VIP manager); the balancers, the stand-in apiservers and the client are real, on 127.0.0.1
 * ports. "The VIP" is whichever node's balancer the client is sent to: the one whose VIP manager holds
 * 198.18.0.100 (nobody's: a closed port, so the client's requests fail as they would on a real VIP without
 * a master).
 *
 * <p>The LAN's time is virtual; a pump thread moves it forward with the real clock every few milliseconds,
 * so VRRP and the health checks (which share each node's simulated scheduler) keep real-time pace with the
 * sockets. A crash is the simulated router's crash (nothing it scheduled runs again, it keeps its VIP, no
 * priority 0) plus the node's listeners and connections closed at once; a crashed router is final, so the
 * node comes back as a new router with the same address, as a rebooted host.
 */
final class SimulatedControlPlane implements ControlPlane {

    private static final Map<String, String> ADDRESSES = Map.of("node1", "198.18.0.11", "node2", "198.18.0.12", "node3", "198.18.0.13");
    private static final Map<String, Integer> PRIORITIES = Map.of("node1", 150, "node2", 100, "node3", 50);
    private static final List<String> NODES = List.of("node1", "node2", "node3");
    private static final long PUMP_MILLIS = 5;

    private final DemoOptions options;
    private final Timeline timeline;
    private final DemoPki pki;
    private final Clock clock = Clock.system();
    private final ManualScheduler virtualTime = new ManualScheduler();
    private final SimulatedLan lan = new SimulatedLan(virtualTime, 7);
    private final VirtualAddress vip = VirtualAddress.parse(NamespaceControlPlane.VIP + "/32", "eth0");
    private final Map<String, InetSocketAddress> apiservers = new LinkedHashMap<>();
    private final Map<String, InetSocketAddress> balancers = new LinkedHashMap<>();
    private final Map<String, SimulatedRouter> routers = new ConcurrentHashMap<>();
    private final Map<String, ControlPlaneNode> running = new ConcurrentHashMap<>();
    private final Map<String, Integer> boots = new ConcurrentHashMap<>();
    private final InetSocketAddress nobody;
    private final CountDownLatch stopPump = new CountDownLatch(1);
    private final Thread pump;
    private ClientLoad client;
    private boolean closed;

    private SimulatedControlPlane(DemoOptions options, Timeline timeline, DemoPki pki) throws IOException {
        this.options = options;
        this.timeline = timeline;
        this.pki = pki;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (String n : NODES) {
            apiservers.put(n, new InetSocketAddress(loopback, freePort()));
            balancers.put(n, new InetSocketAddress(loopback, freePort()));
        }
        nobody = new InetSocketAddress(loopback, freePort());
        pump = new Thread(this::pumpTime, "simulated-lan-time");
        pump.setDaemon(true);
        pump.start();
    }

    static SimulatedControlPlane create(DemoOptions options, Timeline timeline, Path runDir) throws Exception {
        return new SimulatedControlPlane(options, timeline, DemoPki.create(runDir, List.of("127.0.0.1")));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Moves the LAN's virtual time with the real clock; tasks that fall due run on this thread. */
    private void pumpTime() {
        long last = clock.nanoTime();
        while (true) {
            try {
                if (stopPump.await(PUMP_MILLIS, TimeUnit.MILLISECONDS)) {
                    return;
                }
                long now = clock.nanoTime();
                virtualTime.advanceNanos(now - last);
                last = now;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                System.err.println("simulation: a task on the simulated LAN failed: " + e);
            }
        }
    }

    @Override
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("SIMULATION in one JVM: VRRP on a simulated LAN, balancers and apiservers on 127.0.0.1");
        for (String n : NODES) {
            lines.add(String.format("%s: simulated router %s, VRRP priority %d, apiserver https://%s:%d, balancer %s:%d",
                    n, ADDRESSES.get(n), PRIORITIES.get(n), apiservers.get(n).getAddress().getHostAddress(), apiservers.get(n).getPort(),
                    balancers.get(n).getAddress().getHostAddress(), balancers.get(n).getPort()));
        }
        lines.add("client: in this JVM, sent to the balancer of the node whose VIP manager holds " + vip.cidr());
        lines.add("VIP " + vip.cidr() + " (in memory), VRRPv2 advert_int " + options.advertInterval().toSeconds() + " s, "
                + "multicast, " + (options.preempt() ? "preempt" : "nopreempt")
                + "; balancer health check: HTTPS GET /readyz expect 200");
        return lines;
    }

    @Override
    public List<String> nodes() {
        return NODES;
    }

    @Override
    public void startNode(String node) throws Exception {
        int boot = boots.merge(node, 1, Integer::sum);
        SimulatedRouter router = lan.addRouter(boot == 1 ? node : node + "-boot" + boot, ADDRESSES.get(node));
        ControlPlaneNode.Spec spec = new ControlPlaneNode.Spec(node, apiservers.get(node), balancers.get(node),
                apiservers, vip, PRIORITIES.get(node), node.equals(NODES.get(0)), options.preempt(), options.advertInterval(), List.of());
        ControlPlaneNode n = new ControlPlaneNode(spec, pki, router.vipManager(), router.transport(), timeline, clock,
                router.scheduler());
        routers.put(node, router);
        running.put(node, n);
        n.start();
    }

    @Override
    public void startClient() throws Exception {
        client = new ClientLoad(new ApiClient(pki.clientContext()), this::vipTarget, timeline, Duration.ofMillis(100));
        client.start();
    }

    /** Where a packet to VIP:7443 would end up: the holder's balancer, or nowhere. */
    private InetSocketAddress vipTarget() {
        List<String> holders = vipHolders();
        return holders.size() == 1 ? balancers.get(holders.get(0)) : nobody;
    }

    @Override
    public void crash(String node) {
        SimulatedRouter r = routers.get(node);
        r.crash();
        ControlPlaneNode n = running.get(node);
        if (n != null) {
            n.kill();
        }
        timeline.accept(new DemoEvent(clock.nanoTime(), node, DemoEvent.Kind.NODE, "", "KILLED",
                "simulated router crashed (no priority 0), listeners and connections gone"));
    }

    @Override
    public void revive(String node) throws Exception {
        ControlPlaneNode old = running.remove(node);
        if (old != null) {
            old.close(); // what the crash left: its scheduler is dead, this only releases threads and sockets
        }
        startNode(node);
    }

    @Override
    public void shutDownApiserver(String node) {
        running.get(node).shutDownApiserver();
    }

    @Override
    public void stopApiserver(String node) {
        running.get(node).stopApiserver();
    }

    @Override
    public boolean clientThroughVip() {
        return false;
    }

    @Override
    public List<String> vipHolders() {
        List<String> holders = new ArrayList<>();
        for (String n : NODES) {
            SimulatedRouter r = routers.get(n);
            if (r != null && !r.isCrashed() && r.vipManager().list(vip.interfaceName()).contains(vip)) {
                holders.add(n);
            }
        }
        return holders;
    }

    @Override
    public Optional<String> vipCommand(String node) {
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (client != null) {
            client.close();
        }
        for (ControlPlaneNode n : running.values()) {
            n.close();
        }
        running.clear();
        stopPump.countDown();
        try {
            pump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
