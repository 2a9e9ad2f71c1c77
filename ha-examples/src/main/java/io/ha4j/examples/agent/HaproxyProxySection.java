package io.ha4j.examples.agent;

import io.ha4j.examples.agent.HaproxyCheckSection.CheckKind;
import io.ha4j.examples.agent.HaproxyCheckSection.CheckOption;
import io.ha4j.examples.agent.HaproxyConfig.Balance;
import io.ha4j.examples.agent.HaproxyConfig.Bind;
import io.ha4j.examples.agent.HaproxyLexer.Line;
import io.ha4j.examples.agent.HaproxyProxyDraft.Kind;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The lines of a {@code defaults}, {@code frontend}, {@code backend} or {@code listen} section: each keyword
 * fills the section's {@link HaproxyProxyDraft}; {@code server}, {@code http-check} and {@code stats} lines go
 * to their own section parsers.
 */
final class HaproxyProxySection {

    private static final String L4_ONLY = "ha4j balances at layer 4 (mode tcp) and writes no HAProxy logs; ignored";

    /** Options accepted with a warning. */
    private static final Map<String, String> OPTION_IGNORED = Map.ofEntries(
            Map.entry("httplog", L4_ONLY),
            Map.entry("dontlognull", L4_ONLY),
            Map.entry("log-health-checks", "health changes are logged through slf4j by ha4j anyway; ignored"),
            Map.entry("http-server-close", "an HTTP-mode option; " + L4_ONLY),
            Map.entry("http-keep-alive", "an HTTP-mode option; " + L4_ONLY),
            Map.entry("httpclose", "an HTTP-mode option; " + L4_ONLY),
            Map.entry("forwardfor", "an HTTP-mode option (HAProxy ignores it in mode tcp too); " + L4_ONLY),
            Map.entry("splice-auto", "ha4j relays through Netty; ignored"),
            Map.entry("splice-request", "ha4j relays through Netty; ignored"),
            Map.entry("splice-response", "ha4j relays through Netty; ignored"));

    private static final Duration MAX_TIME = Duration.ofMillis(Integer.MAX_VALUE);

    private final HaproxySyntax syntax;
    private final Diagnostics diagnostics;
    private final Values values;
    private final HaproxyServerSection servers;
    private final HaproxyCheckSection checks;
    private final HaproxyStatsSection stats;

    HaproxyProxySection(HaproxySyntax syntax, HaproxyServerSection servers, HaproxyCheckSection checks) {
        this.syntax = syntax;
        this.diagnostics = syntax.diagnostics;
        this.values = syntax.values;
        this.servers = servers;
        this.checks = checks;
        this.stats = new HaproxyStatsSection(syntax);
    }

