package io.ha4j.core.internal;

import io.ha4j.core.ComponentStats;
import io.ha4j.core.ComponentStats.Metric;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders {@link ComponentStats} as Prometheus text (format 0.0.4) and as JSON. Not API: used by the admin
 * listener of ha-proxy and by tests.
 */
public final class StatsText {

    private StatsText() {
    }

    /**
     * The samples of all components, grouped by metric name (one {@code HELP} and {@code TYPE} per name, in
     * first-seen order) as the text format requires when several components report the same metric.
     */
    public static String prometheus(List<ComponentStats> components) {
        Map<String, List<Metric>> byName = new LinkedHashMap<>();
        for (ComponentStats c : components) {
            for (Metric m : c.metrics()) {
                byName.computeIfAbsent(m.name(), n -> new ArrayList<>()).add(m);
            }
        }
        StringBuilder b = new StringBuilder(4096);
        for (List<Metric> family : byName.values()) {
            Metric first = family.get(0);
            b.append("# HELP ").append(first.name()).append(' ').append(first.help().replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            b.append("# TYPE ").append(first.name()).append(' ').append(first.type().name().toLowerCase(Locale.ROOT)).append('\n');
            for (Metric m : family) {
                b.append(m.name());
                if (!m.labels().isEmpty()) {
                    b.append('{');
                    boolean comma = false;
                    for (Map.Entry<String, String> l : m.labels().entrySet()) {
                        if (comma) {
                            b.append(',');
                        }
                        comma = true;
                        b.append(l.getKey()).append("=\"").append(label(l.getValue())).append('"');
                    }
                    b.append('}');
                }
                b.append(' ').append(number(m.value())).append('\n');
            }
        }
        return b.toString();
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static String label(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** {@code value} (a String, Number, Boolean, null, List or Map of those) as JSON text. */
    public static StringBuilder json(StringBuilder b, Object value) {
        if (value == null) {
            b.append("null");
        } else if (value instanceof String s) {
            quote(b, s);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            b.append(Double.isFinite(d) ? number(d) : "null");
        } else if (value instanceof Number || value instanceof Boolean) {
            b.append(value);
        } else if (value instanceof Map<?, ?> map) {
            b.append('{');
            boolean comma = false;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (comma) {
                    b.append(',');
                }
                comma = true;
                quote(b, String.valueOf(e.getKey())).append(':');
                json(b, e.getValue());
            }
            b.append('}');
        } else if (value instanceof List<?> list) {
            b.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                json(b, list.get(i));
            }
            b.append(']');
        } else {
            quote(b, value.toString());
        }
        return b;
    }

    /** {@code s} as a JSON string literal. */
    public static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }
}
