package io.ha4j.examples.controller;

import io.ha4j.core.HaCluster;
import io.ha4j.core.HaComponent;
import io.ha4j.core.LeaderElection;
import io.ha4j.etcd.EtcdElection;
import io.ha4j.vrrp.VrrpInstance;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link LeaderOnlyController} on the backend named by {@code --backend}:
 *
 * <pre>
 * java ... ControllerMain --backend=etcd --endpoints=http://10.0.0.1:2379,http://10.0.0.2:2379 [--ttl=5]
 * java ... ControllerMain --backend=vrrp --interface=eth0 --vrid=51 --priority=150 --vip=198.18.0.10/24
 * </pre>
 *
 * The VRRP backend needs root (raw sockets) and ha-netlink's VIP manager on the cluster; the etcd backend needs
 * only the etcd endpoints. Ctrl-C closes the cluster: the controller stops, then the election hands over.
 */
public final class ControllerMain {

    private ControllerMain() {
    }

    /** The election the flags ask for; both implementations are a component and a {@link LeaderElection}. */
    static HaComponent election(Map<String, String> flags) {
        String backend = flags.getOrDefault("backend", "etcd");
        switch (backend) {
            case "etcd":
                return EtcdElection.builder("controller")
                        .endpoints(flags.getOrDefault("endpoints", "http://127.0.0.1:2379").split(","))
                        .ttl(Duration.ofSeconds(Long.parseLong(flags.getOrDefault("ttl", "5"))))
                        .build();
            case "vrrp":
                return VrrpInstance.builder("controller")
                        .interfaceName(flags.getOrDefault("interface", "eth0"))
                        .virtualRouterId(Integer.parseInt(flags.getOrDefault("vrid", "51")))
                        .priority(Integer.parseInt(flags.getOrDefault("priority", "100")))
                        .virtualAddress(flags.getOrDefault("vip", "198.18.0.10/24"))
                        .build();
            default:
                throw new IllegalArgumentException("--backend must be etcd or vrrp, was '" + backend + "'");
        }
    }

    static Map<String, String> flags(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("arguments are --name=value, was '" + arg + "'");
            }
            flags.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        return flags;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = flags(args);
        HaComponent election = election(flags);
        FencedLedger ledger = new FencedLedger();
        LeaderOnlyController controller = new LeaderOnlyController("reconciler", (LeaderElection) election, ledger,
                Duration.ofSeconds(1));
        HaCluster.Builder cluster = HaCluster.builder().name("controller").add(election).add(controller);
        if ("vrrp".equals(flags.get("backend"))) {
            cluster.vipManager(io.ha4j.netlink.LinuxVipManager.open());
        }
        HaCluster running = cluster.build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stopped.countDown();
        }, "controller-shutdown"));
        running.addListener(event -> System.out.println(event));
        running.start();
        stopped.await();
    }
}
