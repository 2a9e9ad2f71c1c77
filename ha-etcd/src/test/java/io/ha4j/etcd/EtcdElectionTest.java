package io.ha4j.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HaCluster;
import io.ha4j.core.InMemoryVipManager;
import io.ha4j.core.Leadership;
import io.ha4j.core.VirtualAddress;
import io.ha4j.core.testkit.Await;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link EtcdElection} against real etcd processes on 127.0.0.1 (one member for the fast cases, three for member
 * failures). Every scenario records every candidate's leadership intervals on one monotonic clock and asserts that
 * they are disjoint and that the fencing token grows from term to term; failover times are printed and bounded
 * only generously (speed is shown by benchmarks/etcd-failover.sh).
 */
@Tag("privileged")
@Timeout(60)
class EtcdElectionTest {

    private static final Duration TTL = Duration.ofSeconds(2);
    private static final long GENEROUS_MILLIS = TTL.toMillis() * 3 + 5_000;

    private final LeadershipLog log = new LeadershipLog();
    private final List<EtcdElection> elections = new ArrayList<>();
    private final List<Process> jvms = new ArrayList<>();
    private EtcdCluster etcd;

    @AfterEach
    void tearDown() throws Exception {
        for (EtcdElection e : elections) {
            e.close();
        }
        for (Process p : jvms) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    private EtcdElection candidate(String id) throws Exception {
        EtcdElection e = EtcdElection.builder("election").candidateId(id).ttl(TTL).keyPrefix("/test/election/")
                .endpoints(etcd.clientUrls()).build();
        e.addLeadershipListener(log.listenerFor(id));
        elections.add(e);
        e.start();
        return e;
    }

    private List<EtcdElection> candidates(int n) throws Exception {
        List<EtcdElection> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(candidate("c" + i));
        }
        return list;
    }

    private EtcdElection awaitOneLeader(List<EtcdElection> among) throws InterruptedException {
        awaitTrue("one leader among " + among, GENEROUS_MILLIS, () -> among.stream().filter(EtcdElection::hasLeadership).count() == 1);
        return among.stream().filter(EtcdElection::hasLeadership).findFirst().orElseThrow();
    }

