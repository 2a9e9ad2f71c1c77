package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.LeaderElection;
import io.ha4j.core.Leadership;
import io.ha4j.core.LeadershipListener;
import io.ha4j.core.testing.ManualScheduler;
import io.ha4j.vrrp.testing.SimulatedLan;
import io.ha4j.vrrp.testing.SimulatedRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** VrrpInstance as a {@link LeaderElection}: MASTER is leadership, on a simulated LAN with time stepped by hand. */
class VrrpLeadershipTest {

    private final ManualScheduler clock = new ManualScheduler();
    private final SimulatedLan lan = new SimulatedLan(clock, 11);

    private static VrrpInstance instance(SimulatedRouter r, int priority) {
        return VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(priority)
                .virtualAddress("198.18.0.100").transport(r.transport()).build();
    }

    /** Records the callbacks as "lead:token@since" and "not". */
    private static final class Recorder implements LeadershipListener {
        final List<String> calls = new ArrayList<>();

        @Override
        public void isLeader(Leadership leadership) {
            calls.add("lead:" + leadership.token() + "@" + leadership.sinceNanos());
        }

        @Override
        public void notLeader() {
            calls.add("not");
        }
    }

    @Test
    void masterIsLeadershipAndTheTokenCountsTermsOfThisNode() throws Exception {
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        SimulatedRouter b = lan.addRouter("b", "198.18.0.2");
        VrrpInstance va = instance(a, 150);
        VrrpInstance vb = instance(b, 100);
        Recorder ra = new Recorder();
        va.addLeadershipListener(ra);
        va.start(a.context());
        vb.start(b.context());
        assertFalse(va.hasLeadership(), "BACKUP at start");

        clock.advance(Duration.ofSeconds(5));
        Leadership first = va.leadership().orElseThrow();
        assertEquals(1, first.token());
        assertTrue(first.sinceNanos() > 0 && first.sinceNanos() <= clock.nanoTime());
        assertFalse(vb.hasLeadership());

        a.interfaceStateChanged("eth0", false);
        clock.advance(Duration.ofMillis(10));
        assertFalse(va.hasLeadership(), "FAULT is not leadership");
        clock.advance(Duration.ofSeconds(4));
        assertEquals(1, vb.leadership().orElseThrow().token(), "b's own first term");

        a.interfaceStateChanged("eth0", true);
        clock.advance(Duration.ofSeconds(5));
        Leadership second = va.leadership().orElseThrow();
        assertEquals(2, second.token(), "a's second term has a larger token");
        assertTrue(second.sinceNanos() > first.sinceNanos());
        assertFalse(vb.hasLeadership(), "preempted");

        va.close();
        assertFalse(va.hasLeadership());
        assertEquals(List.of("lead:1@" + first.sinceNanos(), "not", "lead:2@" + second.sinceNanos(), "not"), ra.calls);
        vb.close();
    }

    @Test
    void awaitLeadershipReturnsTheTermOnceMasterAndEmptyOnTimeoutOrClose() throws Exception {
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        VrrpInstance va = instance(a, 150);
        va.start(a.context());
        assertEquals(Optional.empty(), va.awaitLeadership(Duration.ofMillis(20)), "times out while BACKUP");

        CompletableFuture<Optional<Leadership>> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return va.awaitLeadership(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        clock.advance(Duration.ofSeconds(5));
        assertEquals(1, waiter.get(10, TimeUnit.SECONDS).orElseThrow().token());

        va.close();
        assertEquals(Optional.empty(), va.awaitLeadership(Duration.ofSeconds(30)), "a closed election returns at once");
    }

    @Test
    void aThrowingLeadershipListenerIsContainedAndOthersStillHear() throws Exception {
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        VrrpInstance va = instance(a, 150);
        LeaderElection election = va;
        election.addLeadershipListener(new LeadershipListener() {
            @Override
            public void isLeader(Leadership leadership) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void notLeader() {
                throw new IllegalStateException("listener bug");
            }
        });
        Recorder after = new Recorder();
        election.addLeadershipListener(after);
        va.start(a.context());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(va.isMaster(), "the engine went on");
        assertEquals(1, after.calls.size());
        va.close();
        assertEquals("not", after.calls.get(1));
    }
}
