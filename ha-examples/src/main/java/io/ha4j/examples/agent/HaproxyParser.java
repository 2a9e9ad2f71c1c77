package io.ha4j.examples.agent;

import io.ha4j.examples.agent.HaproxyConfig.Backend;
import io.ha4j.examples.agent.HaproxyConfig.CheckSpec;
import io.ha4j.examples.agent.HaproxyConfig.Frontend;
import io.ha4j.examples.agent.HaproxyConfig.Server;
import io.ha4j.examples.agent.HaproxyLexer.Line;
import io.ha4j.examples.agent.HaproxyProxyDraft.Kind;
import io.ha4j.examples.agent.HaproxyServerSection.ServerDraft;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads an {@code haproxy.cfg} into an {@link HaproxyConfig}.
 *
 * <p>Supported: {@code global} ({@code maxconn}, {@code nbthread}, {@code ssl-server-verify}, {@code tune.bufsize} with a
 * warning that it has no effect; process, logging and TLS-default
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
 * {@code tcp-check} rules and other sections (peers, resolvers, userlist...), and two listeners on the same
 * address and port (HAProxy accepts that and splits connections between them; see {@link #checkBindClashes}).
 *
 * <p>This class reads the section structure, {@code global}, and assembles frontends and backends at the end;
 * the lines inside a proxy section are read by {@link HaproxyProxySection}, which hands {@code server},
 * {@code http-check} and {@code stats} lines to {@link HaproxyServerSection}, {@link HaproxyCheckSection} and
 * {@link HaproxyStatsSection}; the checks they share are {@link HaproxySyntax}.
 */
public final class HaproxyParser {

    /**
     * The largest haproxy.cfg read: above real files (a server line is about 60 bytes, so 10,000 servers
     * take 600 KiB), and small enough that parsing a hostile file stays within a small heap.
     */
    static final long MAX_FILE_BYTES = 2 * 1024 * 1024;

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
            Map.entry("stats", "the runtime API socket is not offered; use the TcpBalancer admin API or a stats page; ignored"),
            Map.entry("crt-base", "only used by TLS termination, which ha4j does not do; ignored"),
            Map.entry("ssl-default-bind-ciphers", "only used by TLS termination, which ha4j does not do; ignored"),
            Map.entry("ssl-default-bind-ciphersuites", "only used by TLS termination, which ha4j does not do; ignored"),
            Map.entry("ssl-default-bind-options", "only used by TLS termination, which ha4j does not do; ignored"),
            Map.entry("ssl-default-server-ciphers", "TLS health checks use the JDK's defaults; ignored"),
            Map.entry("ssl-default-server-ciphersuites", "TLS health checks use the JDK's defaults; ignored"),
            Map.entry("ssl-default-server-options", "TLS health checks use the JDK's defaults; ignored"),
            Map.entry("tune.ssl.default-dh-param", "only used by TLS termination, which ha4j does not do; ignored"));

    private static final Set<String> SECTIONS = Set.of("global", "defaults", "frontend", "backend", "listen", "userlist",
            "peers", "resolvers", "mailers", "cache", "program", "http-errors", "ring", "crt-store", "traces", "log-forward");

    private final String file;
    private final Diagnostics diagnostics;
    private final Values values;
    private final HaproxyCheckSection checks;
    private final HaproxyProxySection proxySection;

    private Integer globalMaxConn;
    private Integer globalThreads;
    private boolean globalVerifyNone;
    private Duration hardStopAfter;
    private Path caBase;
    private Origin caBaseOrigin;
    private HaproxyProxyDraft defaults;
    private final List<HaproxyProxyDraft> proxies = new ArrayList<>();

    private HaproxyParser(String file, Diagnostics diagnostics) {
        HaproxySyntax syntax = new HaproxySyntax(diagnostics);
        this.file = file;
        this.diagnostics = diagnostics;
        this.values = syntax.values;
        this.checks = new HaproxyCheckSection(syntax);
        this.proxySection = new HaproxyProxySection(syntax, new HaproxyServerSection(syntax), checks);
        this.defaults = new HaproxyProxyDraft(Kind.DEFAULTS, "", new Origin(file, 0));
    }

    /** Parses {@code file}, expanding {@code "${NAME}"} from the process environment. */
    public static HaproxyConfig parse(Path file, Diagnostics diagnostics) {
        String name = file.toString();
        Optional<List<String>> text = ConfigFiles.readLines(file, name, MAX_FILE_BYTES, new Origin(name, 0), "file", diagnostics);
        if (text.isEmpty()) {
            return new HaproxyConfig(name, HaproxyConfig.Global.DEFAULTS, List.of(), List.of(), List.of());
        }
        return new HaproxyParser(name, diagnostics).build(text.get(), System.getenv());
    }

    /** Parses {@code text} as if it were a file called {@code name}, expanding {@code "${NAME}"} from {@code environment}. */
    public static HaproxyConfig parse(String name, String text, Map<String, String> environment, Diagnostics diagnostics) {
        HaproxyParser parser = new HaproxyParser(name, diagnostics);
        return parser.build(text.lines().toList(), environment);
    }

    private HaproxyConfig build(List<String> text, Map<String, String> environment) {
        Kind section = null;
        HaproxyProxyDraft current = null;
        for (int i = 0; i < text.size(); i++) {
            if (diagnostics.errorCount() >= Diagnostics.MAX_ERRORS) {
                diagnostics.error(file, i + 1, "file", Diagnostics.MAX_ERRORS + " errors so far; the rest of the file is not checked");
                break;
            }
            Line line = HaproxyLexer.line(file, i + 1, text.get(i), environment, diagnostics);
            if (line == null) {
                continue;
            }
            String k = line.keyword();
            if (SECTIONS.contains(k)) {
                section = startSection(line);
                current = switch (section) {
                    case DEFAULTS -> {
                        defaults = new HaproxyProxyDraft(Kind.DEFAULTS, line.args().isEmpty() ? "" : line.args().get(0), line.origin());
                        yield defaults;
                    }
                    case FRONTEND, BACKEND, LISTEN -> {
                        HaproxyProxyDraft d = defaults.copyFor(section, line.args().get(0), line.origin());
                        proxies.add(d);
                        yield d;
                    }
                    default -> null;
                };
                continue;
            }
            if (section == null) {
                diagnostics.error(line, "keyword outside of any section (global, defaults, frontend, backend, listen)");
            } else if (section == Kind.GLOBAL) {
                global(line);
            } else if (section != Kind.IGNORED) {
                proxySection.keyword(current, line);
            }
        }
        return finish();
    }

    private Kind startSection(Line line) {
        String k = line.keyword();
        switch (k) {
            case "global" -> {
                if (!line.args().isEmpty()) {
                    diagnostics.error(line, "takes no argument");
                }
                return Kind.GLOBAL;
            }
            case "defaults" -> {
                if (line.args().size() > 1 && !(line.args().size() == 3 && line.args().get(1).equals("from"))) {
                    diagnostics.error(line, "takes at most a name");
                } else if (line.args().size() == 3) {
                    diagnostics.error(line, "'defaults ... from' is not supported");
                }
                return Kind.DEFAULTS;
            }
            case "frontend", "backend", "listen" -> {
                if (line.args().isEmpty()) {
                    diagnostics.error(line, "needs a name");
                    return Kind.IGNORED;
                }
                if (line.args().size() > 1) {
                    diagnostics.error(line, "takes only a name (the 'listen NAME ADDR:PORT' form is not supported; use 'bind')");
                    return Kind.IGNORED;
                }
                String name = line.args().get(0);
                boolean duplicate = proxies.stream().anyMatch(p -> p.name.equals(name)
                        && (p.kind == Kind.LISTEN || k.equals("listen") || p.kind.name().equalsIgnoreCase(k)));
                if (duplicate) {
                    diagnostics.error(line, "a proxy called '" + name + "' is already defined");
                    return Kind.IGNORED;
                }
                return Kind.valueOf(k.toUpperCase(java.util.Locale.ROOT));
            }
            default -> {
                diagnostics.error(line, "the '" + k + "' section is not supported by ha4j; its lines are skipped");
                return Kind.IGNORED;
            }
        }
    }

    private void global(Line line) {
        String k = line.keyword();
        if (GLOBAL_IGNORED.containsKey(k)) {
            diagnostics.warn(line, GLOBAL_IGNORED.get(k));
            return;
        }
        switch (k) {
            case "maxconn" -> {
                if (diagnostics.expectArgs(line, 1)) {
                    OptionalInt v = values.integer(line.origin(), k, line.args().get(0), 1, Integer.MAX_VALUE);
                    if (v.isPresent()) {
                        globalMaxConn = v.getAsInt();
                    }
                }
            }
            case "nbthread" -> {
                if (diagnostics.expectArgs(line, 1)) {
                    OptionalInt v = values.integer(line.origin(), k, line.args().get(0), 1, 1024);
                    if (v.isPresent()) {
                        globalThreads = v.getAsInt();
                    }
                }
            }
            case "tune.bufsize" -> {
                if (diagnostics.expectArgs(line, 1)
                        && values.integer(line.origin(), k, line.args().get(0), 1024, 1 << 30).isPresent()) {
                    diagnostics.warn(line, "ha4j's relay reads up to 64 KiB at once (Netty's adaptive read buffer) and "
                            + "queues at most 64 KiB plus one read per direction (its write water mark); ignored");
                }
            }
            case "ca-base" -> {
                if (diagnostics.expectArgs(line, 1)) {
                    caBase = Path.of(line.args().get(0));
                    caBaseOrigin = line.origin();
                }
            }
            case "hard-stop-after" -> {
                if (diagnostics.expectArgs(line, 1)) {
                    values.haproxyTime(line.origin(), k, line.args().get(0), Duration.ZERO, Duration.ofHours(1))
                            .ifPresent(d -> hardStopAfter = d);
                }
            }
            case "ssl-server-verify" -> {
                if (diagnostics.expectArgs(line, 1)) {
                    switch (line.args().get(0)) {
                        case "none" -> globalVerifyNone = true;
                        case "required" -> globalVerifyNone = false;
                        default -> diagnostics.error(line, "must be none or required, was '" + line.args().get(0) + "'");
                    }
                }
            }
            default -> diagnostics.error(line, "unknown or unsupported keyword in global");
        }
    }

    private HaproxyConfig finish() {
        List<Frontend> frontends = new ArrayList<>();
        List<Backend> backends = new ArrayList<>();
        List<HaproxyConfig.Stats> stats = new ArrayList<>();
        for (HaproxyProxyDraft p : proxies) {
            boolean statsOnly = p.statsEnabled != null && p.servers.isEmpty() && p.kind != Kind.BACKEND;
            if (statsOnly) {
                if (p.kind == Kind.FRONTEND && p.defaultBackendOrigin != null) {
                    diagnostics.error(p.statsEnabled, "stats", "a frontend serving the stats page cannot also forward to a default_backend in ha4j");
                    continue;
                }
                if (p.binds.isEmpty()) {
                    diagnostics.error(p.origin, HaproxySyntax.sectionName(p.kind), "the stats page of '" + p.name + "' has no bind");
                    continue;
                }
                stats.add(new HaproxyConfig.Stats(p.name, p.origin, p.binds, p.statsUri == null ? "/haproxy?stats" : p.statsUri,
                        Optional.ofNullable(p.statsRefresh), p.statsAuth, p.statsAdmin, Optional.ofNullable(p.statsRealm),
                        p.statsHideVersion));
                continue;
            }
            if (p.statsEnabled != null) {
                diagnostics.error(p.statsEnabled, "stats", "a stats page is only supported in a listen or frontend section of its own");
            }
            if ("http".equals(p.mode)) {
                diagnostics.error(p.modeOrigin != null ? p.modeOrigin : p.origin, "mode", HaproxySyntax.sectionName(p.kind)
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
                HaproxyProxyDraft d = proxies.stream().filter(p -> p.kind != Kind.BACKEND && p.name.equals(f.name())).findFirst().orElseThrow();
                Origin at = d.defaultBackendOrigin != null ? d.defaultBackendOrigin : f.origin();
                diagnostics.error(at, "default_backend", "no backend called '" + f.defaultBackend() + "'");
            }
        }
        checkBindClashes(frontends, stats);
        for (Backend b : backends) {
            if (frontends.stream().noneMatch(f -> f.defaultBackend().equals(b.name()))) {
                diagnostics.warn(b.origin(), "backend", "backend '" + b.name() + "' is used by no frontend; ha4j does not run it");
            }
        }
        if (caBaseOrigin != null && backends.stream().flatMap(b -> b.servers().stream()).noneMatch(s -> s.caFile().isPresent())) {
            diagnostics.warn(caBaseOrigin, "ca-base", "no server has a ca-file for it to apply to; ignored");
        }
        HaproxyConfig.Global global = new HaproxyConfig.Global(globalMaxConn == null ? OptionalInt.empty() : OptionalInt.of(globalMaxConn),
                Optional.ofNullable(hardStopAfter), globalThreads == null ? OptionalInt.empty() : OptionalInt.of(globalThreads));
        return new HaproxyConfig(file, global, frontends, backends, stats);
    }

    /**
     * Two listeners on one address and port (or one on {@code *} and one on an address, same port) are an
     * error naming both. HAProxy accepts this and lets the kernel's {@code SO_REUSEPORT} split the connections
     * between the two proxies, which is never what such a file meant; the agent refuses it instead.
     */
    private void checkBindClashes(List<Frontend> frontends, List<HaproxyConfig.Stats> stats) {
        record Listener(String proxy, HaproxyConfig.Bind bind) {
        }
        List<Listener> all = new ArrayList<>();
        frontends.forEach(f -> f.binds().forEach(b -> all.add(new Listener(f.name(), b))));
        stats.forEach(st -> st.binds().forEach(b -> all.add(new Listener(st.name(), b))));
        Map<Integer, Map<Optional<InetAddress>, Listener>> byPort = new HashMap<>();
        for (Listener l : all) {
            Map<Optional<InetAddress>, Listener> onPort = byPort.computeIfAbsent(l.bind().port(), p -> new LinkedHashMap<>());
            Listener earlier = onPort.get(l.bind().address());
            if (earlier == null) {
                earlier = onPort.get(Optional.<InetAddress>empty());
            }
            if (earlier == null && l.bind().address().isEmpty() && !onPort.isEmpty()) {
                earlier = onPort.values().iterator().next();
            }
            if (earlier != null) {
                diagnostics.error(l.bind().origin(), "bind", "'" + l.proxy() + "' listens on " + l.bind() + ", and so does '"
                        + earlier.proxy() + "' on " + earlier.bind() + " (" + earlier.bind().origin() + "): one address and port "
                        + "can have one listener");
            } else {
                onPort.put(l.bind().address(), l);
            }
        }
    }

    private Optional<Frontend> frontend(HaproxyProxyDraft p) {
        if (p.binds.isEmpty()) {
            diagnostics.warn(p.origin, HaproxySyntax.sectionName(p.kind), "'" + p.name + "' has no bind; it accepts nothing and is not run");
            return Optional.empty();
        }
        String backend = p.defaultBackend;
        if (p.kind == Kind.LISTEN) {
            backend = p.name;
            if (p.defaultBackendOrigin != null && p.defaultBackendOrigin.line() > p.origin.line()) {
                diagnostics.error(p.defaultBackendOrigin, "default_backend", "a listen section forwards to its own servers");
                return Optional.empty();
            }
        } else if (backend == null) {
            diagnostics.error(p.origin, "frontend", "frontend '" + p.name + "' has no default_backend");
            return Optional.empty();
        }
        missingTimeouts(p, "client");
        return Optional.of(new Frontend(p.name, p.origin, p.binds, backend, p.timeoutsRecord(), p.maxConn, p.tcpLog));
    }

    private Optional<Backend> backend(HaproxyProxyDraft p) {
        missingTimeouts(p, "connect", "server");
        CheckSpec check = checks.effectiveCheck(p);
        List<Server> servers = new ArrayList<>();
        boolean ok = true;
        for (ServerDraft s : p.servers) {
            boolean tlsCheck = s.checkSsl || (check instanceof HaproxyConfig.Http h && h.ssl()) || check instanceof HaproxyConfig.SslHello;
            boolean verifyNone = s.verifyNone != null ? s.verifyNone : globalVerifyNone;
            if (s.check && (s.checkSsl || (check instanceof HaproxyConfig.Http h && h.ssl())) && !verifyNone && s.caFile == null) {
                diagnostics.error(s.origin, "server " + s.name, "a TLS health check verifies the server certificate by default and no "
                        + "ca-file is configured (HAProxy refuses this too); add 'verify none' or 'ssl-server-verify none' in global");
                ok = false;
                continue;
            }
            if (s.check && !tlsCheck && check instanceof HaproxyConfig.Http h && checkPort(s) == 6443) {
                diagnostics.warn(s.origin, "server " + s.name, "the HTTP check (" + h.method() + " " + h.uri() + ") goes to port 6443 in "
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
            diagnostics.warn(p.origin, "backend", "backend '" + p.name + "' has no server; every connection will be refused");
        }
        return Optional.of(new Backend(p.name, p.origin, p.balance, check, servers, p.retries, p.redispatch, p.allBackups,
                p.timeoutsRecord()));
    }

    private static int checkPort(ServerDraft s) {
        return s.checkPort.isPresent() ? s.checkPort.getAsInt() : s.port;
    }

    private void missingTimeouts(HaproxyProxyDraft p, String... names) {
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (!p.timeouts.containsKey(n) && !(p.timeouts.containsKey("tunnel") && (n.equals("client") || n.equals("server")))) {
                missing.add("timeout " + n);
            }
        }
        if (!missing.isEmpty()) {
            diagnostics.warn(p.origin, HaproxySyntax.sectionName(p.kind), "'" + p.name + "' sets no " + String.join(", ", missing)
                    + " (HAProxy warns about this as well)" + (missing.contains("timeout connect") ? "; ha4j connects with a 5s timeout" : "")
                    + (missing.size() > (missing.contains("timeout connect") ? 1 : 0) ? "; idle connections are never timed out, as in HAProxy" : ""));
        }
    }
}
