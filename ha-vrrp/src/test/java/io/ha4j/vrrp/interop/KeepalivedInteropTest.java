package io.ha4j.vrrp.interop;

import io.ha4j.core.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.netlink.testing.KeepalivedProcess;
import io.ha4j.netlink.testing.TestNetwork;
import io.ha4j.vrrp.ChecksumMode;
import io.ha4j.vrrp.DropReason;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpState;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ha4j ({@link io.ha4j.vrrp.RawSocketTransport}, Linux VIP manager, in a network namespace) against Debian's
 * keepalived 2.2.7 in another namespace on the same bridge. Every step asserts where the VIP is ({@code ip addr} in
 * both namespaces), what state ha4j is in and what keepalived logs about its own state, and at the end that neither
 * side refused an advert of the other (keepalived's drop log lines, ha4j's drop counters), which covers the
 * VRRPv3 IPv4 pseudo-header checksum both ways.
 *
 * <p>VRRPv3 with 200 ms adverts (Master_Down about 0.7 s) unless a test says otherwise; VRRPv2 needs whole
 * seconds, so only one test uses it.
 */
@Tag("privileged")
@Timeout(120)
class KeepalivedInteropTest extends InteropFixture {

    private static final Duration QUIET = Duration.ofSeconds(2);

    private static String masterFrom(String address, int priority, int ours) {
        return "Master received advert from " + address + " with higher priority " + priority + ", ours " + ours;
    }

    private void awaitState(Ha4jRouter r, VrrpState state) throws InterruptedException {
        await("ha4j " + state, () -> r.state() == state);
    }

    @Test
    void testHa4jMasterKeepalivedBackupThenGracefulStopAndPreemptionBack() throws Exception {
        Ha4jRouter first = startHa4j(ha4jInstance(150).virtualAddress(VIP4));
        awaitState(first, VrrpState.MASTER);
        awaitVipOnlyOn(ha, VIP4);

        KeepalivedProcess k = startKeepalived(keepalivedInstance(100).vip(VIP4));
        k.awaitLog(entering("BACKUP"), TIMEOUT);
        assertStays("ha4j stays MASTER, keepalived BACKUP, VIP on ha only", QUIET,
                () -> first.state() == VrrpState.MASTER && !loggedAfter(k, 0, entering("MASTER")) && vipOnlyOn(ha, VIP4));

        int graceful = mark(k);
        first.close();
        awaitLogAfter(k, graceful, "Backup received priority 0 advertisement");
        awaitLogAfter(k, graceful, entering("MASTER"));
        awaitVipOnlyOn(ka, VIP4);
        assertTrue(first.instance.counters().priorityZeroSent() > 0, "close() sent priority 0: " + first);

        int preempt = mark(k);
        Ha4jRouter second = startHa4j(ha4jInstance(150).virtualAddress(VIP4));
        awaitState(second, VrrpState.MASTER);
        awaitLogAfter(k, preempt, masterFrom(ha.ipv4().getHostAddress(), 150, 100));
        awaitLogAfter(k, preempt, entering("BACKUP"));
        awaitVipOnlyOn(ha, VIP4);

        KeepalivedProcess.InstanceStats seen = assertKeepalivedAcceptedEverything(k);
        assertEquals(KeepalivedProcess.InstanceStats.BACKUP, seen.state(), "keepalived's own state: " + seen);
        assertEquals(150, seen.masterPriority(), "keepalived follows ha4j's priority: " + seen);
        assertTrue(seen.priorityZeroReceived() > 0, "keepalived counted ha4j's priority 0 at close(): " + seen);
        assertHa4jAcceptedEverything(second); // keepalived's v3 adverts, checksum with the IPv4 pseudo-header
    }

