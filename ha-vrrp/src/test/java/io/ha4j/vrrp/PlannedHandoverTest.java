package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DESIGN's rule for planned moves, clause by clause, on the state machine with stepped time: "a master that leaves on
 * purpose (stop, step-down, preemption by a returning master) sends priority 0 as the RFC says but keeps the VIP until
 * it hears the new master (or Master_Down_Interval passes), then removes it". The timeline is in ha-vrrp/README.md,
 * "Planned handover".
 */
class PlannedHandoverTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final long T0 = 1_000 * MS;
    private static final long LINGER = VrrpStateMachine.DEFAULT_HANDOVER_LINGER_NS;
    private static final byte[] OURS = {(byte) 198, 18, 0, 2};
    private static final byte[] PEER = {(byte) 198, 18, 0, 3};

    private final RecordingActions actions = new RecordingActions();

    private VrrpStateMachine master(int priority) {
        VrrpInstance.Builder b = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(1).priority(priority);
        VrrpStateMachine m = new VrrpStateMachine(actions, b.config());
        m.primaryAddress(OURS, 4);
        m.start(T0);
        m.doWork(m.downDeadline());
        assertEquals(VrrpState.MASTER, m.state());
        actions.take();
        return m;
    }

    @Test
    void stoppingMasterSendsPriorityZeroButKeepsTheVipsUntilItHearsTheNewMaster() {
        VrrpStateMachine m = master(200);
        long t = T0 + 10 * S;
        m.beginShutdown("closed", t);
        assertEquals(List.of("advert 0"), actions.take(), "priority 0 at once, the VIPs stay");
        long takeOver = t + VrrpStateMachine.skewNs(3, 100, 100); // a keepalived backup at 100 after its Skew_Time
        m.doWork(takeOver - 1);
        assertEquals(List.of(), actions.take(), "no advert and no release while waiting");
        m.onAdvert(100, 100, PEER, 4, takeOver);
        assertEquals(List.of("leaving"), actions.take(),
                "the VIPs' users are told; a stopping master neither answers nor competes with a lower priority");
        assertEquals(takeOver + LINGER, m.nextDeadline());
        m.doWork(takeOver + LINGER - 1);
        assertEquals(List.of(), actions.take(), "the VIPs are kept while the new master's GARP reaches the segment");
        m.doWork(takeOver + LINGER);
        assertEquals(List.of("remove-vips", "released (new master heard)", "state MASTER->STOP"), actions.take());
        assertEquals(VrrpStateMachine.NONE, m.nextDeadline());
    }

    @Test
    void stoppingMasterWithNoBackupReleasesAfterMasterDownInterval() {
        VrrpStateMachine m = master(200);
        long t = T0 + 10 * S;
        long mdi = m.masterDownIntervalNs();
        m.beginShutdown("closed", t);
        actions.take();
        m.doWork(t + mdi - 1);
        assertEquals(VrrpState.MASTER, m.state(), "still answering for the VIPs");
        m.doWork(t + mdi);
        assertEquals(List.of("leaving"), actions.take(), "nobody took over: the VIPs' users are told");
        m.doWork(t + mdi + LINGER);
        assertEquals(List.of("remove-vips", "released (none heard)", "state MASTER->STOP"), actions.take());
    }

    @Test
    void aStopThatCannotWaitReleasesAtOnce() {
        VrrpStateMachine m = master(200);
        m.beginShutdown("closed", T0 + 10 * S);
        actions.take();
        m.shutdown("closed", T0 + 10 * S + MS);
        assertEquals(List.of("leaving", "remove-vips", "released (none heard)", "state MASTER->STOP"), actions.take(),
                "no second priority 0");
    }

    @Test
    void stepDownSendsPriorityZeroBecomesBackupAndReleasesOnHearingTheNewMaster() {
        VrrpStateMachine m = master(200);
        long t = T0 + 10 * S;
        m.stepDown("step-down", 0, t);
        assertEquals(List.of("advert 0", "state MASTER->BACKUP"), actions.take(), "the VIPs stay");
        assertTrue(m.handingOver());
        long heard = t + 600 * MS;
        m.onAdvert(100, 100, PEER, 4, heard);
        assertEquals(List.of("leaving"), actions.take());
        m.doWork(heard + LINGER);
        assertEquals(List.of("remove-vips", "released (new master heard)"), actions.take());
        assertFalse(m.handingOver());
        assertEquals(VrrpState.BACKUP, m.state());
    }

    @Test
    void aSyncGroupMemberFollowingAStepDownKeepsItsVipsUntilItsOwnNewMasterIsHeard() {
        VrrpStateMachine steppedDown = master(200);
        VrrpStateMachine member = master(200);
        long t = T0 + 10 * S;
        steppedDown.stepDown("step-down", 30 * S, t);
        actions.take();
        member.syncBackup("sync group 'G': VI_1 left MASTER", steppedDown, t);
        assertEquals(List.of("advert 0", "state MASTER->BACKUP"), actions.take(),
                "priority 0 for this member's backups too, and its VIPs stay");
        assertTrue(member.handingOver());
        long heard = t + 600 * MS;
        steppedDown.onAdvert(100, 100, PEER, 4, heard);
        actions.take();
        member.doWork(heard + LINGER);
        assertEquals(List.of(), actions.take(), "the other member's new master says nothing about this member's VIPs");
        long ownHeard = heard + 20 * MS;
        member.onAdvert(100, 100, PEER, 4, ownHeard);
        assertEquals(List.of("leaving"), actions.take());
        member.doWork(ownHeard + LINGER);
        assertEquals(List.of("remove-vips", "released (new master heard)"), actions.take());
        for (long a = ownHeard + S; a < t + 25 * S; a += S) {
            member.onAdvert(100, 100, PEER, 4, a);
            member.doWork(a);
        }
        assertEquals(VrrpState.BACKUP, member.state(), "the step-down's hold is the group's: no preemption back");
    }

    @Test
    void aSyncGroupMemberFollowingAMemberThatLostMasterWithoutAChoiceReleasesAtOnce() {
        VrrpStateMachine faulted = master(200);
        VrrpStateMachine member = master(200);
        long t = T0 + 10 * S;
        faulted.fault(VrrpStateMachine.FAULT_TRACKING, true, "check down", t);
        actions.take();
        member.syncBackup("sync group 'G': VI_1 left MASTER", faulted, t);
        assertEquals(List.of("remove-vips", "state MASTER->BACKUP"), actions.take(), "no priority 0, no wait");
        assertFalse(member.handingOver());
    }

    @Test
    void stepDownWithNobodyToTakeOverBecomesMasterAgainWithoutEverDroppingTheVips() {
        VrrpStateMachine m = master(200);
        long t = T0 + 10 * S;
        m.stepDown("step-down", 0, t);
        actions.take();
        m.doWork(t + m.masterDownIntervalNs());
        assertEquals(VrrpState.MASTER, m.state());
        List<String> log = actions.take();
        assertFalse(log.contains("remove-vips"), "never unserved: " + log);
        assertEquals(List.of("add-vips", "garp 5", "advert 200", "state BACKUP->MASTER"), log);
        assertFalse(m.handingOver());
    }

    @Test
    void duringTheStepDownHoldALowerPriorityMasterIsNotPreempted() {
        VrrpStateMachine m = master(200);
        long t = T0 + 10 * S;
        m.stepDown("step-down", 30 * S, t);
        long advert = t + 600 * MS;
        for (int i = 0; i < 25; i++, advert += S) {
            m.onAdvert(100, 100, PEER, 4, advert);
            m.doWork(advert + LINGER);
        }
        assertEquals(VrrpState.BACKUP, m.state(), "held: the lower-priority master's adverts reset our down timer");
        actions.take();
        long afterHold = t + 31 * S;
        m.onAdvert(100, 100, PEER, 4, afterHold);
        m.doWork(afterHold + m.masterDownIntervalNs());
        assertEquals(VrrpState.MASTER, m.state(), "after the hold, preempt as configured");
    }

    @Test
    void endStepDownLetsTheRouterPreemptAgain() {
        VrrpStateMachine m = master(200);
        long t = T0 + 10 * S;
        m.stepDown("step-down", Long.MAX_VALUE, t);
        m.onAdvert(100, 100, PEER, 4, t + 600 * MS);
        assertTrue(m.steppedDown(t + 1000 * S), "until told otherwise");
        m.endStepDown();
        assertFalse(m.steppedDown(t + S));
        long next = t + 1600 * MS;
        m.onAdvert(100, 100, PEER, 4, next);
        m.doWork(next + m.masterDownIntervalNs());
        assertEquals(VrrpState.MASTER, m.state());
    }

    @Test
    void preemptedMasterKeepsTheVipsUntilTheLingerThenReleasesWithoutPriorityZero() {
        VrrpStateMachine m = master(100);
        long t = m.advertDeadline() - 100 * MS;
        m.onAdvert(200, 100, PEER, 4, t);
        assertEquals(List.of("state MASTER->BACKUP", "leaving"), actions.take(),
                "no priority 0: the returning master already announced itself");
        m.doWork(t + LINGER - 1);
        assertEquals(List.of(), actions.take());
        m.doWork(t + LINGER);
        assertEquals(List.of("remove-vips", "released (new master heard)"), actions.take());
    }

    @Test
    void returningMasterAnnouncesTheVipsBeforeTheAdvertThatMakesTheOldOneLetGo() {
        VrrpInstance.Builder b = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(1).priority(200);
        VrrpStateMachine m = new VrrpStateMachine(actions, b.config());
        m.primaryAddress(OURS, 4);
        m.start(T0);
        m.onAdvert(100, 100, PEER, 4, T0 + 500 * MS); // the old, lower-priority master: preempt
        m.doWork(m.downDeadline());
        assertEquals(List.of("state INITIALIZE->BACKUP", "add-vips", "garp 5", "advert 200", "state BACKUP->MASTER"),
                actions.take());
    }

    @Test
    void aFaultDuringTheHandoverReleasesAtOnce() {
        VrrpStateMachine m = master(200);
        long t = T0 + 10 * S;
        m.stepDown("step-down", 0, t);
        actions.take();
        m.fault(VrrpStateMachine.FAULT_TRACKING, true, "link down", t + 100 * MS);
        assertEquals(List.of("leaving", "remove-vips", "released (none heard)", "state BACKUP->FAULT"), actions.take());
    }

    @Test
    void stoppingWhileStillHoldingAfterAStepDownWaitsForTheSameHandover() {
        VrrpStateMachine m = master(200);
        long t = T0 + 10 * S;
        m.stepDown("step-down", 0, t);
        m.beginShutdown("closed", t + 100 * MS);
        actions.take();
        m.doWork(t + 10 * S);
        m.doWork(t + 20 * S);
        assertEquals(List.of("leaving", "remove-vips", "released (none heard)", "state BACKUP->STOP"), actions.take(),
                "no mastership taken back while stopping");
    }

    @Test
    void aCrashIsUnchangedTheBackupTakesOverAfterMasterDownInterval() {
        VrrpInstance.Builder b = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(1).priority(100);
        VrrpStateMachine backup = new VrrpStateMachine(actions, b.config());
        backup.primaryAddress(OURS, 4);
        backup.start(T0);
        long last = T0 + 500 * MS;
        backup.onAdvert(200, 100, PEER, 4, last);
        backup.doWork(last + backup.masterDownIntervalNs() - 1);
        assertEquals(VrrpState.BACKUP, backup.state());
        backup.doWork(last + backup.masterDownIntervalNs());
        assertEquals(VrrpState.MASTER, backup.state());
    }
}
