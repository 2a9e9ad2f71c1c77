package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HaCluster;
import io.ha4j.core.HaEvent;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.HealthChecker;
import io.ha4j.core.InMemoryVipManager;
import io.ha4j.core.VirtualAddress;
import io.ha4j.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A VrrpInstance as a cluster component: start order, events, close releases the VIP. */
class HaClusterIntegrationTest {

    @Test
    void instanceRunsInsideACluster() {
        ManualScheduler clock = new ManualScheduler();
        InMemoryVipManager vips = new InMemoryVipManager();
        CaptureTransport transport = new CaptureTransport(Hex.ip("198.18.0.2"));
        AtomicBoolean apiserverUp = new AtomicBoolean(true);
        HealthChecker apiserver = HealthChecker.builder("apiserver").check(HealthCheck.of("readyz", apiserverUp::get))
                .inter(Duration.ofSeconds(1)).rise(1).fall(1).build();
        VrrpInstance vrrp = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(150)
                .virtualAddress("198.18.0.100").trackCheck(apiserver, 0).transport(transport.factory()).build();
        List<HaEvent> events = new ArrayList<>();
        // the check runs inline on virtual time (the cluster's own blocking pool would race the manual clock)
        apiserver.start(io.ha4j.core.ComponentContext.builder().scheduler(clock)
                .blockingExecutor(new io.ha4j.core.testing.DirectExecutorService()).build());
        HaCluster cluster = HaCluster.builder().scheduler(clock).vipManager(vips).add(vrrp)
                .listener(events::add).build();
        cluster.start();
        clock.advance(Duration.ofSeconds(4));
        assertTrue(vrrp.isMaster(), () -> vrrp + " " + events);
        VirtualAddress vip = VirtualAddress.parse("198.18.0.100", "eth0");
        assertTrue(vips.managed().contains(vip));
        assertTrue(events.stream().anyMatch(e -> e.source().equals("VI_1") && e.state().equals("MASTER")));

        apiserverUp.set(false);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(VrrpState.FAULT, vrrp.state(), "weight 0 check down: FAULT");
        assertFalse(vips.managed().contains(vip));

        cluster.close();
        apiserver.close();
        assertEquals(VrrpState.STOP, vrrp.state());
        assertTrue(transport.closed);
    }
}