    @Test
    void testKeepalivedMasterHa4jBackupThenSigtermAndPreemptionBack() throws Exception {
        KeepalivedProcess first = startKeepalived(keepalivedInstance(150).vip(VIP4));
        first.awaitLog(entering("MASTER"), TIMEOUT);
        awaitVipOnlyOn(ka, VIP4);

        Ha4jRouter r = startHa4j(ha4jInstance(100).virtualAddress(VIP4));
        awaitState(r, VrrpState.BACKUP);
        assertStays("ha4j stays BACKUP, VIP on ka only", QUIET,
                () -> r.state() == VrrpState.BACKUP && vipOnlyOn(ka, VIP4));
        assertHa4jAcceptedEverything(r);

        first.close(); // SIGTERM: keepalived sends priority 0 and removes its VIP
        awaitState(r, VrrpState.MASTER);
        awaitVipOnlyOn(ha, VIP4);
        assertTrue(r.instance.counters().priorityZeroReceived() > 0, "keepalived's priority 0 arrived: " + r);

        KeepalivedProcess second = startKeepalived(keepalivedInstance(150).vip(VIP4));
        second.awaitLog("received lower priority (100) advert from " + ha.ipv4().getHostAddress(), TIMEOUT);
        second.awaitLog(entering("MASTER"), TIMEOUT);
        awaitState(r, VrrpState.BACKUP);
        awaitVipOnlyOn(ka, VIP4);

        // the first keepalived was master all along, so ha4j (backup) sent it nothing to accept
        KeepalivedProcess.InstanceStats seen = assertKeepalivedAcceptedEverything(second);
        assertEquals(KeepalivedProcess.InstanceStats.MASTER, seen.state(), "keepalived's own state: " + seen);
        assertHa4jAcceptedEverything(r);
    }

    @Test
    void testLinkCutOfHa4jMasterMovesVipToKeepalivedWhileClientPingsAndBack() throws Exception {
        Ha4jRouter r = startHa4j(ha4jInstance(150).virtualAddress(VIP4));
        awaitState(r, VrrpState.MASTER);
        KeepalivedProcess k = startKeepalived(keepalivedInstance(100).vip(VIP4));
        k.awaitLog(entering("BACKUP"), TIMEOUT);
        awaitVipOnlyOn(ha, VIP4);
        awaitPingAnsweredBy(ha, VIP4);
        ContinuousPing ping = startPing(VIP4);
        Await.quietPeriod(Duration.ofMillis(300)); // some replies from the master before the cut

        int cut = mark(k);
        double cutAt = epochSeconds();
        ha.setLinkUp(false);
        awaitState(r, VrrpState.FAULT); // the transport's own link watch sees eth0 down; FAULT releases the VIP
        awaitLogAfter(k, cut, entering("MASTER"));
        awaitVipOnlyOn(ka, VIP4);
        awaitPingAnsweredBy(ka, VIP4);
        assertPingSurvived(ping, cutAt, "link cut of the ha4j master");

        int back = mark(k);
        ha.setLinkUp(true);
        awaitState(r, VrrpState.MASTER);
        awaitLogAfter(k, back, entering("BACKUP"));
        awaitVipOnlyOn(ha, VIP4);
        awaitPingAnsweredBy(ha, VIP4);

        assertKeepalivedAcceptedEverything(k);
    }

    @Test
    void testKillMinus9OfKeepalivedMasterMovesVipToHa4jWhileClientPings() throws Exception {
        KeepalivedProcess crashed = startKeepalived(keepalivedInstance(150).vip(VIP4));
        crashed.awaitLog(entering("MASTER"), TIMEOUT);
        Ha4jRouter r = startHa4j(ha4jInstance(100).virtualAddress(VIP4));
        awaitState(r, VrrpState.BACKUP);
        awaitVipOnlyOn(ka, VIP4);
        awaitPingAnsweredBy(ka, VIP4);
        ContinuousPing ping = startPing(VIP4);
        Await.quietPeriod(Duration.ofMillis(300)); // some replies from the master before the crash

        double crashAt = epochSeconds();
        crashed.crash(); // SIGSTOP then SIGKILL of every keepalived process: a real crash, no graceful child
        awaitState(r, VrrpState.MASTER);
        await("VIP on ha", () -> hasAddress(ha, VIP4));
        // kill -9 gives keepalived no chance to remove its VIP: it stays on ka's eth0 until keepalived starts again
        assertTrue(hasAddress(ka, VIP4), "keepalived left its VIP behind");
        awaitPingAnsweredBy(ha, VIP4); // ha4j's gratuitous ARP moved the client over
        assertPingSurvived(ping, crashAt, "kill -9 of the keepalived master");
        assertEquals(0, r.instance.counters().priorityZeroReceived(), "a crash sends no priority 0: " + r);

        KeepalivedProcess restarted = startKeepalived(keepalivedInstance(150).vip(VIP4));
        restarted.awaitLog(entering("MASTER"), TIMEOUT);
        awaitState(r, VrrpState.BACKUP);
        awaitVipOnlyOn(ka, VIP4); // keepalived removed its leftover at start, then added it as master
        awaitPingAnsweredBy(ka, VIP4);

        assertKeepalivedAcceptedEverything(restarted);
        assertHa4jAcceptedEverything(r);
    }

