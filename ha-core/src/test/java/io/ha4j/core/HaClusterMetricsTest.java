package io.ha4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.ComponentStats.Metric;
import io.ha4j.core.ComponentStats.MetricType;
import io.ha4j.core.internal.StatsText;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The Micrometer binding and the Prometheus text of the stats SPI, on a component of this test whose numbers move.
 * (The real components' numbers through the same binding are checked in ha-examples' stats page test.)
 */
class HaClusterMetricsTest {

    /** A user's own component reporting a counter and a gauge per worker. */
    static final class Workers implements HaComponent, StatsSource {
        final AtomicLong jobs = new AtomicLong();
        volatile int busy;

        @Override
        public String name() {
            return "workers";
        }

        @Override
        public Phase phase() {
            return Phase.BALANCERS;
        }

        @Override
        public void start(ComponentContext context) {
        }

        @Override
        public void close() {
        }

        @Override
        public ComponentStats componentStats() {
            return new ComponentStats("workers", name(), Map.of("jobs", jobs.get()), List.of(
                    new Metric("app_jobs_total", MetricType.COUNTER, "Jobs done.", Map.of("pool", "w \"1\""), jobs.get()),
                    new Metric("app_busy_workers", MetricType.GAUGE, "Busy workers.", Map.of("pool", "w \"1\""), busy)));
        }
    }

    @Test
    void meterBinderReadsTheSameNumbersAsTheSource() {
        Workers w = new Workers();
        HaCluster cluster = HaCluster.builder().name("c").add(w).build();
        assertEquals(List.of(w), cluster.statsSources());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new HaClusterMetrics(cluster).bindTo(registry);
        FunctionCounter jobs = registry.get("app_jobs").tag("pool", "w \"1\"").functionCounter();
        Gauge busy = registry.get("app_busy_workers").tag("pool", "w \"1\"").gauge();
        assertEquals(0.0, jobs.count());
        assertEquals("Jobs done.", jobs.getId().getDescription());
        w.jobs.set(5);
        w.busy = 3;
        // readings share a snapshot for up to a second: a new binder over the same source shows the new numbers
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        new HaClusterMetrics(List.of(w)).bindTo(second);
        assertEquals(5.0, second.get("app_jobs").functionCounter().count());
        assertEquals(3.0, second.get("app_busy_workers").gauge().value());
    }

    @Test
    void prometheusTextGroupsFamiliesAndEscapesLabels() {
        Workers a = new Workers();
        a.jobs.set(7);
        Workers b = new Workers();
        b.busy = 2;
        String text = StatsText.prometheus(List.of(a.componentStats(), b.componentStats()));
        assertEquals("""
                # HELP app_jobs_total Jobs done.
                # TYPE app_jobs_total counter
                app_jobs_total{pool="w \\"1\\""} 7
                app_jobs_total{pool="w \\"1\\""} 0
                # HELP app_busy_workers Busy workers.
                # TYPE app_busy_workers gauge
                app_busy_workers{pool="w \\"1\\""} 0
                app_busy_workers{pool="w \\"1\\""} 2
                """, text);
        String json = StatsText.json(new StringBuilder(), Map.of("s", "a\"b\n\u0001", "l", List.of(1, 2.5, true))).toString();
        assertTrue(json.contains("\"s\":\"a\\\"b\\n\\u0001\"") && json.contains("\"l\":[1,2.5,true]"), json);
    }

    @Test
    void metricNamesFollowPrometheusConventions() {
        IllegalArgumentException counter = assertThrows(IllegalArgumentException.class,
                () -> new Metric("app_jobs", MetricType.COUNTER, "h", Map.of(), 1));
        assertTrue(counter.getMessage().contains("counters and only counters end in _total"), counter.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Metric("app_busy_total", MetricType.GAUGE, "h", Map.of(), 1));
        assertThrows(IllegalArgumentException.class, () -> new Metric("app-busy", MetricType.GAUGE, "h", Map.of(), 1));
    }
}
