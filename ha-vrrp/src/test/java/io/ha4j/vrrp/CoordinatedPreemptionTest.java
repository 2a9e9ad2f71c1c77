package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.testing.ManualScheduler;
import io.ha4j.vrrp.testing.SimulatedLan;
import io.ha4j.vrrp.testing.SimulatedRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link VrrpInstance.Builder#coordinatedPreemption}, rule by rule, on the state machine with stepped time: "when this
 * router preempts a lower-priority master (and only then) it becomes master and sends its advert at once, but adds its
 * VIPs and sends its gratuitous ARP / NA burst only vipDelay later; the host is told MASTER when the VIPs are added".
 */
class CoordinatedPreemptionTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final long T0 = 1_000 * MS;
    private static final Duration VIP_DELAY = Duration.ofMillis(100);
    private static final long DELAY = VIP_DELAY.toNanos();
    private static final byte[] OURS = {(byte) 198, 18, 0, 2};
    private static final byte[] PEER = {(byte) 198, 18, 0, 3};

    private final RecordingActions actions = new RecordingActions();

    /** A backup at {@code priority} (v3, 1 s adverts) that has heard a master at 200, so is not master. */
    private VrrpStateMachine backup(int priority, boolean coordinated) {
        VrrpInstance.Builder b = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(1).priority(priority);
        if (coordinated) {
            b.coordinatedPreemption(VIP_DELAY);
        }
        VrrpStateMachine m = new VrrpStateMachine(actions, b.config());
        m.primaryAddress(OURS, 4);
        m.start(T0);
        assertEquals(VrrpState.BACKUP, m.state());
        actions.take();
        return m;
    }

    /** A lower-priority master's advert reaches {@code m} at {@code t}; its down timer runs out: returns when. */
    private long preempt(VrrpStateMachine m, long t) {
        m.onAdvert(100, 100, PEER, 4, t);
        long takeOver = m.downDeadline();
        m.doWork(takeOver);
        return takeOver;
    }

    @Test
    void preemptingAdvertisesAtOnceAndAddsTheVipsOnlyAfterTheDelay() {
        VrrpStateMachine m = backup(200, true);
        long takeOver = preempt(m, T0 + 500 * MS);
        assertEquals(List.of("advert 200"), actions.take(), "the advert first, so the old master starts leaving; no VIPs yet");
        assertEquals(VrrpState.MASTER, m.state(), "master for the protocol: it advertises and answers");
        assertEquals(takeOver + DELAY, m.nextDeadline());
        m.doWork(takeOver + DELAY - 1);
        assertEquals(List.of(), actions.take(), "no VIP, no burst and no MASTER for the host during the delay");
        m.doWork(takeOver + DELAY);
        assertEquals(List.of("add-vips", "garp 5", "state BACKUP->MASTER"), actions.take(),
                "then the VIPs, the burst, and the host is told");
        m.doWork(takeOver + S);
        assertEquals(List.of("advert 200"), actions.take(), "adverts keep the interval from the first one");
    }

    @Test
    void withoutTheOptionPreemptionIsUnchanged() {
        VrrpStateMachine m = backup(200, false);
        preempt(m, T0 + 500 * MS);
        assertEquals(List.of("add-vips", "garp 5", "advert 200", "state BACKUP->MASTER"), actions.take(),
                "VIPs and burst before the advert, as keepalived");
    }

    @Test
    void losingMastershipDuringTheDelayNeverAddsTheVips() {
        VrrpStateMachine m = backup(200, true);
        long takeOver = preempt(m, T0 + 500 * MS);
        actions.take();
        m.onAdvert(250, 100, PEER, 4, takeOver + 10 * MS); // a higher master appears meanwhile
        assertEquals(VrrpState.BACKUP, m.state());
        assertEquals(List.of(), actions.take(), "no VIPs to remove and no transition out of a MASTER the host never saw");
        m.doWork(takeOver + DELAY);
        m.doWork(takeOver + 2 * DELAY);
        assertEquals(List.of(), actions.take(), "and no stray VIPs or burst later");
        assertTrue(m.nextDeadline() > takeOver + 2 * S, "only the down timer runs");
    }

    @Test
    void aFaultDuringTheDelaySendsPriorityZeroAndAddsNothing() {
        VrrpStateMachine m = backup(200, true);
        long takeOver = preempt(m, T0 + 500 * MS);
        actions.take();
        m.fault(VrrpStateMachine.FAULT_TRACKING, true, "check failed", takeOver + 10 * MS);
        assertEquals(List.of("advert 0", "state BACKUP->FAULT"), actions.take(),
                "priority 0 undoes the advert; nothing to remove");
        m.doWork(takeOver + DELAY);
        assertEquals(List.of(), actions.take());
    }

    @Test
    void stoppingOrSteppingDownDuringTheDelayAddsNothing() {
        VrrpStateMachine stopping = backup(200, true);
        long takeOver = preempt(stopping, T0 + 500 * MS);
        actions.take();
        stopping.beginShutdown("closed", takeOver + 10 * MS);
        assertEquals(List.of("advert 0", "state BACKUP->STOP"), actions.take(), "no VIPs to hand over: stopped at once");
        assertEquals(VrrpStateMachine.NONE, stopping.nextDeadline());

        VrrpStateMachine steppingDown = backup(200, true);
        takeOver = preempt(steppingDown, T0 + 500 * MS);
        actions.take();
        steppingDown.stepDown("maintenance", Long.MAX_VALUE, takeOver + 10 * MS);
        assertEquals(VrrpState.BACKUP, steppingDown.state());
        assertEquals(List.of("advert 0"), actions.take(), "priority 0, nothing to hold, no transition the host never saw");
        steppingDown.doWork(takeOver + DELAY);
        assertEquals(List.of(), actions.take());
    }

    @Test
    void aTakeOverAfterMasterDownIsNotDelayed() {
        VrrpStateMachine m = backup(200, true);
        m.onAdvert(250, 100, PEER, 4, T0 + 500 * MS); // a higher master, which then crashes: no more adverts
        m.doWork(m.downDeadline());
        assertEquals(List.of("add-vips", "garp 5", "advert 200", "state BACKUP->MASTER"), actions.take(),
                "a crash leaves nobody answering: take the VIPs at once");
    }

    @Test
    void aTakeOverAfterPriorityZeroOrAtStartupIsNotDelayed() {
        VrrpStateMachine afterStop = backup(200, true);
        afterStop.onAdvert(250, 100, PEER, 4, T0 + 500 * MS);
        afterStop.onAdvert(0, 100, PEER, 4, T0 + 600 * MS); // that master stops: it no longer answers for the VIPs
        afterStop.doWork(afterStop.downDeadline());
        assertEquals(List.of("add-vips", "garp 5", "advert 200", "state BACKUP->MASTER"), actions.take());

        VrrpStateMachine alone = backup(200, true);
        alone.doWork(alone.downDeadline()); // no master at all
        assertEquals(List.of("add-vips", "garp 5", "advert 200", "state BACKUP->MASTER"), actions.take());
    }

    @Test
    void aLowerMasterAnsweredDuringTheDelayGetsAnAdvertButNoBurst() {
        VrrpStateMachine m = backup(200, true);
        long takeOver = preempt(m, T0 + 500 * MS);
        actions.take();
        m.doWork(takeOver + DELAY);
        actions.take();
        m.onAdvert(100, 100, PEER, 4, takeOver + 2 * S); // after the delay: the burst is ours to send again
        assertEquals(List.of("advert 200", "garp 5"), actions.take());

        VrrpStateMachine early = backup(200, true);
        takeOver = preempt(early, T0 + 500 * MS);
        actions.take();
        early.onAdvert(100, 100, PEER, 4, takeOver + 10 * MS);
        assertEquals(List.of("advert 200"), actions.take(), "answered, but no burst for VIPs not added yet");
    }

    /**
     * Through {@link VrrpInstance} on a simulated LAN: a returning a (200, coordinated) preempts b (100). At every 10 ms
     * step somebody holds the VIP, and whenever a says it is master ({@code isMaster()}, or its MASTER event) the VIP is
     * on a's interface.
     */
    @Test
    void theHostIsToldMasterOnlyOnceTheVipIsOnTheInterface() throws Exception {
        ManualScheduler clock = new ManualScheduler();
        SimulatedLan lan = new SimulatedLan(clock, 7);
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        SimulatedRouter b = lan.addRouter("b", "198.18.0.2");
        VrrpInstance va = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(200)
                .virtualAddress("198.18.0.100").coordinatedPreemption(VIP_DELAY).transport(a.transport()).build();
        VrrpInstance vb = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(100)
                .virtualAddress("198.18.0.100").transport(b.transport()).build();
        List<String> toldMaster = new ArrayList<>();
        va.addListener(new VrrpListener() {
            @Override
            public void stateChanged(VrrpInstance i, VrrpState from, VrrpState to, String reason) {
                if (to == VrrpState.MASTER) {
                    toldMaster.add("VIPs on a: " + a.vipManager().managed().size());
                }
            }
        });
        vb.start(b.context());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(vb.isMaster());
        va.start(a.context());
        int unheld = 0;
        for (int step = 0; step < 600; step++) {
            clock.advance(Duration.ofMillis(10));
            if (a.vipManager().managed().isEmpty() && b.vipManager().managed().isEmpty()) {
                unheld++;
            }
            if (va.isMaster()) {
                assertEquals(1, a.vipManager().managed().size(), "master for the host means the VIP is on a");
            }
        }
        assertEquals(0, unheld, "b kept answering until a had announced the VIP");
        assertTrue(va.isMaster());
        assertTrue(b.vipManager().managed().isEmpty(), "b released it after its linger");
        assertEquals(List.of("VIPs on a: 1"), toldMaster);
        va.close();
        vb.close();
    }

    @Test
    void theDelayIsValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VrrpInstance.builder("VI_1").coordinatedPreemption(Duration.ofMillis(5)));
        assertEquals("coordinatedPreemption must be in [10ms, 1s], was 5ms", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> VrrpInstance.builder("VI_1").coordinatedPreemption(Duration.ofSeconds(2)));
    }
}