    @Test
    void testLinkCutOfKeepalivedMasterMovesVipToHa4jWhileClientPingsAndBack() throws Exception {
        KeepalivedProcess k = startKeepalived(keepalivedInstance(150).vip(VIP4));
        k.awaitLog(entering("MASTER"), TIMEOUT);
        Ha4jRouter r = startHa4j(ha4jInstance(100).virtualAddress(VIP4));
        awaitState(r, VrrpState.BACKUP);
        awaitVipOnlyOn(ka, VIP4);
        awaitPingAnsweredBy(ka, VIP4);
        ContinuousPing ping = startPing(VIP4);
        Await.quietPeriod(Duration.ofMillis(300)); // some replies from the master before the cut

        int cut = mark(k);
        double cutAt = epochSeconds();
        ka.setLinkUp(false);
        awaitLogAfter(k, cut, entering("FAULT"));
        awaitState(r, VrrpState.MASTER);
        awaitVipOnlyOn(ha, VIP4); // keepalived in FAULT removed its VIP
        awaitPingAnsweredBy(ha, VIP4);
        assertPingSurvived(ping, cutAt, "link cut of the keepalived master");

        int back = mark(k);
        ka.setLinkUp(true);
        awaitLogAfter(k, back, entering("MASTER"));
        awaitState(r, VrrpState.BACKUP);
        awaitVipOnlyOn(ka, VIP4);
        awaitPingAnsweredBy(ka, VIP4);

        assertKeepalivedAcceptedEverything(k);
        assertHa4jAcceptedEverything(r);
    }

    @Test
    void testNopreemptKeepalivedDoesNotTakeOverFromLowerPriorityHa4jMaster() throws Exception {
        Ha4jRouter r = startHa4j(ha4jInstance(100).virtualAddress(VIP4));
        awaitState(r, VrrpState.MASTER);

        KeepalivedProcess k = startKeepalived(keepalivedInstance(150).nopreempt().vip(VIP4));
        k.awaitLog(entering("BACKUP"), TIMEOUT);
        assertStays("nopreempt keepalived (150) stays BACKUP under ha4j (100)", QUIET,
                () -> r.state() == VrrpState.MASTER && !loggedAfter(k, 0, entering("MASTER")) && vipOnlyOn(ha, VIP4));

        int stop = mark(k);
        r.close();
        awaitLogAfter(k, stop, entering("MASTER"));
        awaitVipOnlyOn(ka, VIP4);
        assertKeepalivedAcceptedEverything(k);
    }

    @Test
    void testNopreemptHa4jDoesNotTakeOverFromLowerPriorityKeepalivedMaster() throws Exception {
        KeepalivedProcess k = startKeepalived(keepalivedInstance(100).vip(VIP4));
        k.awaitLog(entering("MASTER"), TIMEOUT);

        Ha4jRouter r = startHa4j(ha4jInstance(150).nopreempt().virtualAddress(VIP4));
        awaitState(r, VrrpState.BACKUP);
        int watched = mark(k);
        assertStays("nopreempt ha4j (150) stays BACKUP under keepalived (100)", QUIET,
                () -> r.state() == VrrpState.BACKUP && !loggedAfter(k, watched, entering("BACKUP")) && vipOnlyOn(ka, VIP4));
        assertHa4jAcceptedEverything(r);
        KeepalivedProcess.InstanceStats master = k.stats().get(KeepalivedConfig.INSTANCE);
        assertEquals(KeepalivedProcess.InstanceStats.MASTER, master.state(), "keepalived's own state: " + master);
        assertEquals(1, master.becameMaster(), "keepalived became master once and stayed: " + master);

        k.close(); // ha4j stayed backup, so keepalived had no advert of ha4j's to accept
        awaitState(r, VrrpState.MASTER);
        awaitVipOnlyOn(ha, VIP4);
    }

