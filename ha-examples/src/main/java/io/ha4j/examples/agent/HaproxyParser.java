package io.ha4j.examples.agent;

import io.ha4j.core.HealthChecker;
import io.ha4j.examples.agent.HaproxyConfig.Backend;
import io.ha4j.examples.agent.HaproxyConfig.Balance;
import io.ha4j.examples.agent.HaproxyConfig.Bind;
import io.ha4j.examples.agent.HaproxyConfig.CheckSpec;
import io.ha4j.examples.agent.HaproxyConfig.Frontend;
import io.ha4j.examples.agent.HaproxyConfig.Header;
import io.ha4j.examples.agent.HaproxyConfig.Server;
import io.ha4j.examples.agent.HaproxyConfig.StatusRange;
import io.ha4j.examples.agent.HaproxyLexer.Line;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads an {@code haproxy.cfg} into an {@link HaproxyConfig}.
 *
 * <p>Supported: {@code global} ({@code maxconn}, {@code ssl-server-verify}; process, logging and TLS-default
 * keywords are warnings), {@code defaults}, {@code frontend}, {@code backend} and {@code listen} in
 * {@code mode tcp} ({@code bind}, {@code default_backend}, {@code balance}, {@code server},
 * {@code default-server}, {@code retries}, {@code maxconn}, {@code option redispatch|allbackups|httpchk|
 * ssl-hello-chk|tcp-check}, {@code http-check connect|send|expect status}, {@code timeout
 * connect|client|server|tunnel|client-fin|server-fin|queue|check}), and a {@code listen} section serving the
 * stats page ({@code stats enable|uri|refresh|auth|admin|realm|hide-version}).
 *
 * <p>HAProxy semantics kept: every {@code defaults} section starts from scratch and proxies take the one
 * above them; among {@code option httpchk}, {@code option ssl-hello-chk} and {@code option tcp-check} the
 * last one wins (so {@code option httpchk GET /healthz} followed by {@code option ssl-hello-chk} never
 * requests {@code /healthz}: a warning says so); {@code http-check} rules only apply with
 * {@code option httpchk}; TLS checks without {@code verify none} need a {@code ca-file}, as HAProxy refuses
 * them otherwise.
 *
 * <p>Not supported (errors): {@code mode http} proxies (ha4j balances at layer 4), TLS termination on
 * {@code bind}, TLS towards servers ({@code ssl}), ACL-based routing ({@code use_backend}), PROXY protocol,
 * {@code tcp-check} rules and other sections (peers, resolvers, userlist...).
 */
public final class HaproxyParser {

    private static final String L4_ONLY = "ha4j balances at layer 4 (mode tcp) and writes no HAProxy logs; ignored";
    private static final String PROCESS = "concerns HAProxy's own process; ha4j runs inside this JVM; ignored";

    /** global keywords accepted with a warning. */
    private static final Map<String, String> GLOBAL_IGNORED = Map.ofEntries(
            Map.entry("log", "ha4j logs through slf4j; ignored"),
            Map.entry("log-send-hostname", "ha4j logs through slf4j; ignored"),
            Map.entry("chroot", PROCESS),
            Map.entry("pidfile", PROCESS),
            Map.entry("user", PROCESS),
            Map.entry("group", PROCESS),
            Map.entry("uid", PROCESS),
            Map.entry("gid", PROCESS),
            Map.entry("daemon", PROCESS),
            Map.entry("master-worker", PROCESS),
            Map.entry("nbthread", "ha4j sizes its Netty event loops itself; ignored"),
            Map.entry("stats", "the runtime API socket is not offered; use the TcpBalancer admin API or a stats page; ignored"),
            Map.entry("crt-base", "only used by TLS termination, which ha4j does not do; ignored"),
            Map.entry("ssl-default-bind-ciphers", "only used by TLS termination, which ha4j does not do; ignored"),
            Map.entry("ssl-default-bind-ciphersuites", "only used by TLS termination, which ha4j does not do; ignored"),
            Map.entry("ssl-default-bind-options", "only used by TLS termination, which ha4j does not do; ignored"),
            Map.entry("ssl-default-server-ciphers", "TLS health checks use the JDK's defaults; ignored"),
            Map.entry("ssl-default-server-ciphersuites", "TLS health checks use the JDK's defaults; ignored"),
            Map.entry("ssl-default-server-options", "TLS health checks use the JDK's defaults; ignored"),
            Map.entry("tune.ssl.default-dh-param", "only used by TLS termination, which ha4j does not do; ignored"));

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

    private static final Set<String> SECTIONS = Set.of("global", "defaults", "frontend", "backend", "listen", "userlist",
            "peers", "resolvers", "mailers", "cache", "program", "http-errors", "ring", "crt-store", "traces", "log-forward");

