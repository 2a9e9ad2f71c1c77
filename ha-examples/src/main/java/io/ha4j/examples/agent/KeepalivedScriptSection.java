package io.ha4j.examples.agent;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A {@code vrrp_script NAME { ... }} block: {@code script}, {@code interval}, {@code timeout},
 * {@code weight [reverse]}, {@code rise}, {@code fall}, {@code init_fail}; {@code user} is accepted with a
 * warning. Defaults as keepalived's: interval 1s, timeout = interval, weight 0, rise and fall 1.
 */
final class KeepalivedScriptSection {

    private static final Map<String, String> SCRIPT_IGNORED = Map.of(
            "user", "ha4j runs scripts as the agent's own user");

    private final KeepalivedSyntax syntax;
    private final Diagnostics diagnostics;
    private final Values values;

    KeepalivedScriptSection(KeepalivedSyntax syntax) {
        this.syntax = syntax;
        this.diagnostics = syntax.diagnostics;
        this.values = syntax.values;
    }

    Optional<KeepalivedConfig.Script> parse(KeepalivedStatement block, String name) {
        String command = null;
        Duration interval = Duration.ofSeconds(1);
        Duration timeout = null;
        int weight = 0;
        boolean reverse = false;
        int rise = 1;
        int fall = 1;
        Optional<String> user = Optional.empty();
        boolean initFail = false;
        boolean ok = true;
        KeepalivedSyntax.Seen seen = syntax.newSeen();
        for (KeepalivedStatement st : block.block()) {
            String k = st.keyword();
            seen.check(st);
            if (SCRIPT_IGNORED.containsKey(k)) {
                diagnostics.warn(st, "ignored: " + SCRIPT_IGNORED.get(k));
                if (k.equals("user") && !st.args().isEmpty()) {
                    user = Optional.of(st.args().get(0));
                }
                continue;
            }
            switch (k) {
                case "script" -> {
                    if (st.args().isEmpty()) {
                        diagnostics.error(st, "needs the command to run");
                        ok = false;
                    } else {
                        // keepalived accepts the command quoted as one word or unquoted as several
                        command = String.join(" ", st.args());
                    }
                }
                case "interval" -> {
                    if (syntax.args(st, 1)) {
                        Optional<Duration> v = values.seconds(st.origin(), k, st.args().get(0), Duration.ofMillis(10), KeepalivedParser.MAX_INTERVAL);
                        ok &= v.isPresent();
                        interval = v.orElse(interval);
                    }
                }
                case "timeout" -> {
                    if (syntax.args(st, 1)) {
                        Optional<Duration> v = values.seconds(st.origin(), k, st.args().get(0), Duration.ofMillis(1), KeepalivedParser.MAX_INTERVAL);
                        ok &= v.isPresent();
                        timeout = v.orElse(null);
                    }
                }
                case "weight" -> {
                    if (st.args().size() == 2 && st.args().get(1).equals("reverse")) {
                        reverse = true;
                    } else if (!syntax.args(st, 1)) {
                        ok = false;
                        continue;
                    }
                    OptionalInt v = values.integer(st.origin(), k, st.args().get(0), -253, 253);
                    ok &= v.isPresent();
                    weight = v.orElse(weight);
                }
                case "rise", "fall" -> {
                    if (syntax.args(st, 1)) {
                        OptionalInt v = values.integer(st.origin(), k, st.args().get(0), 1, 1000);
                        ok &= v.isPresent();
                        if (k.equals("rise")) {
                            rise = v.orElse(rise);
                        } else {
                            fall = v.orElse(fall);
                        }
                    }
                }
                case "init_fail" -> {
                    if (syntax.args(st, 0)) {
                        initFail = true;
                    }
                }
                default -> {
                    diagnostics.error(st, "unknown or unsupported keyword in vrrp_script");
                    ok = false;
                }
            }
        }
        if (command == null) {
            diagnostics.error(block, "vrrp_script '" + name + "' has no 'script' to run");
            return Optional.empty();
        }
        if (!ok) {
            return Optional.empty();
        }
        return Optional.of(new KeepalivedConfig.Script(name, block.origin(), command, interval,
                timeout == null ? interval : timeout, weight, reverse, rise, fall, user, initFail));
    }
}
