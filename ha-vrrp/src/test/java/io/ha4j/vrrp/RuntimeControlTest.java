package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HaCluster;
import io.ha4j.core.HaEvent;
import io.ha4j.core.VirtualAddress;
import io.ha4j.core.testing.ManualScheduler;
import io.ha4j.vrrp.testing.SimulatedLan;
import io.ha4j.vrrp.testing.SimulatedRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The host's runtime API on {@link VrrpInstance} ({@code stepDown}, {@code endStepDown}, {@code setPriority}) and the
 * handover event, on a simulated LAN: the VIP is held by at least one router at every 10 ms step of the move.
 */
class RuntimeControlTest {

    private static final Duration STEP = Duration.ofMillis(10);

    private final ManualScheduler clock = new ManualScheduler();
    private final SimulatedLan lan = new SimulatedLan(clock, 11);
    private final SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
    private final SimulatedRouter b = lan.addRouter("b", "198.18.0.2");
    private final VrrpInstance va = instance(a, 200);
    private final VrrpInstance vb = instance(b, 100);
    private final List<String> events = new ArrayList<>();

    private static VrrpInstance instance(SimulatedRouter r, int priority) {
        return VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(priority)
                .virtualAddress("198.18.0.100").transport(r.transport()).build();
    }

    private void startBoth() throws Exception {
        va.addListener(new VrrpListener() {
            @Override
            public void stateChanged(VrrpInstance i, VrrpState from, VrrpState to, String reason) {
                events.add(from + "->" + to);
            }

            @Override
            public void onHandoverCompleted(VrrpInstance i, boolean newMasterHeard) {
                events.add("handover " + (newMasterHeard ? "heard" : "unheard"));
            }
        });
        va.start(a.context());
        vb.start(b.context());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(va.isMaster());
        events.clear();
    }

    /** Steps {@code duration} in 10 ms steps and returns how many steps nobody held the VIP. */
    private int stepsUnheld(Duration duration) {
        int unheld = 0;
        for (long t = 0; t < duration.toMillis(); t += STEP.toMillis()) {
            clock.advance(STEP);
            if (a.vipManager().managed().isEmpty() && b.vipManager().managed().isEmpty()) {
                unheld++;
            }
        }
        return unheld;
    }

    @Test
    void stepDownHandsTheVipToTheBackupWithoutAGapAndStaysBackupDuringTheHold() throws Exception {
        startBoth();
        va.stepDown(Duration.ofSeconds(20));
        assertEquals(0, stepsUnheld(Duration.ofSeconds(2)), "the VIP is held by someone at every step");
        assertTrue(vb.isMaster());
        assertTrue(a.vipManager().managed().isEmpty(), "released once the new master was heard");
        assertEquals(List.of("MASTER->BACKUP", "handover heard"), events);
        assertEquals(1, va.counters().handovers());
        clock.advance(Duration.ofSeconds(15));
        assertTrue(vb.isMaster(), "no preemption during the hold although 200 > 100");
        va.endStepDown();
        clock.advance(Duration.ofSeconds(5));
        assertTrue(va.isMaster(), "preempts again once the hold ends");
        assertTrue(b.vipManager().managed().isEmpty());
    }

    @Test
    void preemptionByTheReturningMasterLeavesNoGap() throws Exception {
        startBoth();
        va.stepDown(Duration.ZERO);
        assertEquals(0, stepsUnheld(Duration.ofSeconds(1)));
        assertTrue(vb.isMaster());
        assertEquals(0, stepsUnheld(Duration.ofSeconds(5)), "a takes the VIP back (preempt) make-before-break");
        assertTrue(va.isMaster());
        assertTrue(b.vipManager().managed().isEmpty());
        assertEquals(1, vb.counters().handovers(), "b released it after hearing a");
    }

