package io.ha4j.examples.agent;

import io.ha4j.examples.agent.HaproxyLexer.Line;
import java.time.Duration;
import java.util.List;

/**
 * {@code stats} lines of a proxy section: {@code enable}, {@code uri}, {@code refresh}, {@code auth},
 * {@code admin}, {@code realm}, {@code hide-version}; layout options are warnings, runtime-socket ones errors.
 * {@code stats admin} takes the two conditions HAProxy's configurations use for it, {@code if TRUE} and
 * {@code if LOCALHOST}; any other ACL is an error, since ha4j has no ACL engine to evaluate it.
 */
final class HaproxyStatsSection {

    private final Diagnostics diagnostics;
    private final Values values;

    HaproxyStatsSection(HaproxySyntax syntax) {
        this.diagnostics = syntax.diagnostics;
        this.values = syntax.values;
    }

    void parse(HaproxyProxyDraft p, Line line) {
        List<String> a = line.args();
        if (a.isEmpty()) {
            diagnostics.error(line, "needs a stats directive");
            return;
        }
        String keyword = "stats " + a.get(0);
        switch (a.get(0)) {
            case "enable" -> p.statsEnabled = line.origin();
            case "uri" -> {
                if (a.size() != 2 || !a.get(1).startsWith("/")) {
                    diagnostics.error(line.file(), line.line(), keyword, "needs one path starting with '/'");
                } else {
                    p.statsUri = a.get(1);
                    p.statsEnabled = p.statsEnabled == null ? line.origin() : p.statsEnabled;
                }
            }
            case "refresh" -> {
                if (a.size() != 2) {
                    diagnostics.error(line.file(), line.line(), keyword, "needs one time");
                } else {
                    values.haproxyTime(line.origin(), keyword, a.get(1), Duration.ofSeconds(1), Duration.ofDays(1))
                            .ifPresent(d -> p.statsRefresh = d);
                }
            }
            case "auth" -> {
                if (a.size() != 2 || !a.get(1).contains(":")) {
                    diagnostics.error(line.file(), line.line(), keyword, "is 'stats auth USER:PASSWORD'");
                } else {
                    p.statsAuth.add(a.get(1));
                }
            }
            case "admin" -> {
                if (a.size() == 3 && a.get(1).equals("if") && (a.get(2).equals("TRUE") || a.get(2).equals("LOCALHOST"))) {
                    p.statsAdmin = List.copyOf(a.subList(1, a.size()));
                } else {
                    diagnostics.error(line.file(), line.line(), keyword, "ha4j supports 'stats admin if TRUE' (actions from "
                            + "every client that passes 'stats auth') and 'stats admin if LOCALHOST' (from loopback clients "
                            + "only); 'stats " + String.join(" ", a) + "' is not supported");
                }
            }
            case "realm" -> {
                if (a.size() != 2) {
                    diagnostics.error(line.file(), line.line(), keyword, "needs one word (escape blanks with '\\ ')");
                } else {
                    p.statsRealm = a.get(1);
                }
            }
            case "hide-version" -> p.statsHideVersion = true;
            case "show-legends", "show-node", "show-desc", "show-modules" ->
                    diagnostics.warn(line.file(), line.line(), keyword, "ha4j's stats page has a fixed layout; ignored");
            case "socket", "timeout", "bind-process", "maxconn" -> diagnostics.error(line.file(), line.line(), keyword,
                    "belongs in the global section (and the runtime socket is not supported)");
            default -> diagnostics.error(line.file(), line.line(), keyword, "unknown or unsupported stats directive");
        }
    }
}
