package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Behaviour beyond RFC 5798 §6.4 that keepalived users rely on (docs/vrrp.md §1.2, §1.3). */
class KeepalivedBehaviourTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000 * MS;
    private static final byte[] OURS = {10, 0, 0, 2};
    private static final byte[] OTHER = {10, 0, 0, 1};

    private final RecordingActions actions = new RecordingActions();

    private VrrpStateMachine machine(java.util.function.Consumer<VrrpInstance.Builder> tweak) {
        VrrpInstance.Builder c = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(1);
        tweak.accept(c);
        VrrpStateMachine m = new VrrpStateMachine(actions, c.config());
        m.primaryAddress(OURS, 4);
        return m;
    }

    @Test
    void timersMatchTheFailoverTable() {
        // docs/vrrp.md §7: v2 1 s prio 100 -> 3.609 s; prio 254 -> 3.008 s; v3 100 ms prio 100 -> 360.9 ms; v3 10 ms -> 36.1 ms
        assertEquals(3_609_375_000L, VrrpStateMachine.masterDownIntervalNs(2, 100, 100));
        assertEquals(3_007_812_000L, VrrpStateMachine.masterDownIntervalNs(2, 254, 100));
        assertEquals(360_937_000L, VrrpStateMachine.masterDownIntervalNs(3, 100, 10));
        assertEquals(36_093_000L, VrrpStateMachine.masterDownIntervalNs(3, 100, 1));
        // v2 skew does not depend on the interval
        assertEquals(VrrpStateMachine.skewNs(2, 100, 100), VrrpStateMachine.skewNs(2, 100, 500));
        assertEquals(609_375_000L, VrrpStateMachine.skewNs(2, 100, 500));
    }

    @Test
    void stateMasterHintBelow255WaitsOneIntervalPlusMinimalSkew() {
        VrrpStateMachine m = machine(c -> c.initialState(VrrpState.MASTER));
        m.start(T0);
        assertEquals(VrrpState.BACKUP, m.state());
        assertEquals(T0 + 1000 * MS + VrrpStateMachine.skewNs(3, 255, 100), m.downDeadline());
    }

    @Test
    void preemptDelayKeepsAcceptingALowerMasterUntilItExpires() {
        VrrpStateMachine m = machine(c -> {
            c.priority(200);
            c.preemptDelay(java.time.Duration.ofSeconds(10));
        });
        m.start(T0);
        long t = T0;
        for (int i = 0; i < 10; i++) {
            t += 1000 * MS;
            m.onAdvert(100, 100, OTHER, 4, t);
            assertEquals(VrrpState.BACKUP, m.state());
        }
        // at T0 + 10 s the delay (started at T0 + 1 s) is still running; from T0 + 11 s lower adverts are ignored
        t += 1000 * MS;
        m.onAdvert(100, 100, OTHER, 4, t);
        long deadline = m.downDeadline();
        m.onAdvert(100, 100, OTHER, 4, t + 1000 * MS);
        assertEquals(deadline, m.downDeadline(), "lower adverts ignored after preempt_delay");
        m.doWork(deadline);
        assertEquals(VrrpState.MASTER, m.state());
    }

    @Test
    void preemptDelayAlsoCountsFromStartup() {
        VrrpStateMachine m = machine(c -> {
            c.priority(200);
            c.preemptDelay(java.time.Duration.ofSeconds(5));
        });
        m.start(T0);
        m.onAdvert(100, 100, OTHER, 4, T0 + 4_000 * MS);
        assertEquals(T0 + 4_000 * MS + VrrpStateMachine.masterDownIntervalNs(3, 200, 100), m.downDeadline(),
                "accepted while the startup delay runs");
        long deadline = m.downDeadline();
        m.onAdvert(100, 100, OTHER, 4, T0 + 5_000 * MS);
        assertEquals(deadline, m.downDeadline(), "ignored once the delay from startup is over");
        m.doWork(deadline);
        assertEquals(VrrpState.MASTER, m.state());
    }

    @Test
    void priorityChangeWhileBackupShiftsTheDownTimerByTheSkewChange() {
        VrrpStateMachine m = machine(c -> c.priority(100));
        m.start(T0);
        long before = m.downDeadline();
        m.effectivePriority(200, T0 + 100 * MS);
        assertEquals(before + VrrpStateMachine.skewNs(3, 200, 100) - VrrpStateMachine.skewNs(3, 100, 100), m.downDeadline());
    }

    @Test
    void ownerPriorityNeverChanges() {
        VrrpStateMachine m = machine(c -> c.priority(255));
        m.start(T0);
        m.effectivePriority(100, T0);
        assertEquals(255, m.effectivePriority());
    }

    @Test
    void masterGoingToFaultSendsPriorityZeroFirstAndBackupAfterRecovery() {
        VrrpStateMachine m = machine(c -> { });
        m.start(T0);
        m.doWork(m.downDeadline());
        actions.take();
        m.fault(VrrpStateMachine.FAULT_TRACKING, true, "check down", T0 + 5000 * MS);
        assertEquals(List.of("advert 0", "remove-vips", "state MASTER->FAULT"), actions.take());
        m.onAdvert(50, 100, OTHER, 4, T0 + 5100 * MS);
        m.doWork(T0 + 100_000 * MS);
        assertEquals(VrrpState.FAULT, m.state());
        m.fault(VrrpStateMachine.FAULT_TRACKING, false, "check up", T0 + 6000 * MS);
        assertEquals(List.of("state FAULT->BACKUP"), actions.take());
        assertEquals(T0 + 6000 * MS + 3_609_375_000L, m.downDeadline());
    }

    @Test
    void startingWithAFaultEntersFault() {
        VrrpStateMachine m = machine(c -> { });
        m.fault(VrrpStateMachine.FAULT_TRACKING, true, "interface down", T0);
        m.start(T0);
        assertEquals(VrrpState.FAULT, m.state());
    }

    @Test
    void v2BackupKeepsItsOwnInterval() {
        VrrpStateMachine m = machine(c -> c.version(2));
        m.start(T0);
        m.onAdvert(150, 200, OTHER, 4, T0 + MS);
        assertEquals(100, m.masterAdverIntervalCs());
    }

    @Test
    void garpSecondBurstAfterDelayAndPeriodicRefresh() {
        VrrpStateMachine m = machine(c -> {
            c.garpMasterRefresh(java.time.Duration.ofSeconds(60));
            c.garpMasterRefreshRepeat(2);
        });
        m.start(T0);
        long t = m.downDeadline();
        m.doWork(t);
        actions.take();
        for (long s = 1; s <= 5; s++) {
            m.doWork(t + s * 1000 * MS);
        }
        assertEquals(List.of("advert 100", "advert 100", "advert 100", "advert 100", "advert 100", "garp 5"), actions.take());
        m.doWork(t + 60_000 * MS);
        assertEquals(List.of("advert 100", "garp 2"), actions.take());
        for (long s = 61; s < 120; s++) {
            m.doWork(t + s * 1000 * MS);
        }
        actions.take();
        m.doWork(t + 120_000 * MS);
        assertEquals(List.of("advert 100", "garp 2"), actions.take(), "refresh repeats every garp_master_refresh");
    }

    @Test
    void vipRemovedExternallyLeavesMasterForBackup() {
        VrrpStateMachine m = machine(c -> { });
        m.start(T0);
        m.doWork(m.downDeadline());
        actions.take();
        m.vipRemovedExternally("gone", T0 + 5000 * MS);
        assertEquals(List.of("remove-vips", "state MASTER->BACKUP"), actions.take());
        m.doWork(m.downDeadline());
        assertEquals(VrrpState.MASTER, m.state(), "re-elected when nobody else takes over");
        assertEquals(List.of("add-vips", "garp 5", "advert 100", "state BACKUP->MASTER"), actions.take());
    }
}
