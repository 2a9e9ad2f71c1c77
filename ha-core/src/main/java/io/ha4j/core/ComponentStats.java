package io.ha4j.core;

import io.ha4j.core.internal.Validation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One component's numbers, as a {@link StatsSource} reports them: an ordered tree of fields for people and JSON,
 * and the same numbers as flat metric samples for Prometheus and Micrometer.
 *
 * @param kind what the component is, e.g. {@code "balancer"} or {@code "vrrp"}; pages group components by it
 * @param name the component's name
 * @param fields values are {@link String}, {@link Number}, {@link Boolean}, {@code List} or {@code Map} of those;
 *     insertion order is the order shown
 * @param metrics samples; every sample of one metric name has the same type, help and label names
 */
public record ComponentStats(String kind, String name, Map<String, Object> fields, List<Metric> metrics) {

    public ComponentStats {
        Validation.notNull("kind", kind);
        Validation.notNull("name", name);
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        metrics = List.copyOf(metrics);
    }

    /** A metric's type, as Prometheus and Micrometer know it. */
    public enum MetricType {
        /** A value that goes up and down. */
        GAUGE,
        /** A value that only goes up (reset only by a restart); its name ends in {@code _total}. */
        COUNTER
    }

    /**
     * One sample. Names follow Prometheus conventions: {@code ha4j_} prefix, base units in the name
     * ({@code _seconds}, {@code _bytes}), counters end in {@code _total}; label values identify a thing
     * (instance, proxy, server, reason) and are stable for its life, never a changing value.
     *
     * @param labels ordered label names to values
     */
    public record Metric(String name, MetricType type, String help, Map<String, String> labels, double value) {

        public Metric {
            Validation.notNull("name", name);
            Validation.notNull("type", type);
            Validation.notNull("help", help);
            if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
                throw new IllegalArgumentException("metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*, was '" + name + "'");
            }
            if (name.endsWith("_total") != (type == MetricType.COUNTER)) {
                throw new IllegalArgumentException("metric '" + name + "': counters and only counters end in _total");
            }
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }
    }
}