    private static final Duration MIN_CHECK_INTERVAL = Duration.ofMillis(10);
    private static final Duration MAX_TIME = Duration.ofMillis(Integer.MAX_VALUE);

    private final String file;
    private final Diagnostics diagnostics;
    private final Values values;

    private Integer globalMaxConn;
    private boolean globalVerifyNone;
    private Duration hardStopAfter;
    private Path caBase;
    private Origin caBaseOrigin;
    private Draft defaults;
    private final List<Draft> proxies = new ArrayList<>();

    private HaproxyParser(String file, Diagnostics diagnostics) {
        this.file = file;
        this.diagnostics = diagnostics;
        this.values = new Values(diagnostics);
        this.defaults = new Draft(Kind.DEFAULTS, "", new Origin(file, 0));
    }

    /** Parses {@code file}, expanding {@code "${NAME}"} from the process environment. */
    public static HaproxyConfig parse(Path file, Diagnostics diagnostics) {
        List<String> text;
        try {
            text = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            diagnostics.error(file.toString(), 0, "file", "cannot read: " + e);
            return new HaproxyConfig(file.toString(), HaproxyConfig.Global.DEFAULTS, List.of(), List.of(), List.of());
        }
        return parse(file.toString(), String.join("\n", text), System.getenv(), diagnostics);
    }

    /** Parses {@code text} as if it were a file called {@code name}, expanding {@code "${NAME}"} from {@code environment}. */
    public static HaproxyConfig parse(String name, String text, Map<String, String> environment, Diagnostics diagnostics) {
        HaproxyParser parser = new HaproxyParser(name, diagnostics);
        return parser.build(HaproxyLexer.lines(name, text.lines().toList(), environment, diagnostics));
    }

    private enum Kind { GLOBAL, DEFAULTS, FRONTEND, BACKEND, LISTEN, IGNORED }

    private HaproxyConfig build(List<Line> lines) {
        Kind section = null;
        Draft current = null;
        for (Line line : lines) {
            String k = line.keyword();
            if (SECTIONS.contains(k)) {
                section = startSection(line);
                current = switch (section) {
                    case DEFAULTS -> {
                        defaults = new Draft(Kind.DEFAULTS, line.args().isEmpty() ? "" : line.args().get(0), line.origin());
                        yield defaults;
                    }
                    case FRONTEND, BACKEND, LISTEN -> {
                        Draft d = defaults.copyFor(section, line.args().get(0), line.origin());
                        proxies.add(d);
                        yield d;
                    }
                    default -> null;
                };
                continue;
            }
            if (section == null) {
                error(line, "keyword outside of any section (global, defaults, frontend, backend, listen)");
            } else if (section == Kind.GLOBAL) {
                global(line);
            } else if (section != Kind.IGNORED) {
                proxyKeyword(current, line);
            }
        }
        return finish();
    }

    private Kind startSection(Line line) {
        String k = line.keyword();
        switch (k) {
            case "global" -> {
                if (!line.args().isEmpty()) {
                    error(line, "takes no argument");
                }
                return Kind.GLOBAL;
            }
            case "defaults" -> {
                if (line.args().size() > 1 && !(line.args().size() == 3 && line.args().get(1).equals("from"))) {
                    error(line, "takes at most a name");
                } else if (line.args().size() == 3) {
                    error(line, "'defaults ... from' is not supported");
                }
                return Kind.DEFAULTS;
            }
            case "frontend", "backend", "listen" -> {
                if (line.args().isEmpty()) {
                    error(line, "needs a name");
                    return Kind.IGNORED;
                }
                if (line.args().size() > 1) {
                    error(line, "takes only a name (the 'listen NAME ADDR:PORT' form is not supported; use 'bind')");
                    return Kind.IGNORED;
                }
                String name = line.args().get(0);
                boolean duplicate = proxies.stream().anyMatch(p -> p.name.equals(name)
                        && (p.kind == Kind.LISTEN || k.equals("listen") || p.kind.name().equalsIgnoreCase(k)));
                if (duplicate) {
                    error(line, "a proxy called '" + name + "' is already defined");
                    return Kind.IGNORED;
                }
                return Kind.valueOf(k.toUpperCase(java.util.Locale.ROOT));
            }
            default -> {
                error(line, "the '" + k + "' section is not supported by ha4j; its lines are skipped");
                return Kind.IGNORED;
            }
        }
    }

