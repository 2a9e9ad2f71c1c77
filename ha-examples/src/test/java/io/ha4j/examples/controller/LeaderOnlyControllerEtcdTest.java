package io.ha4j.examples.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ha4j.core.HaCluster;
import io.ha4j.core.Leadership;
import io.ha4j.core.testkit.Await;
import io.ha4j.etcd.EtcdElection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The controller end to end on a real etcd (one member on a loopback port, data in a temporary directory, killed
 * by its pid): two nodes, each an HaCluster of an EtcdElection and the controller; only the leader writes, a write
 * with the old leader's token is refused after the hand-over, and closing the leader's cluster hands over.
 */
@Tag("privileged")
@Timeout(60)
class LeaderOnlyControllerEtcdTest {

    private static void await(String what, BooleanSupplier condition) {
        Await.until(Duration.ofSeconds(20), what, condition);
    }

    @Test
    void onlyTheLeaderWritesAndShutdownHandsOver() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/etcd"))) {
            fail("/usr/bin/etcd is missing: install Debian's etcd-server (scripts/test.sh does)");
        }
        Path dir = Files.createTempDirectory("ha4j-controller-etcd-");
        int client;
        int peer;
        try (ServerSocket s1 = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket s2 = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            client = s1.getLocalPort();
            peer = s2.getLocalPort();
        }
        String url = "http://127.0.0.1:" + client;
        Process etcd = new ProcessBuilder("/usr/bin/etcd", "--name", "m0", "--data-dir", dir.resolve("m0").toString(),
                "--listen-client-urls", url, "--advertise-client-urls", url,
                "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-cluster", "m0=http://127.0.0.1:" + peer, "--logger", "zap", "--log-outputs", "stderr")
                .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
        FencedLedger ledger = new FencedLedger();
        HaCluster[] nodes = new HaCluster[2];
        LeaderOnlyController[] controllers = new LeaderOnlyController[2];
        EtcdElection[] elections = new EtcdElection[2];
        try {
            HttpClient http = HttpClient.newHttpClient();
            await("etcd healthy", () -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(),
                            HttpResponse.BodyHandlers.ofString()).body().contains("\"true\"");
                } catch (Exception e) {
                    return false;
                }
            });
            for (int i = 0; i < 2; i++) {
                elections[i] = EtcdElection.builder("controller").candidateId("node" + i).endpoints(url)
                        .ttl(Duration.ofSeconds(2)).build();
                controllers[i] = new LeaderOnlyController("node" + i, elections[i], ledger, Duration.ofMillis(50));
                nodes[i] = HaCluster.builder().name("node" + i).add(elections[i]).add(controllers[i]).build();
                nodes[i].start();
            }
            await("one leader", () -> elections[0].hasLeadership() ^ elections[1].hasLeadership());
            int leader = elections[0].hasLeadership() ? 0 : 1;
            int other = 1 - leader;
            await("the leader reconciles", () -> controllers[leader].rounds() >= 5);
            assertEquals(0, controllers[other].rounds(), "the follower does nothing");
            Leadership oldTerm = elections[leader].leadership().orElseThrow();

            nodes[leader].close(); // controller first, then the election revokes its lease
            await("the other node leads and reconciles", () -> controllers[other].rounds() >= 5);
            long newToken = elections[other].leadership().orElseThrow().token();
            assertTrue(newToken > oldTerm.token(), "etcd's token grows across nodes");
            assertFalse(ledger.append(oldTerm.token(), "a write of the old leader arriving late"),
                    "the ledger fences the old leader off");
            assertEquals(1, ledger.refused());
            List<String> entries = ledger.entries();
            long previous = 0;
            for (String e : entries) {
                long token = Long.parseLong(e.substring(0, e.indexOf(' ')));
                assertTrue(token >= previous, "tokens never go back: " + entries);
                assertTrue(e.contains(token == oldTerm.token() ? "node" + leader : "node" + other), e);
                previous = token;
            }
        } finally {
            for (HaCluster n : nodes) {
                if (n != null) {
                    n.close();
                }
            }
            etcd.destroyForcibly();
            etcd.waitFor(10, TimeUnit.SECONDS);
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