    /** One line of a defaults, frontend, backend or listen section. */
    void keyword(HaproxyProxyDraft p, Line line) {
        String k = line.keyword();
        List<String> a = line.args();
        switch (k) {
            case "mode" -> {
                if (diagnostics.expectArgs(line, 1)) {
                    String mode = a.get(0);
                    if (!mode.equals("tcp") && !mode.equals("http")) {
                        diagnostics.error(line, "must be tcp or http, was '" + mode + "'");
                    } else {
                        p.mode = mode;
                        p.modeOrigin = line.origin();
                    }
                }
            }
            case "log" -> diagnostics.warn(line, "ha4j logs through slf4j; ignored");
            case "description" -> diagnostics.warn(line, "ignored");
            case "errorfile" -> diagnostics.warn(line, "HTTP error pages only exist in mode http; ignored");
            case "option" -> option(p, line, false);
            case "no" -> {
                if (a.size() == 2 && a.get(0).equals("option")) {
                    option(p, new Line(line.file(), line.line(), List.of("option", a.get(1))), true);
                } else {
                    diagnostics.error(line, "only 'no option NAME' is supported");
                }
            }
            case "timeout" -> timeout(p, line);
            case "retries" -> {
                if (diagnostics.expectArgs(line, 1)) {
                    p.retries = values.integer(line.origin(), k, a.get(0), 0, 100).orElse(p.retries);
                }
            }
            case "maxconn" -> {
                if (syntax.allowedIn(p, line, Kind.DEFAULTS, Kind.FRONTEND, Kind.LISTEN) && diagnostics.expectArgs(line, 1)) {
                    OptionalInt v = values.integer(line.origin(), k, a.get(0), 1, Integer.MAX_VALUE);
                    p.maxConn = v.isPresent() ? v : p.maxConn;
                }
            }
            case "balance" -> {
                if (syntax.allowedIn(p, line, Kind.DEFAULTS, Kind.BACKEND, Kind.LISTEN) && diagnostics.expectArgs(line, 1)) {
                    balance(p, line);
                }
            }
            case "bind" -> {
                if (syntax.allowedIn(p, line, Kind.FRONTEND, Kind.LISTEN)) {
                    bind(p, line);
                }
            }
            case "default_backend" -> {
                if (syntax.allowedIn(p, line, Kind.DEFAULTS, Kind.FRONTEND, Kind.LISTEN) && diagnostics.expectArgs(line, 1)) {
                    p.defaultBackend = a.get(0);
                    p.defaultBackendOrigin = line.origin();
                }
            }
            case "use_backend" -> diagnostics.error(line, "content switching is not supported; ha4j sends every connection to default_backend");
            case "server" -> {
                if (syntax.allowedIn(p, line, Kind.BACKEND, Kind.LISTEN)) {
                    servers.server(p, line);
                }
            }
            case "default-server" -> {
                if (syntax.allowedIn(p, line, Kind.DEFAULTS, Kind.BACKEND, Kind.LISTEN)) {
                    servers.serverParams(p.defaultServer, line, 0);
                }
            }
            case "http-check" -> checks.httpCheck(p, line);
            case "tcp-check" -> {
                if (a.size() != 1 || !a.get(0).equals("connect")) { // a bare connect is the implicit first rule anyway
                    diagnostics.error(line, "tcp-check rules other than a bare 'tcp-check connect' are not supported; "
                            + "use option httpchk with http-check rules, or a plain check");
                }
            }
            case "stats" -> stats.parse(p, line);
            default -> diagnostics.error(line, "unknown or unsupported keyword in " + HaproxySyntax.sectionName(p.kind));
        }
    }

    private void option(HaproxyProxyDraft p, Line line, boolean negated) {
        List<String> a = line.args();
        if (a.isEmpty()) {
            diagnostics.error(line, "needs an option name");
            return;
        }
        String name = a.get(0);
        String keyword = "option " + name;
        if (OPTION_IGNORED.containsKey(name)) {
            diagnostics.warn(line.file(), line.line(), keyword, OPTION_IGNORED.get(name));
            return;
        }
        if (negated && !Set.of("redispatch", "allbackups", "tcplog").contains(name)) {
            diagnostics.error(line.file(), line.line(), "no " + keyword, "only 'no option redispatch|allbackups|tcplog' are supported");
            return;
        }
        switch (name) {
            case "redispatch" -> {
                if (a.size() > 2) {
                    diagnostics.error(line.file(), line.line(), keyword, "takes at most an interval");
                } else if (a.size() == 2 && !a.get(1).equals("-1") && !a.get(1).equals("1")) {
                    diagnostics.error(line.file(), line.line(), keyword, "only the default interval (-1: redispatch on the last retry) "
                            + "and 1 are supported, was '" + a.get(1) + "'");
                } else {
                    p.redispatch = !negated;
                }
            }
            case "allbackups" -> p.allBackups = !negated;
            case "tcplog" -> {
                if (syntax.allowedIn(p, line, keyword, Kind.DEFAULTS, Kind.FRONTEND, Kind.LISTEN) && syntax.noMore(line, keyword, 1)) {
                    p.tcpLog = !negated;
                }
            }
            case "httpchk" -> {
                if (!syntax.allowedIn(p, line, keyword, Kind.DEFAULTS, Kind.BACKEND, Kind.LISTEN)) {
                    return;
                }
                List<String> rest = a.subList(1, a.size());
                if (rest.size() > 3) {
                    diagnostics.error(line.file(), line.line(), keyword, "is 'option httpchk [METHOD] [URI] [VERSION]'");
                    return;
                }
                String method = rest.size() >= 2 ? rest.get(0) : "OPTIONS";
                String uri = rest.size() == 1 ? rest.get(0) : rest.size() >= 2 ? rest.get(1) : "/";
                String version = rest.size() == 3 ? rest.get(2) : "HTTP/1.0";
                if (version.contains("\r") || version.contains("\n")) {
                    diagnostics.error(line.file(), line.line(), keyword, "headers smuggled into the version ('\\r\\n') are not supported; "
                            + "use 'http-check send hdr Host NAME'");
                    return;
                }
                p.setCheckOption(new CheckOption(CheckKind.HTTPCHK, line.origin(), method, uri, version));
            }
            case "ssl-hello-chk" -> {
                if (syntax.allowedIn(p, line, keyword, Kind.DEFAULTS, Kind.BACKEND, Kind.LISTEN) && syntax.noMore(line, keyword, 1)) {
                    p.setCheckOption(new CheckOption(CheckKind.SSL_HELLO, line.origin(), null, null, null));
                }
            }
            case "tcp-check" -> {
                if (syntax.allowedIn(p, line, keyword, Kind.DEFAULTS, Kind.BACKEND, Kind.LISTEN) && syntax.noMore(line, keyword, 1)) {
                    p.setCheckOption(new CheckOption(CheckKind.TCP_CHECK, line.origin(), null, null, null));
                }
            }
            case "mysql-check", "pgsql-check", "redis-check", "smtpchk", "ldap-check", "spop-check" ->
                    diagnostics.error(line.file(), line.line(), keyword, "protocol checks are not supported; use a plain check or option httpchk");
            default -> diagnostics.error(line.file(), line.line(), keyword, "unknown or unsupported option");
        }
    }

