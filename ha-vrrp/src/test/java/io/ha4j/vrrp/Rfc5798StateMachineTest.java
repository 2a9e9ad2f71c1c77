package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link VrrpStateMachine} against RFC 5798 §6.4, one test per clause (named after it), stepping time by hand.
 * Default: v3, priority 100, Advertisement_Interval 1 s, so Skew_Time = 609.375 ms and Master_Down_Interval =
 * 3.609375 s (keepalived's formula, docs/vrrp.md §1.2).
 */
class Rfc5798StateMachineTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000 * MS;
    private static final byte[] OURS = {(byte) 198, 18, 0, 2};
    private static final byte[] LOWER = {(byte) 198, 18, 0, 1};
    private static final byte[] HIGHER = {(byte) 198, 18, 0, 3};
    private static final long MDI_100 = 3_609_375_000L;
    private static final long SKEW_100 = 609_375_000L;

    private final RecordingActions actions = new RecordingActions();

    private VrrpStateMachine machine(int priority) {
        return machine(priority, c -> { });
    }

    private VrrpStateMachine machine(int priority, java.util.function.Consumer<VrrpInstance.Builder> tweak) {
        VrrpInstance.Builder c = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(1).priority(priority);
        tweak.accept(c);
        VrrpStateMachine m = new VrrpStateMachine(actions, c.config());
        m.primaryAddress(OURS, 4);
        return m;
    }

    private VrrpStateMachine master(int priority) {
        VrrpStateMachine m = machine(priority);
        m.start(T0);
        m.doWork(m.downDeadline());
        assertEquals(VrrpState.MASTER, m.state());
        actions.take();
        return m;
    }

    // ------------------------------------------------------------------------------------ 6.4.1 Initialize

    /**
     * §6.4.1: "If the Priority = 255 ... Send an ADVERTISEMENT ... broadcast a gratuitous ARP ... Transition to the Master
     * state". ha4j adds and announces the VIPs just before the advert (make-before-break: whoever releases on hearing it
     * does so after the segment was told).
     */
    @Test
    void initialize_startupWithPriority255_announcesThenAdvertisesAndBecomesMaster() {
        VrrpStateMachine m = machine(255);
        m.start(T0);
        assertEquals(VrrpState.MASTER, m.state());
        assertEquals(List.of("add-vips", "garp 5", "advert 255", "state INITIALIZE->MASTER"), actions.take());
        // "Set the Adver_Timer to Advertisement_Interval"
        assertEquals(T0 + 1000 * MS, m.advertDeadline());
    }

    /** §6.4.1: "else ... Set Master_Adver_Interval to Advertisement_Interval; Set the Master_Down_Timer to Master_Down_Interval; Transition to the Backup state". */
    @Test
    void initialize_startupBelow255_setsMasterDownTimerAndBecomesBackup() {
        VrrpStateMachine m = machine(100);
        m.start(T0);
        assertEquals(VrrpState.BACKUP, m.state());
        assertEquals(List.of("state INITIALIZE->BACKUP"), actions.take());
        assertEquals(100, m.masterAdverIntervalCs());
        assertEquals(T0 + MDI_100, m.downDeadline());
    }

    // ---------------------------------------------------------------------------------------- 6.4.2 Backup

    /** §6.4.2: "MUST NOT respond to ARP requests for the IPvX address(es)": a backup never adds or announces the VIPs. */
    @Test
    void backup_mustNotHoldTheAddresses() {
        VrrpStateMachine m = machine(100);
        m.start(T0);
        m.onAdvert(150, 100, HIGHER, 4, T0 + 500 * MS);
        m.doWork(T0 + 1000 * MS);
        assertTrue(actions.take().stream().noneMatch(a -> a.equals("add-vips") || a.startsWith("garp")));
    }

    /** §6.4.2: "If a Shutdown event is received: Cancel the Master_Down_Timer; Transition to the Initialize state" (ha4j: STOP). */
    @Test
    void backup_shutdown_cancelsMasterDownTimerWithoutAdvert() {
        VrrpStateMachine m = machine(100);
        m.start(T0);
        actions.take();
        m.shutdown("stop", T0 + MS);
        assertEquals(List.of("state BACKUP->STOP"), actions.take());
        assertEquals(VrrpStateMachine.NONE, m.nextDeadline());
        m.doWork(T0 + 10 * MDI_100);
        assertTrue(actions.take().isEmpty());
    }

    /**
     * §6.4.2: "If the Master_Down_Timer fires: Send an ADVERTISEMENT; broadcast gratuitous ARP; Set the Adver_Timer;
     * Transition to the Master state" (the VIPs announced just before the advert, as in §6.4.1 above).
     */
    @Test
    void backup_masterDownTimerFires_announcesThenAdvertisesAndBecomesMaster() {
        VrrpStateMachine m = machine(100);
        m.start(T0);
        actions.take();
        m.doWork(T0 + MDI_100 - 1);
        assertEquals(VrrpState.BACKUP, m.state(), "not before Master_Down_Interval");
        m.doWork(T0 + MDI_100);
        assertEquals(List.of("add-vips", "garp 5", "advert 100", "state BACKUP->MASTER"), actions.take());
        assertEquals(T0 + MDI_100 + 1000 * MS, m.advertDeadline());
    }

    /** §6.4.2: "If the Priority in the ADVERTISEMENT is zero: Set the Master_Down_Timer to Skew_Time". */
    @Test
    void backup_advertWithPriorityZero_setsMasterDownTimerToSkewTime() {
        VrrpStateMachine m = machine(100);
        m.start(T0);
        long t = T0 + 2000 * MS;
        m.onAdvert(0, 100, HIGHER, 4, t);
        assertEquals(t + SKEW_100, m.downDeadline());
        m.doWork(t + SKEW_100);
        assertEquals(VrrpState.MASTER, m.state());
    }

    /** §6.4.2: "If Preempt_Mode is False ... Reset the Master_Down_Timer to Master_Down_Interval" (even for a lower priority). */
    @Test
    void backup_preemptFalse_acceptsLowerPriorityAdvertAndResetsTimer() {
        VrrpStateMachine m = machine(200, c -> c.preempt(false));
        m.start(T0);
        long t = T0 + 3000 * MS;
        m.onAdvert(50, 100, LOWER, 4, t);
        assertEquals(t + VrrpStateMachine.masterDownIntervalNs(3, 200, 100), m.downDeadline());
    }

    /**
     * §6.4.2: "If the Priority in the ADVERTISEMENT is greater than or equal to the local Priority: Set
     * Master_Adver_Interval to Adver Interval contained in the ADVERTISEMENT; Recompute the Master_Down_Interval;
     * Reset the Master_Down_Timer".
     */
    @Test
    void backup_higherOrEqualPriority_adoptsAdverIntervalAndResetsMasterDownTimer() {
        VrrpStateMachine m = machine(100);
        m.start(T0);
        long t = T0 + 1000 * MS;
        m.onAdvert(100, 50, LOWER, 4, t); // equal priority, 500 ms interval
        assertEquals(50, m.masterAdverIntervalCs());
        long mdi = 3 * 500 * MS + (156L * 50 * 625 / 16) * 1000;
        assertEquals(t + mdi, m.downDeadline());
        m.onAdvert(200, 200, HIGHER, 4, t + 100 * MS);
        assertEquals(200, m.masterAdverIntervalCs());
    }

    /** §6.4.2: "else (lower priority and Preempt_Mode True): Discard the ADVERTISEMENT" — the timer keeps running. */
    @Test
    void backup_lowerPriorityWithPreempt_discardsAdvertAndTakesOver() {
        VrrpStateMachine m = machine(100);
        m.start(T0);
        actions.take();
        m.onAdvert(50, 100, HIGHER, 4, T0 + 1000 * MS);
        m.onAdvert(50, 100, HIGHER, 4, T0 + 2000 * MS);
        assertEquals(T0 + MDI_100, m.downDeadline());
        m.doWork(T0 + MDI_100);
        assertEquals(VrrpState.MASTER, m.state());
    }

    // ---------------------------------------------------------------------------------------- 6.4.3 Master

    /** §6.4.3: "MUST respond to ARP requests for the IPvX address(es)": a master holds the VIPs. */
    @Test
    void master_holdsTheAddresses() {
        VrrpStateMachine m = machine(100);
        m.start(T0);
        m.doWork(T0 + MDI_100);
        assertTrue(actions.take().contains("add-vips"));
    }

    /** §6.4.3: "If a Shutdown event is received: Cancel the Adver_Timer; Send an ADVERTISEMENT with Priority = 0; Transition to the Initialize state". */
    @Test
    void master_shutdown_sendsPriorityZeroAndReleases() {
        VrrpStateMachine m = master(100);
        m.shutdown("stop", T0 + 5000 * MS);
        assertEquals(List.of("advert 0", "remove-vips", "state MASTER->STOP"), actions.take());
        assertEquals(VrrpStateMachine.NONE, m.nextDeadline());
    }

    /** §6.4.3: "If the Adver_Timer fires: Send an ADVERTISEMENT; Reset the Adver_Timer to Advertisement_Interval". */
    @Test
    void master_adverTimerFires_sendsAdvertAndResetsTimer() {
        VrrpStateMachine m = master(100);
        long due = m.advertDeadline();
        m.doWork(due - 1);
        assertTrue(actions.take().isEmpty());
        m.doWork(due);
        assertEquals(List.of("advert 100"), actions.take());
        assertEquals(due + 1000 * MS, m.advertDeadline());
    }

    /** §6.4.3: "If the Priority in the ADVERTISEMENT is zero: Send an ADVERTISEMENT; Reset the Adver_Timer". */
    @Test
    void master_advertWithPriorityZero_sendsAdvertAtOnce() {
        VrrpStateMachine m = master(100);
        long t = m.advertDeadline() - 300 * MS;
        m.onAdvert(0, 100, HIGHER, 4, t);
        assertEquals(List.of("advert 100"), actions.take());
        assertEquals(t + 1000 * MS, m.advertDeadline());
        assertEquals(VrrpState.MASTER, m.state());
    }

    /**
     * §6.4.3: "If the Priority in the ADVERTISEMENT is greater than the local Priority: Cancel Adver_Timer; Set
     * Master_Adver_Interval to Adver Interval contained in the ADVERTISEMENT; Recompute the Master_Down_Interval; Set
     * Master_Down_Timer; Transition to the Backup state".
     */
    @Test
    void master_higherPriorityAdvert_becomesBackupWithTheSendersInterval() {
        VrrpStateMachine m = master(100);
        long t = m.advertDeadline() - 100 * MS;
        m.onAdvert(150, 30, LOWER, 4, t);
        assertEquals(List.of("state MASTER->BACKUP", "leaving"), actions.take(), "the VIPs stay a moment (make-before-break)");
        assertEquals(30, m.masterAdverIntervalCs());
        assertEquals(t + 3 * 300 * MS + (156L * 30 * 625 / 16) * 1000, m.downDeadline());
    }

    /** §6.4.3: "... or the Priority is equal and the primary IPvX address of the sender is greater than the local primary IPvX address". */
    @Test
    void master_equalPriorityFromHigherAddress_becomesBackup() {
        VrrpStateMachine m = master(100);
        m.onAdvert(100, 100, HIGHER, 4, m.advertDeadline() - 1);
        assertEquals(VrrpState.BACKUP, m.state());
    }

    /**
     * §6.4.3: "else (lower priority, or equal priority and lower address): Discard the ADVERTISEMENT". keepalived and
     * RFC 9568 answer with an advert at once, and a gratuitous ARP burst (keepalived's garp_lower_prio_repeat: the other
     * master may have announced the VIPs); {@code lower_prio_no_advert} restores the plain discard.
     */
    @Test
    void master_lowerPriorityOrLowerAddress_staysMasterAndAnswers() {
        VrrpStateMachine m = master(100);
        long t = m.advertDeadline() - 1;
        m.onAdvert(100, 100, LOWER, 4, t);
        m.onAdvert(99, 100, HIGHER, 4, t + 1000 * MS); // one answer per advert interval (never packet for packet)
        assertEquals(VrrpState.MASTER, m.state());
        assertEquals(List.of("advert 100", "garp 5", "advert 100", "garp 5"), actions.take());

        VrrpStateMachine quiet = machine(100, c -> c.lowerPrioNoAdvert(true));
        quiet.start(T0);
        quiet.doWork(quiet.downDeadline());
        actions.take();
        quiet.onAdvert(50, 100, HIGHER, 4, quiet.advertDeadline() - 1);
        assertTrue(actions.take().isEmpty());
    }

    /** §6.4.3 + §6.1: a v3 master that returns to Backup and later takes over reverts to its own interval. */
    @Test
    void master_revertsToItsOwnIntervalWhenItBecomesMasterAgain() {
        VrrpStateMachine m = master(100);
        long t = m.advertDeadline() - 1;
        m.onAdvert(200, 25, HIGHER, 4, t);
        assertEquals(25, m.masterAdverIntervalCs());
        m.doWork(m.downDeadline());
        assertEquals(VrrpState.MASTER, m.state());
        assertEquals(100, m.masterAdverIntervalCs());
    }
}
