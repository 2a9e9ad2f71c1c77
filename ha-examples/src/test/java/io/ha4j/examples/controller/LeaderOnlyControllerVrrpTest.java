package io.ha4j.examples.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.testing.ManualScheduler;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.testing.SimulatedLan;
import io.ha4j.vrrp.testing.SimulatedRouter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The controller on VRRP (a simulated LAN, time stepped by hand): only the master works; a stop hands over. */
class LeaderOnlyControllerVrrpTest {

    private final ManualScheduler clock = new ManualScheduler();
    private final SimulatedLan lan = new SimulatedLan(clock, 3);
    private final FencedLedger ledger = new FencedLedger();

    private VrrpInstance vrrp(SimulatedRouter r, int priority) {
        return VrrpInstance.builder("controller").interfaceName("eth0").virtualRouterId(51).priority(priority)
                .virtualAddress("198.18.0.10").transport(r.transport()).build();
    }

    @Test
    void onlyTheMasterReconcilesAndAStopHandsOver() throws Exception {
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        SimulatedRouter b = lan.addRouter("b", "198.18.0.2");
        VrrpInstance va = vrrp(a, 150);
        VrrpInstance vb = vrrp(b, 100);
        LeaderOnlyController ca = new LeaderOnlyController("a", va, ledger, Duration.ofSeconds(1));
        LeaderOnlyController cb = new LeaderOnlyController("b", vb, ledger, Duration.ofSeconds(1));
        va.start(a.context());
        ca.start(a.context());
        vb.start(b.context());
        cb.start(b.context());

        clock.advance(Duration.ofSeconds(10));
        assertTrue(ca.rounds() >= 5, "the master reconciles: " + ca.rounds());
        assertEquals(0, cb.rounds(), "the backup does nothing");

        long aRounds = ca.rounds();
        ca.close(); // the order HaCluster stops them in: the application first, then VRRP (priority 0)
        va.close();
        clock.advance(Duration.ofSeconds(10));
        assertEquals(aRounds, ca.rounds(), "a stopped");
        assertTrue(cb.rounds() >= 5, "b took over: " + cb.rounds());
        List<String> entries = ledger.entries();
        int firstB = entries.indexOf(entries.stream().filter(e -> e.contains(" b ")).findFirst().orElseThrow());
        assertTrue(entries.subList(0, firstB).stream().allMatch(e -> e.contains(" a ")), "a, then b only: " + entries);
        assertTrue(entries.subList(firstB, entries.size()).stream().allMatch(e -> e.contains(" b ")), entries.toString());
        cb.close();
        vb.close();
    }
}