    @Test
    void testUnicastPeersBothWays() throws Exception {
        String haIp = ha.ipv4().getHostAddress();
        String kaIp = ka.ipv4().getHostAddress();
        Ha4jRouter first = startHa4j(ha4jInstance(150).virtualAddress(VIP4).unicastSource(haIp).unicastPeer(kaIp));
        awaitState(first, VrrpState.MASTER);
        KeepalivedProcess k = startKeepalived(keepalivedInstance(100).unicast(kaIp, haIp).vip(VIP4));
        k.awaitLog(entering("BACKUP"), TIMEOUT);
        assertStays("unicast: ha4j MASTER, keepalived BACKUP", QUIET,
                () -> first.state() == VrrpState.MASTER && !loggedAfter(k, 0, entering("MASTER")) && vipOnlyOn(ha, VIP4));

        int graceful = mark(k);
        first.close();
        awaitLogAfter(k, graceful, "Backup received priority 0 advertisement");
        awaitLogAfter(k, graceful, entering("MASTER"));
        awaitVipOnlyOn(ka, VIP4);

        int preempt = mark(k);
        Ha4jRouter second = startHa4j(ha4jInstance(150).virtualAddress(VIP4).unicastSource(haIp).unicastPeer(kaIp));
        awaitState(second, VrrpState.MASTER);
        awaitLogAfter(k, preempt, masterFrom(haIp, 150, 100));
        awaitVipOnlyOn(ha, VIP4);

        assertKeepalivedAcceptedEverything(k);
        assertHa4jAcceptedEverything(second); // unicast v3: pseudo-header with the peer address as destination
    }

    @Test
    void testIpv6VipBothWays() throws Exception {
        java.net.InetAddress linkLocal = ha.ipv6LinkLocal();
        Ha4jRouter first = startHa4j(ha4jInstance(150).virtualAddress(VIP6));
        awaitState(first, VrrpState.MASTER);
        assertEquals(linkLocal, withoutScope(first.instance.sourceAddress()), "adverts come from the link-local address");
        awaitVipOnlyOn(ha, VIP6);
        assertNodad(ha);

        KeepalivedProcess k = startKeepalived(keepalivedInstance(100).vip(VIP6));
        k.awaitLog(entering("BACKUP"), TIMEOUT);
        assertStays("IPv6: ha4j MASTER, keepalived BACKUP", QUIET,
                () -> first.state() == VrrpState.MASTER && !loggedAfter(k, 0, entering("MASTER")) && vipOnlyOn(ha, VIP6));

        int graceful = mark(k);
        first.close();
        awaitLogAfter(k, graceful, "Backup received priority 0 advertisement");
        awaitLogAfter(k, graceful, entering("MASTER"));
        awaitVipOnlyOn(ka, VIP6);
        assertNodad(ka);

        int preempt = mark(k);
        Ha4jRouter second = startHa4j(ha4jInstance(150).virtualAddress(VIP6));
        awaitState(second, VrrpState.MASTER);
        awaitLogAfter(k, preempt, entering("BACKUP"));
        awaitVipOnlyOn(ha, VIP6);

        assertKeepalivedAcceptedEverything(k);
        assertHa4jAcceptedEverything(second);
    }

