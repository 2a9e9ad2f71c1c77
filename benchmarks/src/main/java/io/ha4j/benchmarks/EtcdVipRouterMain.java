package io.ha4j.benchmarks;

import io.ha4j.core.HaCluster;
import io.ha4j.etcd.EtcdElection;
import io.ha4j.netlink.LinuxVipManager;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The node of {@code benchmarks/etcd-vip-failover.sh}: one {@link HaCluster} with an {@link EtcdElection} whose
 * leader holds a VIP through ha-netlink's {@link LinuxVipManager} (added, then gratuitous ARP). Run it inside a
 * network namespace:
 *
 * <pre>
 * ip netns exec NS java -cp benchmarks/target/benchmarks.jar io.ha4j.benchmarks.EtcdVipRouterMain \
 *     ID TTL_SECONDS VIP_CIDR INTERFACE ENDPOINT...
 * </pre>
 *
 * Prints every cluster event. SIGTERM closes the cluster (the leader removes its VIP and revokes its lease: the
 * graceful hand-over); SIGKILL is the crash.
 */
public final class EtcdVipRouterMain {

    private EtcdVipRouterMain() {
    }

    public static void main(String[] args) throws Exception {
        String[] endpoints = java.util.Arrays.copyOfRange(args, 4, args.length);
        LinuxVipManager vips = LinuxVipManager.open();
        EtcdElection election = EtcdElection.builder("vip")
                .candidateId(args[0])
                .ttl(Duration.ofSeconds(Long.parseLong(args[1])))
                .virtualAddress(args[2], args[3])
                .endpoints(endpoints)
                .build();
        HaCluster cluster = HaCluster.builder().name(args[0]).vipManager(vips).add(election).build();
        cluster.addListener(event -> System.out.println("EVENT " + event));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            vips.close();
            closed.countDown();
        }, "shutdown"));
        cluster.start();
        closed.await();
    }
}