    private void global(Line line) {
        String k = line.keyword();
        if (GLOBAL_IGNORED.containsKey(k)) {
            warn(line, GLOBAL_IGNORED.get(k));
            return;
        }
        switch (k) {
            case "maxconn" -> {
                if (args(line, 1)) {
                    OptionalInt v = values.integer(line.origin(), k, line.args().get(0), 1, Integer.MAX_VALUE);
                    if (v.isPresent()) {
                        globalMaxConn = v.getAsInt();
                    }
                }
            }
            case "ca-base" -> {
                if (args(line, 1)) {
                    caBase = Path.of(line.args().get(0));
                    caBaseOrigin = line.origin();
                }
            }
            case "hard-stop-after" -> {
                if (args(line, 1)) {
                    values.haproxyTime(line.origin(), k, line.args().get(0), Duration.ZERO, Duration.ofHours(1))
                            .ifPresent(d -> hardStopAfter = d);
                }
            }
            case "ssl-server-verify" -> {
                if (args(line, 1)) {
                    switch (line.args().get(0)) {
                        case "none" -> globalVerifyNone = true;
                        case "required" -> globalVerifyNone = false;
                        default -> error(line, "must be none or required, was '" + line.args().get(0) + "'");
                    }
                }
            }
            default -> error(line, "unknown or unsupported keyword in global");
        }
    }