    private void timeout(HaproxyProxyDraft p, Line line) {
        List<String> a = line.args();
        if (a.size() != 2) {
            diagnostics.error(line, "is 'timeout NAME TIME'");
            return;
        }
        String name = a.get(0);
        String keyword = "timeout " + name;
        if (Set.of("http-request", "http-keep-alive", "tarpit").contains(name)) {
            diagnostics.warn(line.file(), line.line(), keyword, "an HTTP-mode timeout; ha4j balances at layer 4; ignored");
            return;
        }
        if (!Set.of("connect", "client", "server", "tunnel", "client-fin", "server-fin", "queue", "check").contains(name)) {
            diagnostics.error(line.file(), line.line(), keyword, "unknown or unsupported timeout");
            return;
        }
        Optional<Duration> v = values.haproxyTime(line.origin(), keyword, a.get(1), Duration.ofMillis(1), MAX_TIME);
        if (v.isPresent()) {
            p.timeouts.put(name, v.get());
        }
    }

    private void balance(HaproxyProxyDraft p, Line line) {
        String algo = line.args().get(0);
        Balance b = switch (algo) {
            case "roundrobin" -> Balance.ROUNDROBIN;
            case "static-rr" -> Balance.STATIC_RR;
            case "leastconn" -> Balance.LEASTCONN;
            case "source" -> Balance.SOURCE;
            case "random" -> Balance.RANDOM;
            case "first" -> Balance.FIRST;
            default -> null;
        };
        if (b == null) {
            diagnostics.error(line, "algorithm '" + algo + "' is not supported (roundrobin, static-rr, leastconn, source, random, first)");
        } else {
            p.balance = b;
        }
    }

    private void bind(HaproxyProxyDraft p, Line line) {
        List<String> a = line.args();
        if (a.isEmpty()) {
            diagnostics.error(line, "needs an address:port");
            return;
        }
        if (a.size() > 1) {
            diagnostics.error(line, "bind option '" + a.get(1) + "' is not supported (ha4j neither terminates TLS nor binds with options)");
            return;
        }
        for (String spec : a.get(0).split(",")) {
            parseBind(line, spec).ifPresent(p.binds::add);
        }
    }

    private Optional<Bind> parseBind(Line line, String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon < 0) {
            diagnostics.error(line, "'" + spec + "' has no port; write ADDRESS:PORT or *:PORT" + Values.placeholderHint(spec));
            return Optional.empty();
        }
        String host = spec.substring(0, colon);
        String portText = spec.substring(colon + 1);
        OptionalInt port = values.integer(line.origin(), "bind", portText, 1, 65535);
        if (port.isEmpty()) {
            return Optional.empty();
        }
        if (host.isEmpty() || host.equals("*")) {
            return Optional.of(new Bind(line.origin(), Optional.empty(), port.getAsInt()));
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        Optional<InetAddress> address = values.address(line.origin(), "bind", host);
        return address.map(ad -> new Bind(line.origin(), Optional.of(ad), port.getAsInt()));
    }
}