    @Test
    void setPriorityChangesTheElectionAtRuntime() throws Exception {
        startBoth();
        vb.setPriority(250);
        assertEquals(250, vb.priority());
        assertEquals(0, stepsUnheld(Duration.ofSeconds(5)));
        assertTrue(vb.isMaster(), "a backup raised above the master preempts within Master_Down_Interval");
        assertEquals(250, vb.effectivePriority());
        assertThrows(IllegalArgumentException.class, () -> vb.setPriority(255), "255 is the owner's, not settable");
        assertThrows(IllegalArgumentException.class, () -> vb.setPriority(0));
    }

    @Test
    void aHostListeningToItsClusterLearnsWhenTheHandoverCompleted() throws Exception {
        List<String> handovers = new ArrayList<>();
        HaCluster cluster = HaCluster.builder().scheduler(a.scheduler()).vipManager(a.vipManager()).add(va)
                .listener(e -> {
                    if (e.kind() == HaEvent.Kind.HANDOVER_COMPLETED) {
                        handovers.add(e + ", VIPs on a: " + a.vipManager().managed().size());
                    }
                }).build();
        cluster.start();
        vb.start(b.context());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(va.isMaster());
        va.stepDown(Duration.ofSeconds(20));
        clock.advance(Duration.ofMillis(100));
        assertEquals(List.of(), handovers, "not while a still holds the VIP for the move");
        clock.advance(Duration.ofSeconds(2));
        assertTrue(vb.isMaster());
        assertEquals(List.of("VI_1: handover completed in BACKUP (VIPs released, the new master was heard), VIPs on a: 0"),
                handovers);
        cluster.close();
    }

    @Test
    void steppingDownASyncGroupMemberMovesEveryMemberWithoutAGap() throws Exception {
        VrrpInstance a2 = VrrpInstance.builder("VI_2").interfaceName("eth0").virtualRouterId(52).priority(200)
                .virtualAddress("198.18.0.101").transport(a.transport()).build();
        VrrpInstance b2 = VrrpInstance.builder("VI_2").interfaceName("eth0").virtualRouterId(52).priority(100)
                .virtualAddress("198.18.0.101").transport(b.transport()).build();
        VrrpSyncGroup onA = VrrpSyncGroup.of("G", va, a2);
        VrrpSyncGroup onB = VrrpSyncGroup.of("G", vb, b2);
        va.start(a.context());
        a2.start(a.context());
        vb.start(b.context());
        b2.start(b.context());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(onA.isMaster());
        va.stepDown(Duration.ofSeconds(20));
        assertEquals(0, vipUnheldSteps("198.18.0.101", Duration.ofSeconds(2)),
                "the member that followed the step-down kept its VIP until b's VI_2 was heard");
        assertTrue(onB.isMaster());
        assertTrue(a.vipManager().managed().isEmpty(), "both released");
        assertEquals(1, a2.counters().handovers(), "VI_2 on a handed over after hearing its new master");
        clock.advance(Duration.ofSeconds(15));
        assertTrue(onB.isMaster(), "the hold is the group's: a's VI_2 (200 > 100) does not preempt it back");
        a2.endStepDown();
        assertEquals(0, vipUnheldSteps("198.18.0.101", Duration.ofSeconds(5)));
        assertTrue(onA.isMaster(), "ending the hold on any member ends it for the group");
        assertTrue(b.vipManager().managed().isEmpty());
    }

    /** Steps {@code duration} in 10 ms steps and returns how many steps neither router held {@code vip}. */
    private int vipUnheldSteps(String vip, Duration duration) {
        VirtualAddress address = VirtualAddress.parse(vip, "eth0");
        int unheld = 0;
        for (long t = 0; t < duration.toMillis(); t += STEP.toMillis()) {
            clock.advance(STEP);
            if (!a.vipManager().managed().contains(address) && !b.vipManager().managed().contains(address)) {
                unheld++;
            }
        }
        return unheld;
    }

    @Test
    void stepDownBeforeStartIsAnError() {
        assertThrows(IllegalStateException.class, () -> va.stepDown(Duration.ZERO));
    }
}
