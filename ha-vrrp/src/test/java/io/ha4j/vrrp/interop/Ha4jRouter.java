package io.ha4j.vrrp.interop;

import io.ha4j.core.HaCluster;
import io.ha4j.netlink.LinuxVipManager;
import io.ha4j.netlink.testing.TestNetwork;
import io.ha4j.vrrp.RawSocketTransport;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpListener;
import io.ha4j.vrrp.VrrpState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * ha4j as a router in a test namespace: an {@link HaCluster} with one {@link VrrpInstance} on the real
 * {@link RawSocketTransport} (the default transport, which also follows the interface's link state) and the Linux
 * VIP manager, all started inside {@code NetworkNamespace.run} so its sockets, netlink subscriptions and threads
 * live in the node's namespace.
 */
final class Ha4jRouter implements AutoCloseable {

    final TestNetwork.Node node;
    final VrrpInstance instance;
    private final HaCluster cluster;
    private final LinuxVipManager vipManager;
    private final List<String> transitions;

    private Ha4jRouter(TestNetwork.Node node, VrrpInstance instance, HaCluster cluster, LinuxVipManager vipManager,
                       List<String> transitions) {
        this.node = node;
        this.instance = instance;
        this.cluster = cluster;
        this.vipManager = vipManager;
        this.transitions = transitions;
    }

    /** Builds the instance (default transport: raw sockets) and starts it in {@code node}'s namespace. */
    static Ha4jRouter start(TestNetwork.Node node, VrrpInstance.Builder builder) throws Exception {
        VrrpInstance instance = builder.build(); // no transport set: RawSocketTransport, the default
        List<String> transitions = new CopyOnWriteArrayList<>();
        instance.addListener(new VrrpListener() {
            @Override
            public void stateChanged(VrrpInstance i, VrrpState from, VrrpState to, String reason) {
                transitions.add(from + "->" + to + " (" + reason + ")");
            }
        });
        return node.run(() -> {
            LinuxVipManager vips = LinuxVipManager.open();
            try {
                HaCluster cluster = HaCluster.builder()
                        .name("ha4j-" + node.name())
                        .vipManager(vips)
                        .add(instance)
                        .build();
                cluster.start();
                return new Ha4jRouter(node, instance, cluster, vips, transitions);
            } catch (RuntimeException e) {
                vips.close();
                throw e;
            }
        });
    }

    VrrpState state() {
        return instance.state();
    }

    /** Every transition so far, for failure messages. */
    List<String> transitions() {
        return List.copyOf(transitions);
    }

    /** Graceful stop: a master sends priority 0 and removes its VIPs; then the VIP manager closes. Idempotent. */
    @Override
    public void close() {
        try {
            cluster.close();
        } finally {
            vipManager.close();
        }
    }

    @Override
    public String toString() {
        return "ha4j on " + node + " " + instance + " transitions " + transitions + " counters " + instance.counters();
    }
}
