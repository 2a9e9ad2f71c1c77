package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.ComponentStats;
import io.ha4j.core.ComponentStats.Metric;
import io.ha4j.core.testing.ManualScheduler;
import io.ha4j.vrrp.testing.SimulatedLan;
import io.ha4j.vrrp.testing.SimulatedRouter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a VRRP instance reports through the stats SPI, on a simulated LAN with time stepped by hand. */
class VrrpStatsTest {

    private final ManualScheduler clock = new ManualScheduler();
    private final SimulatedLan lan = new SimulatedLan(clock, 7);

    private static VrrpInstance instance(SimulatedRouter r, int priority, int version) {
        return VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(priority).version(version)
                .virtualAddress("198.18.0.100").transport(r.transport()).build();
    }

    private static double value(ComponentStats s, String name, Map<String, String> labels) {
        return s.metrics().stream().filter(m -> m.name().equals(name) && m.labels().equals(labels)).mapToDouble(Metric::value)
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + labels + " in " + s.metrics()));
    }

    @Test
    void stateMasterAddressCountersDropsAndTransitions() throws Exception {
        SimulatedRouter a = lan.addRouter("a", "198.18.0.1");
        SimulatedRouter b = lan.addRouter("b", "198.18.0.2");
        SimulatedRouter c = lan.addRouter("c", "198.18.0.3");
        try (VrrpInstance va = instance(a, 150, 3); VrrpInstance vb = instance(b, 100, 3); VrrpInstance vc = instance(c, 50, 2)) {
            ComponentStats before = vb.componentStats();
            assertEquals("INITIALIZE", before.fields().get("state"));
            assertEquals("", before.fields().get("masterAddress"));
            va.start(a.context());
            vb.start(b.context());
            vc.start(c.context());
            lan.advance(Duration.ofSeconds(10));
            assertEquals(VrrpState.MASTER, va.state());
            assertEquals(VrrpState.BACKUP, vb.state());

            ComponentStats sb = vb.componentStats();
            assertEquals("vrrp", sb.kind());
            assertEquals("BACKUP", sb.fields().get("state"));
            assertEquals(100, sb.fields().get("priority"));
            assertEquals(100, sb.fields().get("effectivePriority"));
            assertEquals("198.18.0.1", sb.fields().get("masterAddress"), "the master's address, from its adverts");
            assertEquals(1.0, sb.fields().get("advertIntervalSeconds"));
            assertEquals(List.of("198.18.0.100/32"), sb.fields().get("virtualAddresses"));
            long received = (Long) sb.fields().get("advertsReceived");
            assertTrue(received >= 5, sb.fields().toString());
            assertTrue((Long) ((Map<?, ?>) sb.fields().get("dropped")).get("version") > 0, "the v2 router's adverts: " + sb.fields());
            List<?> transitions = (List<?>) sb.fields().get("transitions");
            Map<?, ?> last = (Map<?, ?>) transitions.get(0);
            assertEquals("INITIALIZE", last.get("from"));
            assertEquals("BACKUP", last.get("to"));
            assertEquals(10L, last.get("secondsAgo"), "the monotonic clock, stepped by hand");

            Map<String, String> l = Map.of("instance", "VI_1");
            assertEquals((double) received, value(sb, "ha4j_vrrp_adverts_received_total", l));
            assertEquals(1.0, value(sb, "ha4j_vrrp_state", Map.of("instance", "VI_1", "state", "BACKUP")));
            assertEquals(0.0, value(sb, "ha4j_vrrp_state", Map.of("instance", "VI_1", "state", "MASTER")));
            assertTrue(value(sb, "ha4j_vrrp_dropped_packets_total", Map.of("instance", "VI_1", "reason", "version")) > 0);
            assertEquals(0.0, value(sb, "ha4j_vrrp_dropped_packets_total", Map.of("instance", "VI_1", "reason", "checksum")),
                    "every reason is a series from the start");

            ComponentStats sa = va.componentStats();
            assertEquals("MASTER", sa.fields().get("state"));
            assertEquals("198.18.0.1", sa.fields().get("masterAddress"), "ourselves");
            assertEquals(1L, sa.fields().get("becameMaster"));
            assertTrue((Long) sa.fields().get("advertsSent") >= 5);
            assertEquals(1.0, value(sa, "ha4j_vrrp_info", Map.of("instance", "VI_1", "vrid", "51", "interface", "eth0",
                    "version", "3", "master_address", "198.18.0.1")));

            va.close();
            lan.advance(Duration.ofSeconds(5));
            ComponentStats after = vb.componentStats();
            assertEquals("MASTER", after.fields().get("state"));
            assertEquals("198.18.0.2", after.fields().get("masterAddress"));
            Map<?, ?> newest = (Map<?, ?>) ((List<?>) after.fields().get("transitions")).get(0);
            assertEquals("BACKUP", newest.get("from"));
            assertEquals("MASTER", newest.get("to"));
            assertTrue(!newest.get("reason").toString().isEmpty(), newest.toString());
            assertEquals(1.0, value(after, "ha4j_vrrp_became_master_total", l));
        }
    }
}
