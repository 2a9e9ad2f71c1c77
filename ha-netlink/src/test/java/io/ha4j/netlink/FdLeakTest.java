package io.ha4j.netlink;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.netlink.testing.TestNetwork;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Opening and closing 10 000 sockets of each kind (raw VRRP, netlink, packet), 500 VIP managers and 500 failed
 * opens leaves no descriptor behind.
 */
@Tag("privileged")
@Timeout(300)
class FdLeakTest {

    private static final int ROUNDS = 10_000;

    private static int openFds() {
        return Objects.requireNonNull(new File("/proc/self/fd").list()).length;
    }

    interface Round {
        void run() throws Exception;
    }

    private static void inParallel(int rounds, Round round) throws Exception {
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int share = rounds / threads + (t < rounds % threads ? 1 : 0);
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        round.run();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void testNoDescriptorLeaks() throws Exception {
        try (TestNetwork network = TestNetwork.create("fd")) {
            TestNetwork.Node node = network.addNode("a");
            node.run(() -> {
                VrrpSocket.Options v4 = VrrpSocket.Options.ipv4("eth0").sourceAddress(node.ipv4()).build();
                VrrpSocket.Options v6 = VrrpSocket.Options.ipv6("eth0").build();
                VrrpSocket.Options missing = VrrpSocket.Options.ipv4("nosuch0").build();
                // warm up class loading and JNR stubs so that their one-off descriptors are counted before
                VrrpSocket.open(v4).close();
                VrrpSocket.open(v6).close();
                RouteNetlink.open().close();
                NeighborAnnouncer.open("eth0").close();
                LinuxVipManager.open().close();
                assertThrows(NativeException.class, () -> VrrpSocket.open(missing));

                int before = openFds();
                for (int i = 0; i < ROUNDS; i++) {
                    VrrpSocket.open(i % 2 == 0 ? v4 : v6).close();
                }
                int afterRaw = openFds();
                for (int i = 0; i < ROUNDS; i++) {
                    try (RouteNetlink netlink = RouteNetlink.open()) {
                        if (i % 100 == 0) {
                            netlink.link("eth0");
                        }
                    }
                }
                int afterNetlink = openFds();
                // Closing a packet socket waits for an RCU grace period (synchronize_net, ~10 ms), so these
                // rounds run on threads, which are started here and so share this thread's namespace.
                inParallel(ROUNDS, () -> NeighborAnnouncer.open("eth0").close());
                int afterPacket = openFds();
                inParallel(500, () -> {
                    LinuxVipManager.open().close();
                    assertThrows(NativeException.class, () -> VrrpSocket.open(missing));
                });
                int after = openFds();
                String counts = "fds before " + before + ", after raw " + afterRaw + ", netlink " + afterNetlink
                        + ", packet " + afterPacket + ", managers and failed opens " + after;
                assertTrue(after - before <= 3 && afterRaw - before <= 3 && afterNetlink - before <= 3
                        && afterPacket - before <= 3, counts);
                System.out.println(counts);
                return null;
            });
        }
    }
}
