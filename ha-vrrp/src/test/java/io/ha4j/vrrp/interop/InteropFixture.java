package io.ha4j.vrrp.interop;

import io.ha4j.core.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.netlink.testing.KeepalivedProcess;
import io.ha4j.netlink.testing.TestNetwork;
import io.ha4j.vrrp.DropReason;
import io.ha4j.vrrp.VrrpInstance;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * Shared setup of the keepalived interop tests: a fresh segment per test with three namespaces on one bridge —
 * {@code ha} (198.18.0.1, ha4j in this JVM), {@code ka} (198.18.0.2, Debian's keepalived) and {@code cl}
 * (198.18.0.3, a client that pings the VIP) — and helpers that wait with a deadline for VIPs, keepalived log
 * lines and ha4j states. Everything a test starts is closed, and the namespaces deleted, after it, even when it
 * fails (TestNetwork's shutdown hook is the backstop).
 *
 * <p>When the machine cannot run these tests (not root, no {@code ip}; no {@code keepalived} for the tests that
 * start it) they fail with a message that says what is missing; they never skip.
 */
abstract class InteropFixture {

    static final String VIP4 = "198.18.0.100/32";
    /** IPv6 VIPs are link-local so that nothing outside the test segment is ever addressed. */
    static final String VIP6 = "fe80::4a4a:100/64";
    static final Duration ADVERT = Duration.ofMillis(200);
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    /**
     * The one drop keepalived 2.2.7 counts nowhere in its stats: a bad checksum, logged as "(VI_1) Invalid VRRPv3
     * checksum" (shown to be its real wording by the message-only checksum test).
     */
    static final String KEEPALIVED_CHECKSUM_ERROR = "Invalid VRRPv";

    /** ha4j's drop reasons that mean an advert from keepalived was refused. */
    static final Set<DropReason> HA4J_PACKET_ERRORS = EnumSet.complementOf(
            EnumSet.of(DropReason.OTHER_VRID, DropReason.NOT_LISTENING, DropReason.QUEUE_FULL));

    TestNetwork network;
    TestNetwork.Node ha;
    TestNetwork.Node ka;
    TestNetwork.Node client;
    private final List<AutoCloseable> started = new ArrayList<>();
    private String testName;

    @BeforeEach
    void createSegment(TestInfo info) {
        testName = info.getDisplayName();
        TestNetwork.requirePrivileges();
        network = TestNetwork.create("kai");
        ha = network.addNode("ha");
        ka = network.addNode("ka");
        client = network.addNode("cl");
    }

    @AfterEach
    void deleteSegment() {
        try {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    System.err.println(testName + ": closing " + started.get(i) + " failed: " + e);
                }
            }
        } finally {
            started.clear();
            if (network != null) {
                network.close();
            }
        }
    }

    // -------------------------------------------------------------------------------------- routers

    /** The ha4j instance every test starts from: VRRPv3, VRID 51, 200 ms adverts, {@link #VIP4} on eth0. */
    static VrrpInstance.Builder ha4jInstance(int priority) {
        return VrrpInstance.builder(KeepalivedConfig.INSTANCE)
                .interfaceName(TestNetwork.NODE_INTERFACE)
                .virtualRouterId(51)
                .priority(priority)
                .advertInterval(ADVERT);
    }

    /** The matching keepalived instance: VRRPv3, VRID 51, advert_int 0.2. */
    static KeepalivedConfig keepalivedInstance(int priority) {
        return new KeepalivedConfig().version(3).vrid(51).priority(priority).advertInt("0.2");
    }

    Ha4jRouter startHa4j(VrrpInstance.Builder builder) throws Exception {
        return startHa4j(ha, builder);
    }

    Ha4jRouter startHa4j(TestNetwork.Node node, VrrpInstance.Builder builder) throws Exception {
        Ha4jRouter router = Ha4jRouter.start(node, builder);
        started.add(router);
        return router;
    }

    KeepalivedProcess startKeepalived(KeepalivedConfig config) throws IOException {
        return startKeepalived(config.text());
    }

    /** keepalived in {@code ka} with a whole keepalived.conf (for what {@link KeepalivedConfig} does not write). */
    KeepalivedProcess startKeepalived(String config) throws IOException {
        KeepalivedProcess k = KeepalivedProcess.start(ka.namespace(), config);
        started.add(k);
        return k;
    }

    // -------------------------------------------------------------------------------------- waiting

    /** Waits for {@code condition} at most {@link #TIMEOUT}, polling every 50 ms. */
    void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(what, TIMEOUT, condition);
    }

    void await(String what, Duration timeout, BooleanSupplier condition) {
        if (!Await.holdsWithin(timeout, condition)) {
            throw new AssertionError("not within " + timeout + ": " + what + "\n" + diagnostics());
        }
    }

    /** Checks {@code condition} again and again for {@code period}; fails as soon as it is false. */
    void assertStays(String what, Duration period, BooleanSupplier condition) {
        if (Await.holdsWithin(period, () -> !condition.getAsBoolean())) {
            throw new AssertionError("no longer true: " + what + "\n" + diagnostics());
        }
    }

    /** How many lines keepalived printed so far: a mark for {@link #awaitLogAfter}. */
    static int mark(KeepalivedProcess k) {
        return k.log().size();
    }

    /** Waits for a keepalived log line containing {@code text} printed after {@code mark}, and returns it. */
    String awaitLogAfter(KeepalivedProcess k, int mark, String text) throws InterruptedException {
        String[] found = new String[1];
        await("keepalived logs '" + text + "'", () -> {
            List<String> log = k.log();
            for (int i = mark; i < log.size(); i++) {
                if (log.get(i).contains(text)) {
                    found[0] = log.get(i);
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    static boolean loggedAfter(KeepalivedProcess k, int mark, String text) {
        List<String> log = k.log();
        for (int i = mark; i < log.size(); i++) {
            if (log.get(i).contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** keepalived state lines of 2.2.7: "(VI_1) Entering MASTER STATE", "... BACKUP STATE", "... FAULT STATE". */
    static String entering(String state) {
        return "(" + KeepalivedConfig.INSTANCE + ") Entering " + state + " STATE";
    }

    // -------------------------------------------------------------------------------------- VIPs

    static boolean hasAddress(TestNetwork.Node node, String cidr) {
        return node.addresses().contains(cidr);
    }

    /** The VIP is on {@code owner}'s eth0 and on no other router's. */
    boolean vipOnlyOn(TestNetwork.Node owner, String cidr) {
        return hasAddress(owner, cidr) && !hasAddress(owner == ha ? ka : ha, cidr);
    }

    void awaitVipOnlyOn(TestNetwork.Node owner, String cidr) throws InterruptedException {
        await(cidr + " on " + owner.name() + " only", () -> vipOnlyOn(owner, cidr));
    }

    /** The client pings the VIP until it answers (bounded), then checks which MAC its neighbour entry holds. */
    void awaitPingAnsweredBy(TestNetwork.Node owner, String cidr) throws InterruptedException {
        String ip = cidr.substring(0, cidr.indexOf('/'));
        await("client ping to " + ip + " answered", () -> client.exec("ping", "-n", "-c1", "-W1", ip).succeeded());
        Optional<String> mac = client.neighbor(ip);
        assertEquals(Optional.of(owner.mac()), mac, "the client reaches " + ip + " at " + owner.name()
                + "'s MAC (gratuitous ARP moved its neighbour entry)");
    }

    /** Starts pinging {@code cidr}'s address from the client every 50 ms until {@link #assertPingSurvived}. */
    ContinuousPing startPing(String cidr) throws IOException {
        ContinuousPing ping = ContinuousPing.start(client, cidr.substring(0, cidr.indexOf('/')));
        started.add(ping);
        return ping;
    }

    /**
     * Stops {@code ping} and checks that the VIP answered both before {@code crashEpochSeconds} (wall clock, as
     * {@code ping -D} prints) and after it; prints the longest gap between replies (the outage the client saw).
     */
    void assertPingSurvived(ContinuousPing ping, double crashEpochSeconds, String what) throws Exception {
        // callers come here as soon as the client's neighbour entry names the new owner, which is before an echo sent
        // to it has come back: let a few more 50 ms echoes go out and return first
        Await.quietPeriod(Duration.ofMillis(300));
        List<double[]> replies = ping.stop();
        boolean before = replies.stream().anyMatch(r -> r[0] < crashEpochSeconds);
        boolean after = replies.stream().anyMatch(r -> r[0] > crashEpochSeconds);
        assertTrue(before && after, "the VIP answered ping before and after " + what + ": " + replies.size()
                + " replies, before " + before + ", after " + after + "\n" + diagnostics());
        System.out.println(testName + ": " + what + ": longest gap between ping replies " + ping.longestGap().toMillis()
                + " ms (" + replies.size() + " replies)");
    }

    static double epochSeconds() {
        return System.currentTimeMillis() / 1000.0;
    }

    // -------------------------------------------------------------------------------------- interop checks

    /**
     * keepalived's own stats (its JSON dump) show that it counted adverts from ha4j as valid VRRP — which it does only
     * after the type, version, length, TTL and checksum checks — and that every error counter it keeps (length, TTL,
     * type, interval, address list, authentication) is zero; the checksum, which it counts nowhere, must not appear
     * in its log. keepalived must be running, and ha4j must have been master while it listened.
     */
    static KeepalivedProcess.InstanceStats assertKeepalivedAcceptedEverything(KeepalivedProcess k) throws Exception {
        KeepalivedProcess.InstanceStats stats = k.stats().get(KeepalivedConfig.INSTANCE);
        assertTrue(stats != null, "keepalived's JSON dump has no instance " + KeepalivedConfig.INSTANCE);
        assertTrue(stats.advertReceived() > 0, "keepalived counted no valid advert from ha4j: " + stats);
        assertEquals(java.util.Map.of(), stats.nonZeroErrors(), "keepalived refused adverts: " + stats);
        List<String> checksum = k.log().stream().filter(l -> l.contains(KEEPALIVED_CHECKSUM_ERROR)).toList();
        assertEquals(List.of(), checksum, "keepalived refused checksums");
        return stats;
    }

    /** ha4j received adverts and refused none for a packet error. */
    static void assertHa4jAcceptedEverything(Ha4jRouter router) {
        assertTrue(router.instance.counters().advertsReceived() > 0, "ha4j received no advert: " + router);
        for (DropReason reason : HA4J_PACKET_ERRORS) {
            assertEquals(0, router.instance.counters().dropped(reason), reason + " drops: " + router);
        }
        assertEquals(0, router.instance.counters().addressListMismatch(), "address list mismatches: " + router);
    }

    String diagnostics() {
        StringBuilder b = new StringBuilder();
        for (TestNetwork.Node n : List.of(ha, ka)) {
            b.append(n.name()).append(" addresses: ").append(safeAddresses(n)).append('\n');
        }
        for (AutoCloseable c : started) {
            if (c instanceof KeepalivedProcess) {
                List<String> log = ((KeepalivedProcess) c).log();
                b.append("keepalived log (last 40 lines):\n");
                log.subList(Math.max(0, log.size() - 40), log.size()).forEach(l -> b.append("  ").append(l).append('\n'));
            } else {
                b.append(c).append('\n');
            }
        }
        return b.toString();
    }

    private static String safeAddresses(TestNetwork.Node n) {
        try {
            return n.addresses().toString();
        } catch (RuntimeException e) {
            return "(" + e.getMessage() + ")";
        }
    }
}