    private void proxyKeyword(Draft p, Line line) {
        String k = line.keyword();
        List<String> a = line.args();
        switch (k) {
            case "mode" -> {
                if (args(line, 1)) {
                    String mode = a.get(0);
                    if (!mode.equals("tcp") && !mode.equals("http")) {
                        error(line, "must be tcp or http, was '" + mode + "'");
                    } else {
                        p.mode = mode;
                        p.modeOrigin = line.origin();
                    }
                }
            }
            case "log" -> warn(line, "ha4j logs through slf4j; ignored");
            case "description" -> warn(line, "ignored");
            case "errorfile" -> warn(line, "HTTP error pages only exist in mode http; ignored");
            case "option" -> option(p, line, false);
            case "no" -> {
                if (a.size() == 2 && a.get(0).equals("option")) {
                    option(p, new Line(line.file(), line.line(), List.of("option", a.get(1))), true);
                } else {
                    error(line, "only 'no option NAME' is supported");
                }
            }
            case "timeout" -> timeout(p, line);
            case "retries" -> {
                if (args(line, 1)) {
                    p.retries = values.integer(line.origin(), k, a.get(0), 0, 100).orElse(p.retries);
                }
            }
            case "maxconn" -> {
                if (allowedIn(p, line, Kind.DEFAULTS, Kind.FRONTEND, Kind.LISTEN) && args(line, 1)) {
                    OptionalInt v = values.integer(line.origin(), k, a.get(0), 1, Integer.MAX_VALUE);
                    p.maxConn = v.isPresent() ? v : p.maxConn;
                }
            }
            case "balance" -> {
                if (allowedIn(p, line, Kind.DEFAULTS, Kind.BACKEND, Kind.LISTEN) && args(line, 1)) {
                    balance(p, line);
                }
            }
            case "bind" -> {
                if (allowedIn(p, line, Kind.FRONTEND, Kind.LISTEN)) {
                    bind(p, line);
                }
            }
            case "default_backend" -> {
                if (allowedIn(p, line, Kind.DEFAULTS, Kind.FRONTEND, Kind.LISTEN) && args(line, 1)) {
                    p.defaultBackend = a.get(0);
                    p.defaultBackendOrigin = line.origin();
                }
            }
            case "use_backend" -> error(line, "content switching is not supported; ha4j sends every connection to default_backend");
            case "server" -> {
                if (allowedIn(p, line, Kind.BACKEND, Kind.LISTEN)) {
                    server(p, line);
                }
            }
            case "default-server" -> {
                if (allowedIn(p, line, Kind.DEFAULTS, Kind.BACKEND, Kind.LISTEN)) {
                    serverParams(p.defaultServer, line, 0);
                }
            }
            case "http-check" -> httpCheck(p, line);
            case "tcp-check" -> {
                if (a.size() != 1 || !a.get(0).equals("connect")) { // a bare connect is the implicit first rule anyway
                    error(line, "tcp-check rules other than a bare 'tcp-check connect' are not supported; "
                            + "use option httpchk with http-check rules, or a plain check");
                }
            }
            case "stats" -> stats(p, line);
            default -> error(line, "unknown or unsupported keyword in " + p.kind.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private void option(Draft p, Line line, boolean negated) {
        List<String> a = line.args();
        if (a.isEmpty()) {
            error(line, "needs an option name");
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
                if (allowedIn(p, line, keyword, Kind.DEFAULTS, Kind.FRONTEND, Kind.LISTEN) && noMore(line, keyword, 1)) {
                    p.tcpLog = !negated;
                }
            }
            case "httpchk" -> {
                if (!allowedIn(p, line, keyword, Kind.DEFAULTS, Kind.BACKEND, Kind.LISTEN)) {
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
                if (allowedIn(p, line, keyword, Kind.DEFAULTS, Kind.BACKEND, Kind.LISTEN) && noMore(line, keyword, 1)) {
                    p.setCheckOption(new CheckOption(CheckKind.SSL_HELLO, line.origin(), null, null, null));
                }
            }
            case "tcp-check" -> {
                if (allowedIn(p, line, keyword, Kind.DEFAULTS, Kind.BACKEND, Kind.LISTEN) && noMore(line, keyword, 1)) {
                    p.setCheckOption(new CheckOption(CheckKind.TCP_CHECK, line.origin(), null, null, null));
                }
            }
            case "mysql-check", "pgsql-check", "redis-check", "smtpchk", "ldap-check", "spop-check" ->
                    diagnostics.error(line.file(), line.line(), keyword, "protocol checks are not supported; use a plain check or option httpchk");
            default -> diagnostics.error(line.file(), line.line(), keyword, "unknown or unsupported option");
        }
    }

    private void timeout(Draft p, Line line) {
        List<String> a = line.args();
        if (a.size() != 2) {
            error(line, "is 'timeout NAME TIME'");
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

    private void balance(Draft p, Line line) {
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
            error(line, "algorithm '" + algo + "' is not supported (roundrobin, static-rr, leastconn, source, random, first)");
        } else {
            p.balance = b;
        }
    }

    private void bind(Draft p, Line line) {
        List<String> a = line.args();
        if (a.isEmpty()) {
            error(line, "needs an address:port");
            return;
        }
        if (a.size() > 1) {
            error(line, "bind option '" + a.get(1) + "' is not supported (ha4j neither terminates TLS nor binds with options)");
            return;
        }
        for (String spec : a.get(0).split(",")) {
            parseBind(line, spec).ifPresent(p.binds::add);
        }
    }

    private Optional<Bind> parseBind(Line line, String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon < 0) {
            error(line, "'" + spec + "' has no port; write ADDRESS:PORT or *:PORT" + Values.placeholderHint(spec));
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

    private void server(Draft p, Line line) {
        List<String> a = line.args();
        if (a.size() < 2) {
            error(line, "is 'server NAME ADDRESS:PORT [options]'");
            return;
        }
        String name = a.get(0);
        if (p.servers.stream().anyMatch(s -> s.name.equals(name))) {
            error(line, "a server called '" + name + "' already exists in " + p.name);
            return;
        }
        String spec = a.get(1);
        int colon = spec.lastIndexOf(':');
        if (colon <= 0) {
            error(line, "'" + spec + "' needs a port: ha4j does not reuse the client's destination port" + Values.placeholderHint(spec));
            return;
        }
        String host = spec.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.contains("${") || host.contains("<")) {
            error(line, "'" + host + "' is not an address" + Values.placeholderHint(host));
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
        }
    }

    /** Parses server options from word {@code from} on; false if one was bad (already reported). */
    private boolean serverParams(ServerDraft s, Line line, int from) {
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

    private void httpCheck(Draft p, Line line) {
        List<String> a = line.args();
        if (!allowedIn(p, line, Kind.DEFAULTS, Kind.BACKEND, Kind.LISTEN)) {
            return;
        }
        if (a.isEmpty()) {
            error(line, "needs connect, send or expect");
            return;
        }
        String keyword = "http-check " + a.get(0);
        switch (a.get(0)) {
            case "connect" -> {
                for (String w : a.subList(1, a.size())) {
                    if (!w.equals("ssl") && !w.equals("default")) {
                        diagnostics.error(line.file(), line.line(), keyword, "only 'http-check connect [ssl]' is supported, not '" + w + "'");
                        return;
                    }
                }
                p.httpConnectSsl = a.contains("ssl") ? line.origin() : null;
                p.httpConnect = line.origin();
            }
            case "send" -> {
                HttpSend send = new HttpSend(line.origin(), null, null, null, new ArrayList<>());
                for (int i = 1; i < a.size(); i++) {
                    String opt = a.get(i);
                    if (opt.equals("hdr") && i + 2 < a.size()) {
                        send.headers.add(new Header(a.get(i + 1), a.get(i + 2)));
                        i += 2;
                        continue;
                    }
                    if (i + 1 >= a.size()) {
                        diagnostics.error(line.file(), line.line(), keyword, "'" + opt + "' needs a value");
                        return;
                    }
                    String value = a.get(++i);
                    switch (opt) {
                        case "meth" -> send = send.withMethod(value);
                        case "uri" -> send = send.withUri(value);
                        case "ver" -> send = send.withVersion(value);
                        default -> {
                            diagnostics.error(line.file(), line.line(), keyword, "'" + opt + "' is not supported (meth, uri, ver, hdr)");
                            return;
                        }
                    }
                }
                p.httpSend = send;
            }
            case "expect" -> {
                if (a.size() != 3 || !a.get(1).equals("status")) {
                    diagnostics.error(line.file(), line.line(), keyword, "only 'http-check expect status CODE[-CODE]' is supported");
                    return;
                }
                statusRange(line, keyword, a.get(2)).ifPresent(r -> {
                    p.httpExpect = r;
                    p.httpExpectOrigin = line.origin();
                });
            }
            case "disable-on-404", "send-state" -> diagnostics.error(line.file(), line.line(), keyword, "not supported by ha4j");
            default -> diagnostics.error(line.file(), line.line(), keyword, "unknown http-check directive");
        }
    }

    private Optional<StatusRange> statusRange(Line line, String keyword, String text) {
        int dash = text.indexOf('-');
        OptionalInt from = values.integer(line.origin(), keyword, dash < 0 ? text : text.substring(0, dash), 100, 599);
        if (from.isEmpty()) {
            return Optional.empty();
        }
        OptionalInt to = dash < 0 ? from : values.integer(line.origin(), keyword, text.substring(dash + 1), from.getAsInt(), 599);
        return to.isEmpty() ? Optional.empty() : Optional.of(new StatusRange(from.getAsInt(), to.getAsInt()));
    }

    private void stats(Draft p, Line line) {
        List<String> a = line.args();
        if (a.isEmpty()) {
            error(line, "needs a stats directive");
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
                if (a.size() < 3 || !(a.get(1).equals("if") || a.get(1).equals("unless"))) {
                    diagnostics.error(line.file(), line.line(), keyword, "is 'stats admin if CONDITION'");
                } else {
                    p.statsAdmin = List.copyOf(a.subList(1, a.size()));
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

    private HaproxyConfig finish() {
        List<Frontend> frontends = new ArrayList<>();
        List<Backend> backends = new ArrayList<>();
        List<HaproxyConfig.Stats> stats = new ArrayList<>();
        for (Draft p : proxies) {
            boolean statsOnly = p.statsEnabled != null && p.servers.isEmpty() && p.kind != Kind.BACKEND;
            if (statsOnly) {
                if (p.kind == Kind.FRONTEND && p.defaultBackendOrigin != null) {
                    diag(p.statsEnabled, "stats", true, "a frontend serving the stats page cannot also forward to a default_backend in ha4j");
                    continue;
                }
                if (p.binds.isEmpty()) {
                    diag(p.origin, p.kind.name().toLowerCase(java.util.Locale.ROOT), true, "the stats page of '" + p.name + "' has no bind");
                    continue;
                }
                stats.add(new HaproxyConfig.Stats(p.name, p.origin, p.binds, p.statsUri == null ? "/haproxy?stats" : p.statsUri,
                        Optional.ofNullable(p.statsRefresh), p.statsAuth, p.statsAdmin, Optional.ofNullable(p.statsRealm),
                        p.statsHideVersion));
                continue;
            }
            if (p.statsEnabled != null) {
                diag(p.statsEnabled, "stats", true, "a stats page is only supported in a listen or frontend section of its own");
            }
            if ("http".equals(p.mode)) {
                diag(p.modeOrigin != null ? p.modeOrigin : p.origin, "mode", true, p.kind.name().toLowerCase(java.util.Locale.ROOT)
                        + " '" + p.name + "' is in mode http" + (p.modeOrigin != null && p.modeOrigin.line() < p.origin.line()
                        ? " (inherited from defaults)" : "") + ": ha4j balances at layer 4; add 'mode tcp'");
                continue;
            }
            if (p.kind == Kind.FRONTEND || p.kind == Kind.LISTEN) {
                frontend(p).ifPresent(frontends::add);
            }
            if (p.kind == Kind.BACKEND || p.kind == Kind.LISTEN) {
                backend(p).ifPresent(backends::add);
            }
        }
        for (Frontend f : frontends) {
            boolean failedAlready = backends.stream().noneMatch(b -> b.name().equals(f.defaultBackend()))
                    && proxies.stream().anyMatch(p -> p.kind != Kind.FRONTEND && p.name.equals(f.defaultBackend()));
            if (!failedAlready && backends.stream().noneMatch(b -> b.name().equals(f.defaultBackend()))) {
                Draft d = proxies.stream().filter(p -> p.kind != Kind.BACKEND && p.name.equals(f.name())).findFirst().orElseThrow();
                Origin at = d.defaultBackendOrigin != null ? d.defaultBackendOrigin : f.origin();
                diag(at, "default_backend", true, "no backend called '" + f.defaultBackend() + "'");
            }
        }
        for (Backend b : backends) {
            if (frontends.stream().noneMatch(f -> f.defaultBackend().equals(b.name()))) {
                diag(b.origin(), "backend", false, "backend '" + b.name() + "' is used by no frontend; ha4j does not run it");
            }
        }
        if (caBaseOrigin != null && backends.stream().flatMap(b -> b.servers().stream()).noneMatch(s -> s.caFile().isPresent())) {
            diag(caBaseOrigin, "ca-base", false, "no server has a ca-file for it to apply to; ignored");
        }
        if (frontends.isEmpty() && stats.isEmpty() && !diagnostics.hasErrors()) {
            diagnostics.warn(file, 0, "frontend", "the configuration defines no frontend; there is nothing to run");
        }
        HaproxyConfig.Global global = new HaproxyConfig.Global(globalMaxConn == null ? OptionalInt.empty() : OptionalInt.of(globalMaxConn),
                Optional.ofNullable(hardStopAfter));
        return new HaproxyConfig(file, global, frontends, backends, stats);
    }

    private Optional<Frontend> frontend(Draft p) {
        if (p.binds.isEmpty()) {
            diag(p.origin, p.kind.name().toLowerCase(java.util.Locale.ROOT), false, "'" + p.name + "' has no bind; it accepts nothing and is not run");
            return Optional.empty();
        }
        String backend = p.defaultBackend;
        if (p.kind == Kind.LISTEN) {
            backend = p.name;
            if (p.defaultBackendOrigin != null && p.defaultBackendOrigin.line() > p.origin.line()) {
                diag(p.defaultBackendOrigin, "default_backend", true, "a listen section forwards to its own servers");
                return Optional.empty();
            }
        } else if (backend == null) {
            diag(p.origin, "frontend", true, "frontend '" + p.name + "' has no default_backend");
            return Optional.empty();
        }
        missingTimeouts(p, "client");
        return Optional.of(new Frontend(p.name, p.origin, p.binds, backend, p.timeoutsRecord(), p.maxConn, p.tcpLog));
    }

    private Optional<Backend> backend(Draft p) {
        missingTimeouts(p, "connect", "server");
        CheckSpec check = effectiveCheck(p);
        List<Server> servers = new ArrayList<>();
        boolean ok = true;
        for (ServerDraft s : p.servers) {
            boolean tlsCheck = s.checkSsl || (check instanceof HaproxyConfig.Http h && h.ssl()) || check instanceof HaproxyConfig.SslHello;
            boolean verifyNone = s.verifyNone != null ? s.verifyNone : globalVerifyNone;
            if (s.check && (s.checkSsl || (check instanceof HaproxyConfig.Http h && h.ssl())) && !verifyNone && s.caFile == null) {
                diag(s.origin, "server " + s.name, true, "a TLS health check verifies the server certificate by default and no "
                        + "ca-file is configured (HAProxy refuses this too); add 'verify none' or 'ssl-server-verify none' in global");
                ok = false;
                continue;
            }
            if (s.check && !tlsCheck && check instanceof HaproxyConfig.Http h && checkPort(s) == 6443) {
                diag(s.origin, "server " + s.name, false, "the HTTP check (" + h.method() + " " + h.uri() + ") goes to port 6443 in "
                        + "clear text; if this is a kube-apiserver, that port speaks only TLS and the check always fails: add "
                        + "'http-check connect ssl' and 'verify none'");
            }
            Optional<Path> caFile = Optional.ofNullable(s.caFile).map(f -> caBase != null ? caBase.resolve(f) : Path.of(f));
            servers.add(s.build(verifyNone, caFile));
        }
        if (!ok) {
            return Optional.empty();
        }
        if (servers.isEmpty()) {
            diag(p.origin, "backend", false, "backend '" + p.name + "' has no server; every connection will be refused");
        }
        return Optional.of(new Backend(p.name, p.origin, p.balance, check, servers, p.retries, p.redispatch, p.allBackups,
                p.timeoutsRecord()));
    }

    private static int checkPort(ServerDraft s) {
        return s.checkPort.isPresent() ? s.checkPort.getAsInt() : s.port;
    }

    /** HAProxy: the last check option wins; http-check rules only count with option httpchk. */
    private CheckSpec effectiveCheck(Draft p) {
        CheckOption last = p.checkOption;
        List<CheckOption> history = p.checkHistory;
        for (int i = 1; i < history.size(); i++) {
            CheckOption earlier = history.get(i - 1);
            CheckOption later = history.get(i);
            if (earlier.kind() == later.kind()) {
                continue;
            }
            StringBuilder m = new StringBuilder();
            m.append("replaces '").append(earlier.describe()).append("' (").append(earlier.origin()).append("): in HAProxy the last ")
                    .append("check option wins");
            if (earlier.kind() == CheckKind.HTTPCHK && later.kind() == CheckKind.SSL_HELLO) {
                m.append(", so ").append(earlier.uri()).append(" is never requested and the check only sees whether the "
                        + "server answers a TLS hello. ha4j does the same (a TLS handshake check). To check the apiserver's "
                        + "health over TLS, write 'option httpchk', 'http-check connect ssl', "
                        + "'http-check send meth GET uri /readyz', 'http-check expect status 200' and 'check verify none' on the "
                        + "servers (/readyz fails as soon as an apiserver shuts down; /healthz does not)");
            } else {
                m.append("; only '").append(later.describe()).append("' is used");
            }
            diag(later.origin(), "option " + later.kind().keyword, false, m.toString());
        }
        List<Origin> httpRules = new ArrayList<>();
        if (p.httpConnect != null) {
            httpRules.add(p.httpConnect);
        }
        if (p.httpSend != null) {
            httpRules.add(p.httpSend.origin());
        }
        if (p.httpExpectOrigin != null) {
            httpRules.add(p.httpExpectOrigin);
        }
        if ((last == null || last.kind() != CheckKind.HTTPCHK) && !httpRules.isEmpty()) {
            for (Origin o : httpRules) {
                diag(o, "http-check", false, "ignored: http-check rules only apply with 'option httpchk', and the effective check "
                        + "of '" + p.name + "' is " + (last == null ? "a plain connect check" : "'" + last.describe() + "' ("
                        + last.origin() + ")") + ", as in HAProxy");
            }
        }
        if (last == null) {
            return new HaproxyConfig.TcpConnect(Optional.empty());
        }
        return switch (last.kind()) {
            case SSL_HELLO -> new HaproxyConfig.SslHello(last.origin());
            case TCP_CHECK -> new HaproxyConfig.TcpConnect(Optional.of(last.origin()));
            case HTTPCHK -> {
                HttpSend send = p.httpSend;
                String method = send != null && send.method() != null ? send.method() : last.method();
                String uri = send != null && send.uri() != null ? send.uri() : last.uri();
                String version = send != null && send.version() != null ? send.version() : last.version();
                List<Header> headers = send != null ? send.headers() : List.of();
                yield new HaproxyConfig.Http(last.origin(), method, uri, version, headers, p.httpConnectSsl != null,
                        Optional.ofNullable(p.httpExpect));
            }
        };
    }

    private void missingTimeouts(Draft p, String... names) {
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (!p.timeouts.containsKey(n) && !(p.timeouts.containsKey("tunnel") && (n.equals("client") || n.equals("server")))) {
                missing.add("timeout " + n);
            }
        }
        if (!missing.isEmpty()) {
            diag(p.origin, p.kind.name().toLowerCase(java.util.Locale.ROOT), false, "'" + p.name + "' sets no " + String.join(", ", missing)
                    + " (HAProxy warns about this as well)" + (missing.contains("timeout connect") ? "; ha4j connects with a 5s timeout" : "")
                    + (missing.size() > (missing.contains("timeout connect") ? 1 : 0) ? "; idle connections are never timed out, as in HAProxy" : ""));
        }
    }

    private boolean allowedIn(Draft p, Line line, Kind... kinds) {
        return allowedIn(p, line, line.keyword(), kinds);
    }

    private boolean allowedIn(Draft p, Line line, String keyword, Kind... kinds) {
        for (Kind k : kinds) {
            if (p.kind == k) {
                return true;
            }
        }
        diagnostics.error(line.file(), line.line(), keyword, "not allowed in a " + p.kind.name().toLowerCase(java.util.Locale.ROOT) + " section");
        return false;
    }

    private boolean args(Line line, int count) {
        if (line.args().size() != count) {
            error(line, "needs exactly " + count + " argument" + (count == 1 ? "" : "s") + ", got " + line.args().size());
            return false;
        }
        return true;
    }

    private boolean noMore(Line line, String keyword, int count) {
        if (line.args().size() > count) {
            diagnostics.error(line.file(), line.line(), keyword, "takes no argument");
            return false;
        }
        return true;
    }

    private void error(Line line, String message) {
        diagnostics.error(line.file(), line.line(), line.keyword(), message);
    }

    private void warn(Line line, String message) {
        diagnostics.warn(line.file(), line.line(), line.keyword(), message);
    }

    private void diag(Origin at, String keyword, boolean error, String message) {
        if (error) {
            diagnostics.error(at.file(), at.line(), keyword, message);
        } else {
            diagnostics.warn(at.file(), at.line(), keyword, message);
        }
    }

    private enum CheckKind {
        HTTPCHK("httpchk"), SSL_HELLO("ssl-hello-chk"), TCP_CHECK("tcp-check");

        final String keyword;

        CheckKind(String keyword) {
            this.keyword = keyword;
        }
    }

    private record CheckOption(CheckKind kind, Origin origin, String method, String uri, String version) {
        String describe() {
            return kind == CheckKind.HTTPCHK ? "option httpchk " + method + " " + uri : "option " + kind.keyword;
        }
    }

    private record HttpSend(Origin origin, String method, String uri, String version, List<Header> headers) {
        HttpSend withMethod(String m) {
            return new HttpSend(origin, m, uri, version, headers);
        }

        HttpSend withUri(String u) {
            return new HttpSend(origin, method, u, version, headers);
        }

        HttpSend withVersion(String v) {
            return new HttpSend(origin, method, uri, v, headers);
        }
    }

    /** A server line being parsed; also holds default-server settings. */
    private static final class ServerDraft {
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

    /** A proxy section (or defaults) being parsed. */
    private static final class Draft {
        final Kind kind;
        final String name;
        final Origin origin;
        String mode = "tcp";
        Origin modeOrigin;
        final Map<String, Duration> timeouts = new LinkedHashMap<>();
        int retries = 3;
        boolean redispatch;
        boolean allBackups;
        Balance balance = Balance.ROUNDROBIN;
        OptionalInt maxConn = OptionalInt.empty();
        String defaultBackend;
        Origin defaultBackendOrigin;
        final List<Bind> binds = new ArrayList<>();
        final List<ServerDraft> servers = new ArrayList<>();
        ServerDraft defaultServer = new ServerDraft();
        CheckOption checkOption;
        final List<CheckOption> checkHistory = new ArrayList<>();
        Origin httpConnect;
        Origin httpConnectSsl;
        HttpSend httpSend;
        StatusRange httpExpect;
        Origin httpExpectOrigin;
        Origin statsEnabled;
        String statsUri;
        Duration statsRefresh;
        final List<String> statsAuth = new ArrayList<>();
        List<String> statsAdmin = List.of();
        String statsRealm;
        boolean statsHideVersion;
        boolean tcpLog;

        Draft(Kind kind, String name, Origin origin) {
            this.kind = kind;
            this.name = name;
            this.origin = origin;
        }

        void setCheckOption(CheckOption option) {
            checkOption = option;
            checkHistory.add(option);
        }

        /** A proxy starting from these defaults (HAProxy copies the defaults section into each proxy). */
        Draft copyFor(Kind proxyKind, String proxyName, Origin proxyOrigin) {
            Draft d = new Draft(proxyKind, proxyName, proxyOrigin);
            d.mode = mode;
            d.modeOrigin = modeOrigin;
            d.timeouts.putAll(timeouts);
            d.retries = retries;
            d.redispatch = redispatch;
            d.allBackups = allBackups;
            d.tcpLog = tcpLog;
            d.balance = balance;
            d.maxConn = maxConn;
            if (proxyKind != Kind.BACKEND) {
                d.defaultBackend = defaultBackend;
                d.defaultBackendOrigin = defaultBackendOrigin;
            }
            d.defaultServer = defaultServer.copy();
            d.checkOption = checkOption;
            d.checkHistory.addAll(checkHistory);
            d.httpConnect = httpConnect;
            d.httpConnectSsl = httpConnectSsl;
            d.httpSend = httpSend;
            d.httpExpect = httpExpect;
            d.httpExpectOrigin = httpExpectOrigin;
            d.statsEnabled = statsEnabled;
            d.statsUri = statsUri;
            d.statsRefresh = statsRefresh;
            d.statsAuth.addAll(statsAuth);
            d.statsAdmin = statsAdmin;
            d.statsRealm = statsRealm;
            d.statsHideVersion = statsHideVersion;
            return d;
        }

        HaproxyConfig.Timeouts timeoutsRecord() {
            return new HaproxyConfig.Timeouts(t("connect"), t("client"), t("server"), t("tunnel"), t("client-fin"),
                    t("server-fin"), t("queue"), t("check"));
        }

        private Optional<Duration> t(String name) {
            return Optional.ofNullable(timeouts.get(name));
        }
    }
}
