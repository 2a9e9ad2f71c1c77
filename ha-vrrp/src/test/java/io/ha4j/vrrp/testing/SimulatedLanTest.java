package io.ha4j.vrrp.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.testing.ManualScheduler;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedLanTest {

    private final ManualScheduler clock = new ManualScheduler();
    private final SimulatedLan lan = new SimulatedLan(clock, 7);

    private VrrpInstance instance(SimulatedRouter r, int priority, String vip) {
        return VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(priority)
                .virtualAddress(vip).transport(r.transport()).build();
    }

    @Test
    void javadocExample() throws Exception {
        ManualScheduler clock = new ManualScheduler();
        SimulatedLan lan = new SimulatedLan(clock, 42);
        SimulatedRouter r1 = lan.addRouter("r1", "198.18.0.1");
        SimulatedRouter r2 = lan.addRouter("r2", "198.18.0.2");
        VrrpInstance v1 = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(150)
                .virtualAddress("198.18.0.100").transport(r1.transport()).build();
        VrrpInstance v2 = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(100)
                .virtualAddress("198.18.0.100").transport(r2.transport()).build();
        v1.start(r1.context());
        v2.start(r2.context());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(v1.isMaster());
        assertEquals(1, r1.vipManager().managed().size());
        r1.crash();
        clock.advance(Duration.ofSeconds(4));
        assertTrue(v2.isMaster());
        assertEquals(1, r2.vipManager().managed().size());
        assertEquals(1, r1.vipManager().managed().size(), "a crashed host keeps what it had");
    }

    @Test
    void linkDownPutsTheMasterInFaultAndItsVipMovesUntilTheLinkReturns() throws Exception {
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        SimulatedRouter b = lan.addRouter("b", "198.18.0.2");
        VrrpInstance va = instance(a, 150, "198.18.0.100");
        VrrpInstance vb = instance(b, 100, "198.18.0.100");
        va.start(a.context());
        vb.start(b.context());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(va.isMaster());
        a.interfaceStateChanged("eth1", false);
        clock.advance(Duration.ofMillis(10));
        assertTrue(va.isMaster(), "an interface the instance does not track changes nothing");
        a.interfaceStateChanged("eth0", false);
        clock.advance(Duration.ofMillis(10));
        assertEquals(VrrpState.FAULT, va.state(), "own interface down: FAULT, as keepalived");
        assertEquals(0, a.vipManager().managed().size(), "FAULT releases the VIP");
        clock.advance(Duration.ofSeconds(4));
        assertTrue(vb.isMaster());
        a.interfaceStateChanged("eth0", true);
        clock.advance(Duration.ofSeconds(5));
        assertTrue(va.isMaster(), "back and preempts with the higher priority");
        assertFalse(vb.isMaster());
    }

    @Test
    void anInstanceStartedWhileItsLinkIsDownStartsInFault() throws Exception {
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        a.interfaceStateChanged("eth0", false);
        VrrpInstance va = instance(a, 150, "198.18.0.100");
        va.start(a.context());
        clock.advance(Duration.ofSeconds(5));
        assertEquals(VrrpState.FAULT, va.state());
        a.interfaceStateChanged("eth0", true);
        clock.advance(Duration.ofSeconds(5));
        assertTrue(va.isMaster());
    }

    @Test
    void failingTrackedCheckMovesTheVipAndItComesBackWhenHealthy() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean apiserverUp = new java.util.concurrent.atomic.AtomicBoolean(true);
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        SimulatedRouter b = lan.addRouter("b", "198.18.0.2");
        io.ha4j.core.HealthChecker check = io.ha4j.core.HealthChecker.builder("check_apiserver")
                .check(io.ha4j.core.HealthCheck.of("apiserver", apiserverUp::get))
                .inter(Duration.ofSeconds(3)).rise(2).fall(2).build();
        VrrpInstance va = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(150)
                .trackCheck(check, -60).virtualAddress("198.18.0.100").transport(a.transport()).build();
        VrrpInstance vb = instance(b, 100, "198.18.0.100");
        check.start(a.context());
        va.start(a.context());
        vb.start(b.context());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(va.isMaster());
        apiserverUp.set(false);
        clock.advance(Duration.ofSeconds(7)); // two failed checks: priority 150 - 60 = 90 < 100
        assertEquals(90, va.effectivePriority());
        clock.advance(vb.masterDownInterval());
        assertTrue(vb.isMaster(), "the backup preempts the lower-priority master");
        assertEquals(VrrpState.BACKUP, va.state());
        apiserverUp.set(true);
        clock.advance(Duration.ofSeconds(7));
        assertEquals(150, va.effectivePriority());
        clock.advance(va.masterDownInterval());
        assertTrue(va.isMaster());
        assertEquals(VrrpState.BACKUP, vb.state());
        check.close();
    }

    @Test
    void equalPrioritiesStartedTogetherElectTheHighestAddress() throws Exception {
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        SimulatedRouter b = lan.addRouter("b", "198.18.0.3");
        SimulatedRouter c = lan.addRouter("c", "198.18.0.2");
        VrrpInstance va = instance(a, 100, "198.18.0.100");
        VrrpInstance vb = instance(b, 100, "198.18.0.100");
        VrrpInstance vc = instance(c, 100, "198.18.0.100");
        va.start(a.context());
        vb.start(b.context());
        vc.start(c.context());
        clock.advance(Duration.ofSeconds(10));
        assertTrue(vb.isMaster());
        assertFalse(va.isMaster());
        assertFalse(vc.isMaster());
    }

    @Test
    void ipv6InstancesElectOverTheLan() throws Exception {
        SimulatedRouter a = lan.addRouter("a", "fe80::1");
        SimulatedRouter b = lan.addRouter("b", "fe80::2");
        VrrpInstance va = instance(a, 200, "fe80::100");
        VrrpInstance vb = instance(b, 100, "fe80::100");
        va.start(a.context());
        vb.start(b.context());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(va.isMaster());
        assertEquals(VrrpState.BACKUP, vb.state());
        assertTrue(vb.counters().advertsReceived() > 0);
        assertEquals(0, vb.counters().droppedTotal());
    }

    @Test
    void unicastPeersAndPausedMasterSplitBrainHeals() throws Exception {
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        SimulatedRouter b = lan.addRouter("b", "198.18.0.2");
        VrrpInstance va = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(200)
                .virtualAddress("198.18.0.100").unicastPeer("198.18.0.2").transport(a.transport()).build();
        VrrpInstance vb = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(100)
                .virtualAddress("198.18.0.100").unicastPeer("198.18.0.1").transport(b.transport()).build();
        va.start(a.context());
        vb.start(b.context());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(va.isMaster());
        a.pause(); // a GC pause longer than Master_Down_Interval
        clock.advance(Duration.ofSeconds(5));
        assertTrue(vb.isMaster(), "the backup took over");
        assertTrue(va.isMaster(), "the paused master does not know yet: split brain");
        a.resume();
        clock.advance(Duration.ofSeconds(2));
        assertTrue(va.isMaster());
        assertEquals(VrrpState.BACKUP, vb.state());
        assertTrue(b.vipManager().managed().isEmpty());
    }

    @Test
    void preemptionAndNopreempt() throws Exception {
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        SimulatedRouter b = lan.addRouter("b", "198.18.0.2");
        VrrpInstance low = instance(a, 50, "198.18.0.100");
        low.start(a.context());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(low.isMaster());
        VrrpInstance high = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(150).nopreempt()
                .virtualAddress("198.18.0.100").transport(b.transport()).build();
        high.start(b.context());
        clock.advance(Duration.ofSeconds(30));
        assertTrue(low.isMaster(), "nopreempt: the higher backup leaves the lower master alone");
        assertEquals(VrrpState.BACKUP, high.state());
        low.close();
        clock.advance(Duration.ofSeconds(1));
        assertTrue(high.isMaster());
    }

    @Test
    void partitionGivesTwoMastersAndHealingLeavesOne() throws Exception {
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        SimulatedRouter b = lan.addRouter("b", "198.18.0.2");
        VrrpInstance va = instance(a, 200, "198.18.0.100");
        VrrpInstance vb = instance(b, 100, "198.18.0.100");
        va.start(a.context());
        vb.start(b.context());
        clock.advance(Duration.ofSeconds(5));
        lan.partition(List.of(a), List.of(b));
        clock.advance(Duration.ofSeconds(5));
        assertTrue(va.isMaster() && vb.isMaster());
        assertTrue(lan.packetsLost() > 0);
        lan.heal();
        clock.advance(Duration.ofSeconds(2));
        assertTrue(va.isMaster());
        assertFalse(vb.isMaster());
    }
}