    @Test
    void testVrrpV2WithPassAuthentication() throws Exception {
        KeepalivedProcess k = startKeepalived(new KeepalivedConfig().version(2).vrid(52).priority(100).advertInt("1")
                .authPass("ha4jpass").stateMaster().vip(VIP4));
        k.awaitLog(entering("MASTER"), TIMEOUT);
        awaitVipOnlyOn(ka, VIP4);

        // priority 150 preempts keepalived's 100 after Master_Down (3 s + skew), having received its PASS adverts
        int preempt = mark(k);
        Ha4jRouter r = startHa4j(v2Instance(150));
        awaitState(r, VrrpState.MASTER);
        awaitLogAfter(k, preempt, masterFrom(ha.ipv4().getHostAddress(), 150, 100));
        awaitLogAfter(k, preempt, entering("BACKUP"));
        awaitVipOnlyOn(ha, VIP4);
        assertHa4jAcceptedEverything(r);

        int graceful = mark(k);
        r.close();
        awaitLogAfter(k, graceful, "Backup received priority 0 advertisement");
        awaitLogAfter(k, graceful, entering("MASTER"));
        awaitVipOnlyOn(ka, VIP4);
        assertKeepalivedAcceptedEverything(k);
    }

    private static VrrpInstance.Builder v2Instance(int priority) {
        return VrrpInstance.builder(KeepalivedConfig.INSTANCE)
                .interfaceName(TestNetwork.NODE_INTERFACE)
                .virtualRouterId(52)
                .priority(priority)
                .version(2)
                .advertInterval(Duration.ofSeconds(1))
                .authPass("ha4jpass")
                .virtualAddress(VIP4);
    }

    /**
     * keepalived 2.2.7 has no {@code v3_checksum_as_v2}: it only accepts the pseudo-header checksum. ha4j sending the
     * RFC 9568 message-only checksum is refused (keepalived logs it, becomes MASTER beside ha4j), while ha4j still
     * accepts keepalived's pseudo-header adverts. This is why ha4j's default is {@link ChecksumMode#WITH_PSEUDO_HEADER},
     * and it proves that the "no checksum error logged" assertion of the other tests can fail.
     */
    @Test
    void testMessageOnlyChecksumIsRefusedByKeepalivedButItsPseudoHeaderChecksumIsAccepted() throws Exception {
        Ha4jRouter r = startHa4j(ha4jInstance(150).virtualAddress(VIP4).checksumMode(ChecksumMode.MESSAGE_ONLY));
        awaitState(r, VrrpState.MASTER);
        KeepalivedProcess k = startKeepalived(keepalivedInstance(100).vip(VIP4));
        k.awaitLog("(" + KeepalivedConfig.INSTANCE + ") Invalid VRRPv3 checksum", TIMEOUT);
        k.awaitLog(entering("MASTER"), TIMEOUT);
        await("VIP on both nodes (split brain)", () -> hasAddress(ha, VIP4) && hasAddress(ka, VIP4));
        await("ha4j receives keepalived's adverts", () -> r.instance.counters().advertsReceived() > 0);
        assertEquals(VrrpState.MASTER, r.state(), "a higher-priority master ignores the lower one: " + r);
        KeepalivedProcess.InstanceStats refused = k.stats().get(KeepalivedConfig.INSTANCE);
        assertEquals(0, refused.advertReceived(), "keepalived counted none of ha4j's adverts as valid: " + refused);
        assertEquals(KeepalivedProcess.InstanceStats.MASTER, refused.state(), "keepalived's own state: " + refused);
        assertEquals(0, r.instance.counters().dropped(DropReason.CHECKSUM), "ha4j accepts the pseudo-header checksum: " + r);
    }

    private void assertNodad(TestNetwork.Node node) {
        String ip = VIP6.substring(0, VIP6.indexOf('/'));
        String out = node.exec("ip", "-6", "addr", "show", "dev", TestNetwork.NODE_INTERFACE).orThrow();
        String line = out.lines().filter(l -> l.contains(ip)).findFirst().orElse("");
        assertTrue(line.contains("nodad"), node.name() + " holds the IPv6 VIP with nodad: " + out);
        assertFalse(line.contains("tentative") || line.contains("dadfailed"), out);
    }

    private static java.net.InetAddress withoutScope(java.net.InetAddress a) throws Exception {
        return java.net.InetAddress.getByAddress(a.getAddress());
    }
}
