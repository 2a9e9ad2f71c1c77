package io.ha4j.examples.agent;

import io.ha4j.core.HealthChecker;
import io.ha4j.examples.agent.HaproxyConfig.Server;
import io.ha4j.examples.agent.HaproxyLexer.Line;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * {@code server} and {@code default-server} lines: the address and every server option ha4j knows
 * ({@code check}, {@code inter}, {@code rise}, {@code fall}, {@code weight}, {@code backup}, TLS check
 * options...). A {@code server} starts from the section's {@code default-server} settings, as in HAProxy.
 */
final class HaproxyServerSection {

    private static final Duration MIN_CHECK_INTERVAL = Duration.ofMillis(10);

    private final Diagnostics diagnostics;
    private final Values values;

    HaproxyServerSection(HaproxySyntax syntax) {
        this.diagnostics = syntax.diagnostics;
        this.values = syntax.values;
    }

    /** A {@code server NAME ADDRESS:PORT [options]} line. */
    void server(HaproxyProxyDraft p, Line line) {
        List<String> a = line.args();
        if (a.size() < 2) {
            diagnostics.error(line, "is 'server NAME ADDRESS:PORT [options]'");
            return;
        }
        String name = a.get(0);
        if (p.serverNames.contains(name)) {
            diagnostics.error(line, "a server called '" + name + "' already exists in " + p.name);
            return;
        }
        String spec = a.get(1);
        int colon = spec.lastIndexOf(':');
        if (colon <= 0) {
            diagnostics.error(line, "'" + spec + "' needs a port: ha4j does not reuse the client's destination port" + Values.placeholderHint(spec));
            return;
        }
        String host = spec.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.contains("${") || host.contains("<")) {
            diagnostics.error(line, "'" + host + "' is not an address" + Values.placeholderHint(host));
            return;
        }
        OptionalInt port = values.integer(line.origin(), "server", spec.substring(colon + 1), 1, 65535);
        if (port.isEmpty()) {
            return;
        }
        ServerDraft s = p.defaultServer.copy();
        s.origin = line.origin();
        s.name = name;
        s.host = host;
        s.port = port.getAsInt();
        if (serverParams(s, line, 2)) {
            p.servers.add(s);
            p.serverNames.add(name);
        }
    }

    /** Parses server options from word {@code from} on; false if one was bad (already reported). */
    boolean serverParams(ServerDraft s, Line line, int from) {
        List<String> a = line.args();
        boolean ok = true;
        for (int i = from; i < a.size(); i++) {
            String opt = a.get(i);
            String value = i + 1 < a.size() ? a.get(i + 1) : null;
            Origin at = line.origin();
            String kw = line.keyword() + " " + opt;
            switch (opt) {
                case "check" -> s.check = true;
                case "no-check" -> s.check = false;
                case "backup" -> s.backup = true;
                case "no-backup" -> s.backup = false;
                case "check-ssl" -> s.checkSsl = true;
                case "no-check-ssl" -> s.checkSsl = false;
                case "disabled" -> s.disabled = true;
                case "enabled" -> s.disabled = false;
                case "fall", "rise", "weight", "port", "maxconn", "inter", "fastinter", "downinter", "slowstart", "verify",
                        "maxqueue", "on-marked-down", "on-marked-up", "init-state", "ca-file", "sni", "crt", "resolvers",
                        "cookie", "agent-check", "observe", "error-limit", "on-error", "addr", "source", "track", "id" -> {
                    if (value == null) {
                        diagnostics.error(at.file(), at.line(), kw, "needs a value");
                        return false;
                    }
                    i++;
                    ok &= valuedServerParam(s, at, kw, opt, value);
                }
                case "ssl" -> {
                    diagnostics.error(at.file(), at.line(), kw, "TLS towards the server is not supported: ha4j relays TCP "
                            + "as is (kube-apiserver speaks TLS itself); for TLS health checks use check-ssl");
                    ok = false;
                }
                case "send-proxy", "send-proxy-v2", "send-proxy-v2-ssl" -> {
                    diagnostics.error(at.file(), at.line(), kw, "PROXY protocol is not supported (kube-apiserver does not accept it)");
                    ok = false;
                }
                default -> {
                    diagnostics.error(at.file(), at.line(), kw, "unknown or unsupported server option");
                    ok = false;
                }
            }
        }
        return ok;
    }

    private boolean valuedServerParam(ServerDraft s, Origin at, String kw, String opt, String value) {
        switch (opt) {
            case "fall", "rise" -> {
                OptionalInt v = values.integer(at, kw, value, 1, 1000);
                if (v.isEmpty()) {
                    return false;
                }
                if (opt.equals("fall")) {
                    s.fall = v.getAsInt();
                } else {
                    s.rise = v.getAsInt();
                }
            }
            case "weight" -> {
                OptionalInt v = values.integer(at, kw, value, 0, 256);
                if (v.isEmpty()) {
                    return false;
                }
                s.weight = v.getAsInt();
            }
            case "port" -> {
                OptionalInt v = values.integer(at, kw, value, 1, 65535);
                if (v.isEmpty()) {
                    return false;
                }
                s.checkPort = v;
            }
            case "maxconn" -> {
                OptionalInt v = values.integer(at, kw, value, 1, Integer.MAX_VALUE);
                if (v.isEmpty()) {
                    return false;
                }
                s.maxConn = v;
            }
            case "inter", "fastinter", "downinter" -> {
                Optional<Duration> v = values.haproxyTime(at, kw, value, MIN_CHECK_INTERVAL, Duration.ofHours(1));
                if (v.isEmpty()) {
                    return false;
                }
                switch (opt) {
                    case "inter" -> s.inter = v.get();
                    case "fastinter" -> s.fastInter = v.get();
                    default -> s.downInter = v.get();
                }
            }
            case "slowstart" -> {
                Optional<Duration> v = values.haproxyTime(at, kw, value, Duration.ZERO, Duration.ofHours(1));
                if (v.isEmpty()) {
                    return false;
                }
                s.slowStart = v.get().isZero() ? Optional.empty() : v;
            }
            case "verify" -> {
                switch (value) {
                    case "none" -> s.verifyNone = Boolean.TRUE;
                    case "required" -> s.verifyNone = Boolean.FALSE;
                    default -> {
                        diagnostics.error(at.file(), at.line(), kw, "must be none or required, was '" + value + "'");
                        return false;
                    }
                }
            }
            case "maxqueue" -> diagnostics.warn(at.file(), at.line(), kw, "ha4j does not queue connections; ignored");
            case "on-marked-down" -> {
                if (!value.equals("shutdown-sessions")) {
                    diagnostics.error(at.file(), at.line(), kw, "only shutdown-sessions is known, was '" + value + "'");
                    return false;
                }
                s.shutdownSessionsOnDown = true;
            }
            case "init-state" -> {
                if (!Set.of("fully-up", "up", "down", "fully-down").contains(value)) {
                    diagnostics.error(at.file(), at.line(), kw, "must be fully-up, up, down or fully-down, was '" + value + "'");
                    return false;
                }
                s.initState = HealthChecker.InitialState.valueOf(value.replace('-', '_').toUpperCase(java.util.Locale.ROOT));
            }
            case "cookie" -> diagnostics.warn(at.file(), at.line(), kw, "cookies only exist in mode http; ignored");
            case "ca-file" -> s.caFile = value;
            default -> {
                diagnostics.error(at.file(), at.line(), kw, "server option '" + opt + "' is not supported by ha4j");
                return false;
            }
        }
        return true;
    }

    /** A server line being parsed; also holds default-server settings. */
    static final class ServerDraft {
        Origin origin;
        String name;
        String host;
        int port;
        boolean check;
        Duration inter = Duration.ofSeconds(2);
        Duration fastInter;
        Duration downInter;
        int rise = 2;
        int fall = 3;
        int weight = 1;
        boolean backup;
        boolean checkSsl;
        Boolean verifyNone;
        OptionalInt checkPort = OptionalInt.empty();
        Optional<Duration> slowStart = Optional.empty();
        OptionalInt maxConn = OptionalInt.empty();
        boolean disabled;
        HealthChecker.InitialState initState;
        boolean shutdownSessionsOnDown;
        String caFile;

        ServerDraft copy() {
            ServerDraft c = new ServerDraft();
            c.check = check;
            c.inter = inter;
            c.fastInter = fastInter;
            c.downInter = downInter;
            c.rise = rise;
            c.fall = fall;
            c.weight = weight;
            c.backup = backup;
            c.checkSsl = checkSsl;
            c.verifyNone = verifyNone;
            c.checkPort = checkPort;
            c.slowStart = slowStart;
            c.maxConn = maxConn;
            c.disabled = disabled;
            c.initState = initState;
            c.shutdownSessionsOnDown = shutdownSessionsOnDown;
            c.caFile = caFile;
            return c;
        }

        Server build(boolean effectiveVerifyNone, Optional<Path> resolvedCaFile) {
            return new Server(origin, name, host, port, check, inter, fastInter != null ? fastInter : inter,
                    downInter != null ? downInter : inter, rise, fall, weight, backup, checkSsl, effectiveVerifyNone, resolvedCaFile,
                    checkPort, slowStart, maxConn, disabled, Optional.ofNullable(initState), shutdownSessionsOnDown);
        }
    }
}
