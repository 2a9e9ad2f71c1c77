package io.ha4j.core;

import io.ha4j.core.ComponentStats.Metric;
import io.ha4j.core.ComponentStats.MetricType;
import io.ha4j.core.internal.Validation;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Binds the numbers of a cluster's {@link StatsSource}s (every balancer, backend and VRRP instance) to a host's
 * Micrometer registry: {@code new HaClusterMetrics(cluster).bindTo(registry)}, or register it as a
 * {@code MeterBinder} bean in Spring Boot, Quarkus or Micronaut. Needs {@code io.micrometer:micrometer-core}, an
 * optional dependency of ha-core that such a host has already.
 *
 * <p>The meters are the samples of {@code /metrics}, with the same numbers: a gauge per gauge sample, a
 * {@link FunctionCounter} per counter sample named without {@code _total} (a Prometheus registry appends it again),
 * the sample's labels as tags. Meters are made for the samples that exist at {@link #bindTo}: a backend added at
 * runtime has meters after the next bind, one removed reads NaN (Prometheus registries leave NaN gauges out).
 * Readings share one snapshot per source for up to a second, so a scrape costs one snapshot per component, not
 * one per meter.
 */
public final class HaClusterMetrics implements MeterBinder {

    private static final long SNAPSHOT_REUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Supplier<List<StatsSource>> sources;
    private final Clock clock;
    private final Map<StatsSource, Cached> cache = new IdentityHashMap<>();

    /** The meters of every {@link StatsSource} component of {@code cluster}. */
    public HaClusterMetrics(HaCluster cluster) {
        this(Validation.notNull("cluster", cluster)::statsSources, Clock.system());
    }

    /** The meters of {@code sources}, e.g. a balancer used without a cluster. */
    public HaClusterMetrics(List<? extends StatsSource> sources) {
        this(fixed(sources), Clock.system());
    }

    private static Supplier<List<StatsSource>> fixed(List<? extends StatsSource> sources) {
        List<StatsSource> copy = List.copyOf(Validation.notNull("sources", sources));
        return () -> copy;
    }

    private HaClusterMetrics(Supplier<List<StatsSource>> sources, Clock clock) {
        this.sources = sources;
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (StatsSource source : sources.get()) {
            for (Metric m : source.componentStats().metrics()) {
                List<Tag> tags = new ArrayList<>(m.labels().size());
                m.labels().forEach((k, v) -> tags.add(Tag.of(k, v)));
                String key = key(m.name(), m.labels());
                if (m.type() == MetricType.COUNTER) {
                    FunctionCounter.builder(m.name().substring(0, m.name().length() - "_total".length()), source, s -> read(s, key))
                            .description(m.help()).tags(tags).register(registry);
                } else {
                    Gauge.builder(m.name(), source, s -> read(s, key)).description(m.help()).tags(tags).strongReference(true)
                            .register(registry);
                }
            }
        }
    }

    private double read(StatsSource source, String key) {
        Sample s = snapshot(source).values.get(key);
        return s == null ? Double.NaN : s.metric.value();
    }

    private Cached snapshot(StatsSource source) {
        long now = clock.nanoTime();
        synchronized (cache) {
            Cached c = cache.get(source);
            if (c != null && now - c.at < SNAPSHOT_REUSE_NANOS) {
                return c;
            }
        }
        Map<String, Sample> values = new HashMap<>();
        for (Metric m : source.componentStats().metrics()) {
            values.putIfAbsent(key(m.name(), m.labels()), new Sample(m));
        }
        Cached fresh = new Cached(now, values);
        synchronized (cache) {
            cache.put(source, fresh);
        }
        return fresh;
    }

    private static String key(String name, Map<String, String> labels) {
        return name + labels;
    }

    private record Sample(Metric metric) {
    }

    private record Cached(long at, Map<String, Sample> values) {
    }
}
