package io.ha4j.vrrp;

import io.ha4j.core.testkit.Await;
import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.vrrp.internal.VrrpPacket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.CheckResult;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.HealthChecker;
import io.ha4j.core.VirtualAddress;
import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.vrrp.internal.VrrpPacket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class VrrpInstanceTest {

    private static final String GROUP = "224.0.0.18";
    private static final String PEER = "198.18.0.1";
    private static final VirtualAddress VIP = VirtualAddress.parse("198.18.0.100/32", "eth0");

    private final InstanceHarness h = new InstanceHarness("198.18.0.2");

    private VrrpInstance startDefault() throws Exception {
        return h.start(h.builder().virtualAddress("198.18.0.100").build());
    }

    private void inject(byte[] packet) {
        h.transport.inject(packet, Hex.ip(PEER), Hex.ip(GROUP));
    }

    private static byte[] v3(int prio, boolean pseudo) {
        return InstanceHarness.advert(3, 51, prio, 100, List.of("198.18.0.100"), null, pseudo, PEER, GROUP);
    }

    @Test
    void startsAsBackupBecomesMasterAndStopsWithPriorityZero() throws Exception {
        VrrpInstance vrrp = startDefault();
        assertEquals(VrrpState.BACKUP, vrrp.state());
        h.clock.advance(Duration.ofMillis(3609));
        assertEquals(VrrpState.BACKUP, vrrp.state(), "Master_Down_Interval is 3.609375 s");
        h.clock.advance(Duration.ofMillis(1));
        assertTrue(vrrp.isMaster());
        assertTrue(h.vips.managed().contains(VIP));
        vrrp.close();
        assertEquals(0, h.transport.sent.get(h.transport.sent.size() - 1).priority());
    }

    @Test
    void becomingMasterAnnouncesTwiceFiveTimesAndAdvertisesFirst() throws Exception {
        VrrpInstance vrrp = startDefault();
        h.clock.advance(Duration.ofMillis(3610));
        assertTrue(vrrp.isMaster());
        assertEquals(1, h.transport.sent.size());
        assertEquals(5, h.vips.announcements().size());
        h.clock.advance(Duration.ofSeconds(5));
        assertEquals(10, h.vips.announcements().size());
        assertEquals(6, h.transport.sent.size());
        vrrp.close();
        CaptureTransport.Sent last = h.transport.sent.get(h.transport.sent.size() - 1);
        assertEquals(0, last.priority());
        assertEquals(VrrpState.STOP, vrrp.state());
        assertFalse(h.vips.managed().contains(VIP));
        assertTrue(h.transport.closed);
        vrrp.close(); // idempotent
        assertEquals(1, vrrp.counters().priorityZeroSent());
        assertEquals(1, vrrp.counters().becameMaster());
    }

    @Test
    void sentAdvertsCarryTheConfiguredChecksumConvention() throws Exception {
        VrrpInstance vrrp = h.start(h.builder().virtualAddress("198.18.0.100").priority(255).build());
        assertTrue(vrrp.isMaster(), "owner is master at once");
        ByteBuffer b = ByteBuffer.wrap(h.transport.sent.get(0).bytes);
        assertEquals(0, VrrpPacket.computeChecksum(b, 0, b.limit(), false, true, Hex.ip("198.18.0.2").getAddress(),
                Hex.ip(GROUP).getAddress()));
        InstanceHarness other = new InstanceHarness("198.18.0.2");
        other.start(other.builder().virtualAddress("198.18.0.100").priority(255).checksumMode(ChecksumMode.MESSAGE_ONLY).build());
        ByteBuffer m = ByteBuffer.wrap(other.transport.sent.get(0).bytes);
        assertEquals(0, VrrpPacket.computeChecksum(m, 0, m.limit(), false, false, null, null));
    }

    @Test
    void acceptsBothIpv4ChecksumConventions() throws Exception {
        VrrpInstance vrrp = startDefault();
        inject(v3(150, true));
        inject(v3(150, false));
        assertEquals(2, vrrp.counters().advertsReceived());
        assertEquals(0, vrrp.counters().droppedTotal());
    }

    @Test
    void dropsEachBadAdvertWithItsReason() throws Exception {
        VrrpInstance vrrp = startDefault();
        inject(new byte[] {0x31, 51, 100});
        inject(InstanceHarness.advert(3, 52, 100, 100, List.of("198.18.0.100"), null, true, PEER, GROUP));
        byte[] shortList = v3(100, true);
        inject(java.util.Arrays.copyOf(shortList, shortList.length + 4)); // Ethernet padding: tolerated
        inject(java.util.Arrays.copyOf(shortList, shortList.length + 40)); // too long to be padding
        h.transport.inject(v3(100, true), new ReceivedPacket().source(Hex.ip(PEER)).destination(Hex.ip(GROUP)).ttl(64));
        inject(InstanceHarness.advert(2, 51, 100, 1, List.of("198.18.0.100"), null, false, PEER, GROUP));
        byte[] badType = v3(100, true);
        badType[0] = 0x32;
        inject(badType);
        byte[] badSum = v3(100, true);
        badSum[6] ^= 1;
        inject(badSum);
        h.transport.inject(InstanceHarness.advert(3, 51, 100, 100, List.of("198.18.0.100"), null, true, PEER, "198.18.0.2"),
                Hex.ip(PEER), Hex.ip("198.18.0.2"));
        VrrpCounters c = vrrp.counters();
        assertEquals(1, c.dropped(DropReason.TRUNCATED));
        assertEquals(1, c.dropped(DropReason.OTHER_VRID));
        assertEquals(1, c.dropped(DropReason.LENGTH));
        assertEquals(1, c.dropped(DropReason.TTL));
        assertEquals(1, c.dropped(DropReason.VERSION));
        assertEquals(1, c.dropped(DropReason.TYPE));
        assertEquals(1, c.dropped(DropReason.CHECKSUM));
        assertEquals(1, c.dropped(DropReason.DESTINATION));
        assertEquals(1, c.advertsReceived(), "only the padded one");
    }

    @Test
    void v2PassAuthenticationAndIntervalChecks() throws Exception {
        VrrpInstance vrrp = h.start(h.builder().version(2).authPass("secret").virtualAddress("198.18.0.100").build());
        List<String> vip = List.of("198.18.0.100");
        inject(InstanceHarness.advert(2, 51, 150, 1, vip, "secret", false, PEER, GROUP));
        inject(InstanceHarness.advert(2, 51, 150, 1, vip, "wrong", false, PEER, GROUP));
        inject(InstanceHarness.advert(2, 51, 150, 1, vip, null, false, PEER, GROUP));
        inject(InstanceHarness.advert(2, 51, 150, 2, vip, "secret", false, PEER, GROUP));
        byte[] type7 = InstanceHarness.advert(2, 51, 150, 1, vip, "secret", false, PEER, GROUP);
        type7[4] = 7;
        inject(type7);
        VrrpCounters c = vrrp.counters();
        assertEquals(1, c.advertsReceived());
        assertEquals(1, c.dropped(DropReason.AUTH_FAILURE));
        assertEquals(1, c.dropped(DropReason.AUTH_TYPE_MISMATCH));
        assertEquals(1, c.dropped(DropReason.INTERVAL_MISMATCH));
        assertEquals(1, c.dropped(DropReason.INVALID_AUTH_TYPE));
    }

    @Test
    void unicastSendsToEachPeerAndChecksTheSource() throws Exception {
        VrrpInstance vrrp = h.start(h.builder().virtualAddress("198.18.0.100").unicastPeer("198.18.0.1")
                .unicastPeer("198.18.0.3").priority(255).build());
        assertEquals(List.of(Hex.ip("198.18.0.1"), Hex.ip("198.18.0.3")),
                List.of(h.transport.sent.get(0).destination, h.transport.sent.get(1).destination));
        assertFalse(h.transport.spec.isMulticast());
        byte[] fromPeer = InstanceHarness.advert(3, 51, 100, 100, List.of("198.18.0.100"), null, true, "198.18.0.1", "198.18.0.2");
        h.transport.inject(fromPeer, Hex.ip("198.18.0.1"), Hex.ip("198.18.0.2"));
        byte[] stranger = InstanceHarness.advert(3, 51, 100, 100, List.of("198.18.0.100"), null, true, "198.18.0.9", "198.18.0.2");
        h.transport.inject(stranger, Hex.ip("198.18.0.9"), Hex.ip("198.18.0.2"));
        assertEquals(1, vrrp.counters().advertsReceived());
        assertEquals(1, vrrp.counters().dropped(DropReason.UNICAST_SOURCE));
        byte[] oldKeepalived = InstanceHarness.advert(3, 51, 100, 100, List.of("198.18.0.100"), null, true, "198.18.0.1", "224.0.0.18");
        h.transport.inject(oldKeepalived, Hex.ip("198.18.0.1"), Hex.ip("198.18.0.2"));
        assertEquals(2, vrrp.counters().advertsReceived(), "old keepalived unicast checksum (224.0.0.18 as pseudo dst) accepted");
    }

    @Test
    void addressListMismatchIsCountedNotDropped() throws Exception {
        VrrpInstance vrrp = startDefault();
        inject(InstanceHarness.advert(3, 51, 150, 100, List.of("198.18.0.101"), null, true, PEER, GROUP));
        assertEquals(1, vrrp.counters().advertsReceived());
        assertEquals(1, vrrp.counters().addressListMismatch());
    }

    @Test
    void ipv6InstanceVerifiesTheChecksumUnlessTheKernelDid() throws Exception {
        InstanceHarness six = new InstanceHarness("fe80::2");
        VrrpInstance vrrp = six.start(six.builder().virtualAddress("fe80::100").virtualAddress("fd00::100/64").build());
        assertTrue(vrrp.isIpv6());
        byte[] good = InstanceHarness.advert(3, 51, 150, 100, List.of("fe80::100", "fd00::100"), null, false, "fe80::1", "ff02::12");
        six.transport.inject(good, Hex.ip("fe80::1"), Hex.ip("ff02::12"));
        byte[] bad = good.clone();
        bad[2] = 1;
        six.transport.inject(bad, Hex.ip("fe80::1"), Hex.ip("ff02::12"));
        six.transport.inject(bad, new ReceivedPacket().source(Hex.ip("fe80::1")).destination(Hex.ip("ff02::12")).ttl(255)
                .checksumVerified(true));
        assertEquals(2, vrrp.counters().advertsReceived());
        assertEquals(1, vrrp.counters().dropped(DropReason.CHECKSUM));
    }

    @Test
    void packetsFromAnotherThreadAreQueuedAndProcessedOnTheScheduler() throws Exception {
        VrrpInstance vrrp = startDefault();
        Thread t = new Thread(() -> {
            for (int i = 0; i < 20; i++) {
                h.transport.receiver.onPacket(ByteBuffer.wrap(v3(150, true)),
                        new ReceivedPacket().source(Hex.ip(PEER)).destination(Hex.ip(GROUP)).ttl(255));
            }
        });
        t.start();
        t.join(10_000);
        assertEquals(0, vrrp.counters().advertsReceived(), "nothing processed off the scheduler thread");
        h.clock.runDueTasks();
        assertEquals(20, vrrp.counters().advertsReceived() + vrrp.counters().dropped(DropReason.QUEUE_FULL));
        assertEquals(16, vrrp.counters().advertsReceived());
    }

    @Test
    void leftoverVipsAreRemovedAtStart() throws Exception {
        h.vips.addExternally(VIP);
        startDefault();
        assertFalse(h.vips.isPresent(VIP));
    }

    @Test
    void externallyRemovedVipLeavesMasterAndComesBack() throws Exception {
        VrrpInstance vrrp = startDefault();
        h.clock.advance(Duration.ofSeconds(4));
        assertTrue(vrrp.isMaster());
        h.vips.removeExternally(VIP);
        h.clock.runDueTasks();
        assertEquals(VrrpState.BACKUP, vrrp.state());
        h.clock.advance(Duration.ofSeconds(4));
        assertTrue(vrrp.isMaster());
        assertTrue(h.vips.isPresent(VIP));
    }

    @Test
    void trackingWeightsClampAndWeightZeroFaults() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        HealthChecker plus = HealthChecker.builder("plus").check(HealthCheck.of("p", healthy::get)).rise(1).fall(1)
                .inter(Duration.ofSeconds(1)).build();
        HealthChecker fatal = HealthChecker.builder("fatal").check(HealthCheck.of("f", () -> true)).rise(1).fall(1)
                .inter(Duration.ofSeconds(1)).build();
        VrrpInstance vrrp = h.builder().virtualAddress("198.18.0.100").priority(200).trackCheck(plus, 100)
                .trackInterface("eth1", -250).trackCheck(fatal, 0).build();
        plus.start(h.context);
        fatal.start(h.context);
        h.start(vrrp);
        assertEquals(254, vrrp.effectivePriority(), "clamped to 254");
        assertEquals(List.of("eth0", "eth1"), h.transport.spec.trackedInterfaces(),
                "the transport is told to watch the own interface and the tracked one");
        h.transport.receiver.interfaceStateChanged("eth1", false);
        h.clock.runDueTasks();
        assertEquals(50, vrrp.effectivePriority());
        healthy.set(false);
        h.clock.advance(Duration.ofSeconds(1));
        assertEquals(1, vrrp.effectivePriority(), "clamped to 1");
        fatal.report(CheckResult.failed("boom"));
        h.clock.runDueTasks();
        assertEquals(VrrpState.FAULT, vrrp.state());
        h.transport.receiver.interfaceStateChanged("eth0", false);
        fatal.report(CheckResult.passed("ok"));
        h.clock.runDueTasks();
        assertEquals(VrrpState.FAULT, vrrp.state(), "own interface still down");
        h.transport.receiver.interfaceStateChanged("eth0", true);
        h.clock.runDueTasks();
        assertEquals(VrrpState.BACKUP, vrrp.state());
        vrrp.close();
        plus.close();
        fatal.close();
    }

    @Test
    void listenersHearTransitionsAndAThrowingOneIsContained() throws Exception {
        List<String> heard = new ArrayList<>();
        VrrpInstance vrrp = h.builder().virtualAddress("198.18.0.100").build();
        vrrp.addListener(new VrrpListener() {
            @Override
            public void onMaster(VrrpInstance instance) {
                throw new IllegalStateException("listener bug");
            }
        });
        vrrp.addListener(new VrrpListener() {
            @Override
            public void stateChanged(VrrpInstance instance, VrrpState from, VrrpState to, String reason) {
                heard.add(from + "->" + to);
            }
        });
        h.start(vrrp);
        h.clock.advance(Duration.ofSeconds(4));
        vrrp.close();
        assertEquals(List.of("INITIALIZE->BACKUP", "BACKUP->MASTER", "MASTER->STOP"), heard);
        assertEquals(List.of("BACKUP", "MASTER", "STOP"), h.events.stream().map(e -> e.state()).toList());
    }

    @Test
    void syncGroupMembersMoveTogether() throws Exception {
        InstanceHarness h2 = new InstanceHarness("198.18.0.2");
        VrrpInstance a = h.builder().virtualAddress("198.18.0.100").build();
        VrrpInstance b = VrrpInstance.builder("VI_2").interfaceName("eth0").virtualRouterId(52).priority(50)
                .virtualAddress("198.18.0.101").transport(h2.transport.factory()).vipManager(h.vips).build();
        VrrpSyncGroup group = VrrpSyncGroup.of("G", a, b);
        h.start(a);
        b.start(h.context);
        h.clock.advance(Duration.ofMillis(3610)); // a (prio 100) times out first, b follows at once
        assertTrue(group.isMaster());
        assertEquals(2, h.vips.managed().size());
        h.transport.inject(v3(200, true), Hex.ip(PEER), Hex.ip(GROUP));
        assertEquals(VrrpState.BACKUP, a.state());
        assertEquals(VrrpState.BACKUP, b.state(), "follows a out of MASTER");
        h2.transport.receiver.interfaceStateChanged("eth0", false);
        h.clock.runDueTasks();
        assertEquals(VrrpState.FAULT, a.state(), "b's fault takes a along");
        h2.transport.receiver.interfaceStateChanged("eth0", true);
        h.clock.runDueTasks();
        assertEquals(VrrpState.BACKUP, a.state());
        assertEquals(VrrpState.BACKUP, b.state());
        assertThrows(IllegalStateException.class, () -> VrrpSyncGroup.of("H", a, b));
    }

    @Test
    void startTwiceFailsAndCloseBeforeStartIsFine() throws Exception {
        VrrpInstance vrrp = h.builder().virtualAddress("198.18.0.100").build();
        vrrp.close();
        VrrpInstance started = startDefaultOther();
        assertThrows(IllegalStateException.class, () -> started.start(h.context));
    }

    @Test
    void wireLengthLongerThanDeliveredIsTruncated() throws Exception {
        VrrpInstance vrrp = startDefault();
        h.transport.inject(v3(150, true), new ReceivedPacket().source(Hex.ip(PEER)).destination(Hex.ip(GROUP)).ttl(255)
                .wireLength(2000));
        assertEquals(1, vrrp.counters().dropped(DropReason.TRUNCATED));
    }

    @Test
    void standaloneStartRunsOnItsOwnThreadAndCloseStopsIt() throws Exception {
        io.ha4j.core.InMemoryVipManager own = new io.ha4j.core.InMemoryVipManager();
        CaptureTransport t = new CaptureTransport(Hex.ip("198.18.0.2"));
        VrrpInstance vrrp = VrrpInstance.builder("VI_9").interfaceName("eth0").virtualRouterId(9).priority(255)
                .virtualAddress("198.18.0.109").vipManager(own).transport(t.factory()).build();
        vrrp.start();
        assertTrue(vrrp.isMaster());
        assertThrows(IllegalStateException.class, vrrp::start);
        assertTrue(vrrp.isMaster(), "a second start does not disturb the running instance");
        assertTrue(own.isPresent(VirtualAddress.parse("198.18.0.109", "eth0")));
        vrrp.close();
        assertEquals(VrrpState.STOP, vrrp.state());
        assertFalse(own.isPresent(VirtualAddress.parse("198.18.0.109", "eth0")));
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(th -> th.getName().equals("VI_9-timer") && th.isAlive())
                || waitForThreadEnd("VI_9-timer"));
    }

    private static boolean waitForThreadEnd(String name) {
        return Await.holdsWithin(java.time.Duration.ofSeconds(5),
                () -> Thread.getAllStackTraces().keySet().stream().noneMatch(th -> th.getName().equals(name) && th.isAlive()));
    }

    private VrrpInstance startDefaultOther() throws Exception {
        InstanceHarness other = new InstanceHarness("198.18.0.2");
        return other.start(other.builder().build());
    }
}
