package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.vrrp.internal.Checksum;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Boundaries of {@link VrrpStateMachine} and {@link Checksum} that the clause-by-clause tests left open and PIT's
 * mutants showed (see ha-vrrp/README.md, "Mutation testing"): equal priorities and addresses, preempt_delay
 * counted from start and from leaving FAULT, timers cleared on every state change, GARP bursts and refresh,
 * sync-group moves, odd-length and long checksums.
 */
class StateMachineEdgesTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final long T0 = 1_000 * MS;
    private static final byte[] OURS = {(byte) 198, 18, 0, 2};
    private static final byte[] LOWER = {(byte) 198, 18, 0, 1};
    private static final byte[] HIGHER = {(byte) 198, 18, 0, 3};
    private static final long MDI_100 = 3_609_375_000L;
    private static final long MDI_150 = 3_414_062_000L; // keepalived computes in whole microseconds

    private final RecordingActions actions = new RecordingActions();

    private VrrpStateMachine machine(int priority, Consumer<VrrpInstance.Builder> tweak) {
        VrrpInstance.Builder c = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(1).priority(priority);
        tweak.accept(c);
        VrrpStateMachine m = new VrrpStateMachine(actions, c.config());
        m.primaryAddress(OURS, 4);
        return m;
    }

    private VrrpStateMachine master(int priority, Consumer<VrrpInstance.Builder> tweak) {
        VrrpStateMachine m = machine(priority, tweak);
        m.start(T0);
        m.doWork(m.downDeadline());
        assertEquals(VrrpState.MASTER, m.state());
        actions.take();
        return m;
    }

    @Test
    void masterYieldsToEqualPriorityFromAHigherAddressOnly() {
        VrrpStateMachine m = master(100, c -> { });
        long t = m.advertDeadline() - 1;
        m.onAdvert(100, 100, LOWER, 4, t);
        assertEquals(VrrpState.MASTER, m.state(), "equal priority, lower address: we stay");
        assertEquals(List.of("advert 100", "garp 5"), actions.take(), "and answer at once, announcing the VIPs again");
        m.onAdvert(100, 100, OURS, 4, t);
        assertEquals(VrrpState.MASTER, m.state(), "equal priority, same address: not a higher address");
        actions.take();
        m.onAdvert(100, 100, HIGHER, 4, t);
        assertEquals(VrrpState.BACKUP, m.state(), "equal priority, higher address: we yield");
        assertEquals(List.of("state MASTER->BACKUP", "leaving"), actions.take());
        m.doWork(t + VrrpStateMachine.DEFAULT_HANDOVER_LINGER_NS);
        assertEquals(List.of("remove-vips", "released (new master heard)"), actions.take(), "and let the VIPs go");
        VrrpStateMachine v6 = master(100, c -> { });
        byte[] longer = new byte[16];
        v6.onAdvert(100, 100, longer, 16, t);
        assertEquals(VrrpState.BACKUP, v6.state(), "a longer address compares higher");
    }

    @Test
    void masterYieldsToOnePriorityMoreButNotToOneLess() {
        VrrpStateMachine m = master(100, c -> { });
        long t = m.advertDeadline() - 1;
        m.onAdvert(99, 100, HIGHER, 4, t);
        assertEquals(VrrpState.MASTER, m.state());
        m.onAdvert(101, 100, LOWER, 4, t);
        assertEquals(VrrpState.BACKUP, m.state());
    }

    @Test
    void backupAcceptsEqualPriorityAndKeepsWaiting() {
        VrrpStateMachine m = machine(100, c -> { });
        m.start(T0);
        for (long t = T0 + S; t < T0 + 10 * S; t += S) {
            m.onAdvert(100, 100, LOWER, 4, t);
            m.doWork(t);
        }
        assertEquals(VrrpState.BACKUP, m.state(), "an equal-priority master is accepted, not preempted");
        assertEquals(T0 + 9 * S + MDI_100, m.downDeadline());
    }

    @Test
    void preemptDelayCountsFromStartNotFromTheFirstLowerAdvert() {
        VrrpStateMachine m = machine(150, c -> c.preemptDelay(Duration.ofSeconds(5)));
        m.start(T0);
        long lastAccepted = 0;
        for (long t = T0 + 3 * S; t <= T0 + 8 * S; t += S) {
            m.onAdvert(100, 100, LOWER, 4, t);
            m.doWork(t);
            if (m.downDeadline() == t + MDI_150) {
                lastAccepted = t;
            }
        }
        assertEquals(T0 + 4 * S, lastAccepted, "adverts accepted until start + preempt_delay (T0+5 s), not later");
        m.doWork(lastAccepted + MDI_150);
        assertEquals(VrrpState.MASTER, m.state());
    }

    @Test
    void preemptDelayRestartsAfterAHigherAdvertAndAfterFault() {
        VrrpStateMachine m = machine(150, c -> c.preemptDelay(Duration.ofSeconds(5)));
        m.start(T0);
        m.onAdvert(200, 100, HIGHER, 4, T0 + S); // clears the delay
        m.onAdvert(100, 100, LOWER, 4, T0 + 2 * S); // starts it again: until T0+7 s
        assertEquals(T0 + 2 * S + MDI_150, m.downDeadline(), "accepted while the new delay runs");
        m.onAdvert(100, 100, LOWER, 4, T0 + 6 * S);
        assertEquals(T0 + 6 * S + MDI_150, m.downDeadline(), "still inside the delay from the lower advert");
        m.onAdvert(100, 100, LOWER, 4, T0 + 8 * S);
        assertEquals(T0 + 6 * S + MDI_150, m.downDeadline(), "after the delay: ignored, the timer runs out");

        VrrpStateMachine f = machine(150, c -> c.preemptDelay(Duration.ofSeconds(5)));
        f.start(T0);
        f.fault(1, true, "check failed", T0 + 10 * S);
        f.fault(1, false, "check ok", T0 + 20 * S);
        assertEquals(VrrpState.BACKUP, f.state());
        f.onAdvert(100, 100, LOWER, 4, T0 + 24 * S);
        assertEquals(T0 + 24 * S + MDI_150, f.downDeadline(), "leaving FAULT starts preempt_delay again");
        f.onAdvert(100, 100, LOWER, 4, T0 + 26 * S);
        assertEquals(T0 + 24 * S + MDI_150, f.downDeadline(), "and it ends 5 s after leaving FAULT");
    }

    @Test
    void timersAreClearedWhenLeavingMasterOrStopping() {
        VrrpStateMachine toBackup = master(100, c -> { });
        toBackup.onAdvert(200, 100, HIGHER, 4, T0 + 4 * S);
        actions.take();
        assertEquals(VrrpStateMachine.NONE, toBackup.advertDeadline(), "no advert timer left in BACKUP");
        toBackup.doWork(T0 + 4 * S + 2 * S);
        assertFalse(actions.take().contains("advert 100"), "a backup sends no advert");

        VrrpStateMachine toFault = master(100, c -> { });
        toFault.fault(1, true, "link down", T0 + 4 * S + 1);
        assertEquals(List.of("advert 0", "remove-vips", "state MASTER->FAULT"), actions.take());
        toFault.doWork(T0 + 60 * S);
        assertEquals(List.of(), actions.take(), "nothing fires in FAULT (no advert, no GARP burst, no take-over)");
        assertEquals(VrrpStateMachine.NONE, toFault.advertDeadline(), "timers cleared on entering FAULT");
        assertEquals(VrrpStateMachine.NONE, toFault.downDeadline());

        VrrpStateMachine stopped = master(100, c -> { });
        stopped.shutdown("closed", T0 + 4 * S + 1);
        assertEquals(List.of("advert 0", "remove-vips", "state MASTER->STOP"), actions.take());
        stopped.doWork(T0 + 60 * S);
        assertEquals(List.of(), actions.take(), "nothing fires after shutdown");
        assertEquals(VrrpStateMachine.NONE, stopped.advertDeadline(), "timers cleared at shutdown");
    }

    @Test
    void secondGarpBurstAndRefreshFollowTheirSettings() {
        VrrpStateMachine none = master(100, c -> c.garpMasterDelay(Duration.ZERO));
        for (long t = T0; t < T0 + 40 * S; t += 100 * MS) {
            none.doWork(t);
        }
        assertFalse(actions.take().stream().anyMatch(a -> a.startsWith("garp")), "garp_master_delay 0: no second burst");

        VrrpStateMachine refresh = machine(100, c -> {
            c.garpMasterDelay(Duration.ZERO);
            c.garpMasterRefresh(Duration.ofSeconds(10));
            c.garpMasterRefreshRepeat(2);
        });
        refresh.start(T0);
        long mastered = refresh.downDeadline();
        refresh.doWork(mastered);
        actions.take();
        long garps = 0;
        for (long t = mastered; t <= mastered + 35 * S; t += 100 * MS) {
            refresh.doWork(t);
            garps += actions.take().stream().filter("garp 2"::equals).count();
        }
        assertEquals(3, garps, "a refresh of 2 every 10 s over 35 s: three refreshes");
    }

    @Test
    void syncGroupMovesABackupUpAndAMasterDown() {
        VrrpStateMachine b = machine(100, c -> { });
        b.start(T0);
        actions.take();
        b.syncMaster("group member became MASTER", T0 + S);
        assertEquals(VrrpState.MASTER, b.state());
        assertTrue(actions.take().contains("add-vips"));
        b.syncMaster("again", T0 + 2 * S);
        assertEquals(List.of(), actions.take(), "a master stays as it is");
        VrrpStateMachine faulted = machine(100, c -> { }); // a member that left MASTER without a choice holds no VIPs
        b.syncBackup("group member went BACKUP", faulted, T0 + 3 * S);
        assertEquals(VrrpState.BACKUP, b.state());
        assertEquals(T0 + 3 * S + MDI_100, b.downDeadline());
        b.syncBackup("again", faulted, T0 + 4 * S);
        assertEquals(T0 + 3 * S + MDI_100, b.downDeadline(), "a backup is left alone");
        assertFalse(b.inFault());
        b.fault(2, true, "tracked", T0 + 5 * S);
        assertTrue(b.inFault());
        assertTrue(b.hasFault(2));
        assertFalse(b.hasFault(1));
        b.syncMaster("group", T0 + 6 * S);
        assertEquals(VrrpState.FAULT, b.state(), "a member in FAULT does not follow the group up");
    }

    @Test
    void checksumOfAnOddLengthAndOfALongIpv6Length() {
        byte[] data = {0x12, 0x34, 0x56, 0x78, (byte) 0x9a};
        long sum = Checksum.add(0, ByteBuffer.wrap(data), 0, data.length);
        assertEquals(0x1234 + 0x5678 + 0x9a00, sum, "the odd last byte is the high half of a word");
        assertEquals(0x1234, Checksum.add(0, ByteBuffer.wrap(data), 0, 2));
        assertEquals(0x3400, Checksum.add(0, ByteBuffer.wrap(data), 1, 1));
        byte[] zero = new byte[16];
        assertEquals(0x0001 + 0x2345 + 112, Checksum.ipv6PseudoHeader(zero, zero, 0x12345),
                "the 32-bit upper-layer length is two words");
        assertEquals(112 + 24, Checksum.ipv6PseudoHeader(zero, zero, 24));
    }
}
