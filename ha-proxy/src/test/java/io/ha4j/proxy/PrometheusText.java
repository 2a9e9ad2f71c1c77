package io.ha4j.proxy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, line by line by its grammar: {@code # HELP name
 * text}, {@code # TYPE name counter|gauge|histogram|summary|untyped} (at most once per metric, before its samples),
 * other comments, blank lines, and samples {@code name{label="value",...} value [timestamp]} with escaped label
 * values. Anything else is an {@link IllegalArgumentException} naming the line.
 */
final class PrometheusText {

    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)\\})? (\\S+)( -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
    private static final Set<String> SPECIAL = Set.of("NaN", "+Inf", "-Inf");

    final List<Sample> samples = new ArrayList<>();
    final Map<String, String> types = new LinkedHashMap<>();

    static PrometheusText parse(String text) {
        PrometheusText result = new PrometheusText();
        Map<String, Boolean> sampled = new HashMap<>();
        String[] lines = text.split("\n", -1);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + (i + 1) + " '" + line + "'";
            if (line.startsWith("# HELP ")) {
                if (!HELP.matcher(line).matches()) {
                    throw new IllegalArgumentException("bad HELP at " + where);
                }
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                Matcher m = TYPE.matcher(line);
                if (!m.matches()) {
                    throw new IllegalArgumentException("bad TYPE at " + where);
                }
                if (result.types.put(m.group(1), m.group(2)) != null) {
                    throw new IllegalArgumentException("second TYPE for " + m.group(1) + " at " + where);
                }
                if (sampled.containsKey(m.group(1))) {
                    throw new IllegalArgumentException("TYPE after samples of " + m.group(1) + " at " + where);
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a sample: " + where);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null && !m.group(3).isEmpty()) {
                Matcher l = LABEL.matcher(m.group(3));
                int at = 0;
                while (at < m.group(3).length()) {
                    if (!l.find(at) || l.start() != at) {
                        throw new IllegalArgumentException("bad label list at " + where);
                    }
                    if (labels.put(l.group(1), unescape(l.group(2))) != null) {
                        throw new IllegalArgumentException("label " + l.group(1) + " twice at " + where);
                    }
                    at = l.end();
                }
            }
            String value = m.group(4);
            double v;
            if (SPECIAL.contains(value)) {
                v = value.equals("NaN") ? Double.NaN : value.startsWith("+") ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            } else {
                try {
                    v = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad value at " + where, e);
                }
            }
            sampled.put(m.group(1), true);
            result.samples.add(new Sample(m.group(1), Map.copyOf(labels), v));
        }
        return result;
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
    }

    /** The value of the one sample named {@code name} whose labels are exactly {@code labels}. */
    double value(String name, Map<String, String> labels) {
        List<Sample> found = samples.stream().filter(s -> s.name.equals(name) && s.labels.equals(labels)).toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples " + name + labels + " in " + samples);
        }
        return found.get(0).value;
    }
}