    private static List<EtcdElection> without(List<EtcdElection> all, EtcdElection gone) {
        List<EtcdElection> rest = new ArrayList<>(all);
        rest.remove(gone);
        return rest;
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    @Test
    void oneOfThreeLeadsOthersSeeItAndGracefulCloseHandsOverAtOnce() throws Exception {
        etcd = EtcdCluster.start(1);
        List<EtcdElection> all = candidates(3);
        EtcdElection leader = awaitOneLeader(all);
        Leadership term = leader.leadership().orElseThrow();
        assertTrue(term.token() > 0, "token is the key's create revision");
        for (EtcdElection e : all) {
            awaitTrue(e.candidateId() + " observes the leader", GENEROUS_MILLIS,
                    () -> e.currentLeader().equals(Optional.of(leader.candidateId())));
        }

        for (int round = 0; round < 2; round++) {
            EtcdElection current = all.stream().filter(EtcdElection::hasLeadership).findFirst().orElseThrow();
            List<EtcdElection> rest = without(all, current);
            long closing = System.nanoTime();
            current.close();
            EtcdElection next = awaitOneLeader(rest);
            LeadershipLog.Interval nextTerm = log.firstStartedAfter(closing).orElseThrow();
            System.out.printf("graceful close: %s handed over to %s in %.1f ms%n", current.candidateId(),
                    next.candidateId(), millis(nextTerm.start - closing));
            assertEquals(next.candidateId(), nextTerm.candidate);
            assertTrue(next.leadership().orElseThrow().token() > term.token(), "token grows");
            term = next.leadership().orElseThrow();
            all = rest;
        }
        log.assertDisjointAndTokensGrow();
    }

    @Test
    void aVipFollowsTheLeaderThroughAnHaClusterAndAHostHookCanAnnounceIt() throws Exception {
        etcd = EtcdCluster.start(1);
        VirtualAddress vip = VirtualAddress.parse("198.18.0.10/24", "eth0");
        InMemoryVipManager[] managers = {new InMemoryVipManager(), new InMemoryVipManager()};
        List<VirtualAddress> hooked = new java.util.concurrent.CopyOnWriteArrayList<>();
        managers[1].addExternally(vip); // left behind by a crashed run of node 1
        HaCluster[] nodes = new HaCluster[2];
        EtcdElection[] e = new EtcdElection[2];
        try {
            for (int i = 0; i < 2; i++) {
                EtcdElection.Builder b = EtcdElection.builder("vip").candidateId("n" + i).ttl(TTL)
                        .keyPrefix("/test/vip/").endpoints(etcd.clientUrls()).virtualAddress(vip).announceRepeat(2);
                if (i == 1) {
                    b.announcer(hooked::add); // e.g. a routing daemon instead of gratuitous ARP
                }
                e[i] = b.build();
                e[i].addLeadershipListener(log.listenerFor("n" + i));
                nodes[i] = HaCluster.builder().name("node" + i).vipManager(managers[i]).add(e[i]).build();
                if (i == 0) {
                    nodes[0].start();
                    awaitTrue("node 0 leads", GENEROUS_MILLIS, e[0]::hasLeadership);
                } else {
                    nodes[1].start();
                }
            }
            assertTrue(managers[0].isPresent(vip), "the leader holds the VIP");
            assertEquals(List.of(vip, vip), managers[0].announcements(), "announced through the VIP manager");
            awaitTrue("node 1 follows", GENEROUS_MILLIS, () -> e[1].currentLeader().equals(Optional.of("n0")));
            assertFalse(managers[1].isPresent(vip), "the follower removed its leftover at start and does not hold it");

            nodes[0].close();
            awaitTrue("node 1 leads", GENEROUS_MILLIS, e[1]::hasLeadership);
            assertFalse(managers[0].isPresent(vip), "released on close");
            assertTrue(managers[1].isPresent(vip), "the new leader holds it");
            assertEquals(List.of(vip, vip), hooked, "announced through the host's hook");
            assertTrue(managers[1].announcements().isEmpty(), "and not by gratuitous ARP");
        } finally {
            for (HaCluster n : nodes) {
                if (n != null) {
                    n.close();
                }
            }
        }
        assertFalse(managers[1].isPresent(vip), "released when its cluster closed");
        log.assertDisjointAndTokensGrow();
    }

    @Test
    void aLeaderOnAHealthyEtcdKeepsLeadingForManyTtls() throws Exception {
        etcd = EtcdCluster.start(1);
        List<EtcdElection> all = candidates(2);
        EtcdElection leader = awaitOneLeader(all);
        Leadership term = leader.leadership().orElseThrow();
        Await.quietPeriod(TTL.multipliedBy(3)); // keep-alives must carry the term across several TTLs
        assertEquals(Optional.of(term), leader.leadership(), "same term: keep-alives keep it");
        log.assertDisjointAndTokensGrow();
        assertEquals(1, log.intervals().size());
    }

    @Test
    void aKilledLeaderJvmIsReplacedAfterItsLeaseExpires() throws Exception {
        etcd = EtcdCluster.start(1);
        Process child = startCandidateJvm("jvm-0");
        // steadily: a cold JVM's first lease can lapse while its classes load, and it then campaigns again
        awaitTrue("the child JVM leads for a TTL", GENEROUS_MILLIS * 2, () -> log.current()
                .map(i -> i.candidate.equals("jvm-0") && System.nanoTime() - i.start > TTL.toNanos()).orElse(false));
        List<EtcdElection> local = candidates(2);
        for (EtcdElection e : local) {
            awaitTrue(e.candidateId() + " sees the child JVM lead", GENEROUS_MILLIS,
                    () -> e.currentLeader().equals(Optional.of("jvm-0")));
        }
        assertEquals("jvm-0", log.current().orElseThrow().candidate, "the child JVM still leads");

        child.destroyForcibly(); // SIGKILL by pid: no revoke, the lease must expire on the server
        child.waitFor(10, TimeUnit.SECONDS);
        long killed = System.nanoTime();
        log.notLead("jvm-0", killed);
        EtcdElection next = awaitOneLeader(local);
        log.assertDisjointAndTokensGrow();
        long failover = log.firstStartedAfter(killed).orElseThrow().start - killed;
        System.out.printf("leader JVM killed (TTL %d s): %s leads after %.0f ms%n", TTL.toSeconds(), next.candidateId(),
                millis(failover));
        assertTrue(failover < TimeUnit.MILLISECONDS.toNanos(GENEROUS_MILLIS));
        log.assertDisjointAndTokensGrow();
    }

    /** A candidate in its own JVM whose LEAD/NOTLEAD lines go into {@link #log}. */
    private Process startCandidateJvm(String id) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                CandidateProcess.class.getName(), id, Long.toString(TTL.toSeconds()), "/test/election/"));
        cmd.addAll(List.of(etcd.clientUrls()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        jvms.add(p);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    String[] parts = line.split(" ");
                    if (parts[0].equals("LEAD")) {
                        log.lead(id, Long.parseLong(parts[2]), Long.parseLong(parts[1]));
                    } else if (parts[0].equals("NOTLEAD")) {
                        log.notLead(id, Long.parseLong(parts[1]));
                    }
                }
            } catch (java.io.IOException e) {
                // the child was killed
            }
        }, "candidate-" + id + "-stdout");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    @Test
    void killingTheEtcdLeaderMemberNeverGivesTwoLeaders() throws Exception {
        etcd = EtcdCluster.start(3);
        List<EtcdElection> all = candidates(3);
        awaitOneLeader(all);
        EtcdCluster.Member raftLeader = etcd.leader();
        long killed = System.nanoTime();
        raftLeader.kill();
        System.out.println("killed etcd leader " + raftLeader);
        Await.quietPeriod(TTL.multipliedBy(2)); // longer than a lease: whatever expires, expires
        EtcdElection leader = awaitOneLeader(all);
        printGap("etcd leader member killed", killed);
        System.out.println("leader after the etcd leader change: " + leader.candidateId());

        etcd.restart(raftLeader);
        etcd.awaitHealthy();
        leader.close();
        awaitOneLeader(without(all, leader));
        log.assertDisjointAndTokensGrow();
    }

    @Test
    void aStoppedMemberNeverGivesTwoLeaders() throws Exception {
        etcd = EtcdCluster.start(3);
        List<EtcdElection> all = candidates(3);
        awaitOneLeader(all);
        // A follower: an etcd 3.4.23 leader paused for longer than the TTL revokes every lease when it resumes
        // (etcd-io/etcd#15247, fixed upstream by #16822), deleting a live leader's key; see ha-etcd/README.md.
        EtcdCluster.Member leaderMember = etcd.leader();
        EtcdCluster.Member victim = etcd.members().stream().filter(m -> m != leaderMember).findFirst().orElseThrow();
        long stopped = System.nanoTime();
        victim.signal("STOP");
        System.out.println("SIGSTOP " + victim);
        Await.quietPeriod(TTL.multipliedBy(2)); // longer than a lease: whatever expires, expires
        awaitOneLeader(all);
        printGap("etcd follower member stopped", stopped);
        victim.signal("CONT");
        etcd.awaitHealthy();
        EtcdElection leader = awaitOneLeader(all);
        leader.close();
        awaitOneLeader(without(all, leader));
        log.assertDisjointAndTokensGrow();
    }

    @Test
    void aLeaderCutOffFromEtcdStepsDownBeforeItsLeaseCanExpire() throws Exception {
        etcd = EtcdCluster.start(3);
        List<EtcdElection> all = candidates(3);
        EtcdElection leader = awaitOneLeader(all);
        long lastAckBound = System.nanoTime();
        for (EtcdCluster.Member m : etcd.members()) {
            m.signal("STOP");
        }
        long cut = System.nanoTime();
        awaitTrue("the leader steps down while etcd is unreachable", GENEROUS_MILLIS, () -> !leader.hasLeadership());
        LeadershipLog.Interval lastTerm = log.intervals().stream().filter(i -> i.end != LeadershipLog.OPEN)
                .reduce((a, b) -> b).orElseThrow();
        System.out.printf("cut off from etcd: %s stepped down %.0f ms after the cut (TTL %d ms)%n",
                lastTerm.candidate, millis(lastTerm.end - cut), TTL.toMillis());
        // its last acknowledged keep-alive left before the cut, so the server keeps the lease for at least a TTL
        assertTrue(lastTerm.end - lastAckBound < TTL.toNanos(),
                "stepped down before the lease could expire on the server: " + lastTerm);
        Await.quietPeriod(TTL); // a lease's lifetime with etcd gone: nobody may take over
        assertTrue(all.stream().noneMatch(EtcdElection::hasLeadership), "nobody leads without etcd");

        for (EtcdCluster.Member m : etcd.members()) {
            m.signal("CONT");
        }
        etcd.awaitHealthy();
        awaitOneLeader(all);
        printGap("etcd back after the cut", cut);
        log.assertDisjointAndTokensGrow();
    }

    @Test
    void etcdRestartedAsAWholeGivesANewLeaderWithALargerToken() throws Exception {
        etcd = EtcdCluster.start(3);
        List<EtcdElection> all = candidates(2);
        awaitOneLeader(all);
        long before = log.current().orElseThrow().token;
        for (EtcdCluster.Member m : etcd.members()) {
            m.kill();
        }
        long down = System.nanoTime();
        awaitTrue("nobody leads while etcd is down", GENEROUS_MILLIS, () -> all.stream().noneMatch(EtcdElection::hasLeadership));
        for (EtcdCluster.Member m : etcd.members()) {
            etcd.restart(m);
        }
        etcd.awaitHealthy();
        EtcdElection leader = awaitOneLeader(all);
        printGap("etcd restarted", down);
        assertTrue(leader.leadership().orElseThrow().token() > before, "token grows across the restart");
        log.assertDisjointAndTokensGrow();
    }

    private void printGap(String what, long since) {
        log.firstStartedAfter(since).ifPresentOrElse(
                i -> System.out.printf("%s: %s leads %.0f ms later%n", what, i.candidate, millis(i.start - since)),
                () -> System.out.printf("%s: the leader (%s) kept leading%n", what, log.current().map(i -> i.candidate).orElse("none")));
    }

    private static void awaitTrue(String what, long timeoutMillis, BooleanSupplier condition) {
        Await.until(Duration.ofMillis(timeoutMillis), what, condition);
    }
}
