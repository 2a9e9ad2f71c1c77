package io.ha4j.examples.agent;

import io.ha4j.core.HaComponent;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.HealthChecker;
import io.ha4j.core.VirtualAddress;
import io.ha4j.examples.agent.HaproxyConfig.Backend;
import io.ha4j.examples.agent.HaproxyConfig.Frontend;
import io.ha4j.examples.agent.HaproxyConfig.Server;
import io.ha4j.proxy.Balance;
import io.ha4j.proxy.TcpBalancer;
import io.ha4j.proxy.Transport;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpState;
import io.ha4j.vrrp.VrrpSyncGroup;
import io.ha4j.vrrp.VrrpTransport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the parsed configuration to ha4j components through their builders:
 * {@code vrrp_script} → {@link HealthChecker} (see {@link HealthCheckMapping}), {@code vrrp_instance} →
 * {@link VrrpInstance}, each {@code frontend} (with its {@code default_backend}) → one {@link TcpBalancer}
 * named after the frontend, a {@code listen} stats page → a balancer's admin listener, which shows every balancer,
 * health check and VRRP instance of the agent (see {@code mapStats} for the {@code stats} keywords).
 *
 * <p>Builders validate at {@code build()}; a builder's refusal becomes an error naming the file and line of
 * the section it came from, so {@code --check} catches everything a real start would refuse before it binds
 * or sends anything.
 *
 * <p>Where ha4j's defaults differ from the daemons', the mapper sets the daemon's value explicitly, so the
 * agent behaves as the configuration says: VRRP version 2 unless configured (ha4j defaults to 3); in the
 * balancer no tunnel timeout unless {@code timeout tunnel} (ha4j defaults to 24h, HAProxy has none: idle
 * connections are cut by {@code timeout client/server}), no slowstart and no killing of sessions on a down
 * server unless configured, a server without {@code check} is never marked down (ha4j checks every backend
 * by default). What ha4j cannot do the same way is a warning or an error; see each case below.
 *
 * <p>Further HAProxy readings: a frontend's connection limit is its {@code maxconn}, else the global
 * {@code maxconn} (the process-wide cap, which bounds a lone frontend the same way), else ha4j's 10000;
 * {@code bind *:PORT} listens on every IPv4 address; the drain deadline at stop is {@code hard-stop-after};
 * {@code nbthread N} is the agent's number of event loop threads in total, as it is HAProxy's: one group of N
 * threads (without {@code nbthread} the available processors, HAProxy's default) that every balancer runs on, each
 * thread accepting on every bound address, as each HAProxy thread does (with epoll the threads share one socket per
 * address and a new client wakes an idle one, at most 64 per address; with NIO one thread accepts per address). So two
 * frontends with {@code nbthread 2} run on 2 threads, not 4. A log line at INFO says what was chosen;
 * {@code tune.bufsize} is accepted with a warning that it has no effect.
 * ha4j's balancer has one set of check timers, one {@code slowstart} and one {@code on-marked-down} rule
 * per backend, so servers that differ in them are an error naming both lines.
 */
public final class AgentMapper {

    private static final Logger LOG = LoggerFactory.getLogger(AgentMapper.class);

    /** Names the threads of the balancers' shared event loop group: {@code ha-agent-io-1-1}, ... */
    static final String EVENT_LOOP_THREAD_PREFIX = "ha-agent-io";
    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern HAPROXY_WORD = Pattern.compile("(^|[\\s/])haproxy(\\s|$|\\.service)");
    /** kube-apiserver's default secure port; idle-timeout advice only applies to it. */
    private static final int APISERVER_PORT = 6443;
    private static final Duration LONG_IDLE = Duration.ofMinutes(10);

    private final Diagnostics diagnostics;
    private final VrrpTransport.Factory vrrpTransport;

    /**
     * @param vrrpTransport how VRRP instances send and receive adverts when they start (the raw-socket
     *                      transport for a real run); only called at start, so {@code --check} opens nothing
     */
    private boolean statsAllowRemoteWithoutAuth;

    public AgentMapper(Diagnostics diagnostics, VrrpTransport.Factory vrrpTransport) {
        this.diagnostics = Objects.requireNonNull(diagnostics, "diagnostics");
        this.vrrpTransport = Objects.requireNonNull(vrrpTransport, "vrrpTransport");
    }

    /**
     * Accepts a {@code listen} stats section bound to a non-loopback address without {@code stats auth} (the agent's
     * {@code --stats-allow-remote-without-auth}); without it such a section is an error.
     */
    public AgentMapper statsAllowRemoteWithoutAuth(boolean allow) {
        this.statsAllowRemoteWithoutAuth = allow;
        return this;
    }

    /**
     * Builds the components of both configurations; problems go to the diagnostics. The plan holds what its
     * components share (the balancers' event loop group): {@link AgentPlan#close(Duration) close} it also when it
     * is not started.
     */
    public AgentPlan map(Optional<KeepalivedConfig> keepalived, Optional<HaproxyConfig> haproxy) {
        List<HaComponent> components = new ArrayList<>();
        List<NotifyScripts> notifiers = new ArrayList<>();
        Map<String, HealthChecker> scripts = new LinkedHashMap<>();
        List<VrrpInstance> instances = new ArrayList<>();
        keepalived.ifPresent(k -> {
            mapScripts(k, haproxy.isPresent(), scripts);
            Map<String, VrrpInstance> byName = new LinkedHashMap<>();
            for (KeepalivedConfig.Instance i : k.instances()) {
                mapInstance(i, k, scripts).ifPresent(v -> {
                    byName.put(i.name(), v);
                    instances.add(v);
                    if (!i.notifyScripts().isEmpty()) {
                        NotifyScripts n = new NotifyScripts(i.name(), i.notifyScripts());
                        n.attach(v);
                        notifiers.add(n);
                    }
                });
            }
            for (KeepalivedConfig.SyncGroup g : k.syncGroups()) {
                if (g.instances().stream().allMatch(byName::containsKey)) {
                    try {
                        VrrpSyncGroup.of(g.name(), g.instances().stream().map(byName::get).toArray(VrrpInstance[]::new));
                    } catch (IllegalArgumentException | IllegalStateException e) {
                        error(g.origin(), "vrrp_sync_group", "'" + g.name() + "': " + e.getMessage());
                    }
                }
            }
        });
        components.addAll(scripts.values());
        Optional<EventLoopGroup> eventLoops = haproxy.filter(h -> !h.frontends().isEmpty())
                .map(h -> newEventLoopGroup(threads(h)));
        List<TcpBalancer> balancers;
        try {
            balancers = haproxy.map(h -> mapBalancers(h, keepalived, eventLoops)).orElse(List.of());
        } catch (RuntimeException | Error e) {
            eventLoops.ifPresent(AgentPlan::shutDown);
            throw e;
        }
        if (balancers.isEmpty()) {
            eventLoops.ifPresent(AgentPlan::shutDown); // every frontend was refused: nothing will run on it
        }
        components.addAll(balancers);
        components.addAll(instances);
        Set<String> names = new HashSet<>();
        for (HaComponent c : components) {
            if (!names.add(c.name())) {
                diagnostics.error(keepalived.map(KeepalivedConfig::file).orElse(haproxy.map(HaproxyConfig::file).orElse("")), 0,
                        c.name(), "two of the vrrp_script, vrrp_instance and frontend sections are called '" + c.name()
                                + "'; ha4j needs unique component names");
            }
        }
        String name = keepalived.flatMap(k -> k.globalDefs().routerId()).filter(id -> CLUSTER_NAME.matcher(id).matches())
                .orElse("ha-agent");
        return new AgentPlan(name, components, notifiers, !instances.isEmpty(), balancers.isEmpty() ? Optional.empty() : eventLoops);
    }

    // ------------------------------------------------------------------------------------------ keepalived

    private void mapScripts(KeepalivedConfig config, boolean replacingHaproxy, Map<String, HealthChecker> out) {
        for (KeepalivedConfig.Script script : config.scripts()) {
            boolean tracked = config.instances().stream()
                    .anyMatch(i -> i.trackScripts().stream().anyMatch(t -> t.name().equals(script.name())));
            if (!tracked) {
                warn(script.origin(), "vrrp_script", "'" + script.name() + "' is tracked by no vrrp_instance; it is not run");
                continue;
            }
            if (replacingHaproxy && HAPROXY_WORD.matcher(script.command()).find()) {
                warn(script.origin(), "vrrp_script", "'" + script.name() + "' (" + script.command() + ") looks for an haproxy "
                        + "process, but HaAgent runs the haproxy.cfg itself and no haproxy process runs: this check "
                        + "will fail (weight " + script.weight() + ")");
            }
            try {
                String program = CommandLineWords.split(script.command()).get(0);
                if (!isExecutable(program)) {
                    warn(script.origin(), "vrrp_script", "'" + script.name() + "': " + program + " is not found or not "
                            + "executable; keepalived disables tracking of such a script, and so does HaAgent");
                    continue;
                }
                out.put(script.name(), HealthCheckMapping.scriptChecker(script));
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                error(script.origin(), "vrrp_script", e.getMessage());
            }
        }
    }

    /** A path, or a name looked up in {@code PATH} as exec does. */
    static boolean isExecutable(String program) {
        if (program.contains("/")) {
            return Files.isRegularFile(Path.of(program)) && Files.isExecutable(Path.of(program));
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return true;
            }
        }
        return false;
    }

    private Optional<VrrpInstance> mapInstance(KeepalivedConfig.Instance i, KeepalivedConfig config, Map<String, HealthChecker> scripts) {
        try {
            VrrpInstance.Builder b = VrrpInstance.builder(i.name())
                    .interfaceName(i.interfaceName())
                    .virtualRouterId(i.virtualRouterId())
                    .priority(i.priority())
                    .version(i.version())
                    .advertInterval(i.advertInterval())
                    .initialState(i.state() == KeepalivedConfig.InitialState.MASTER ? VrrpState.MASTER : VrrpState.BACKUP)
                    .preempt(i.preempt())
                    .preemptDelay(i.preemptDelay())
                    .transport(vrrpTransport);
            i.authentication().ifPresent(a -> b.authPass(a.password()));
            for (KeepalivedConfig.Vip vip : i.virtualAddresses()) {
                VirtualAddress va = VirtualAddress.of(vip.address(), vip.prefixLength(), vip.device().orElse(i.interfaceName()));
                b.virtualAddress(vip.label().map(va::withLabel).orElse(va));
            }
            i.unicastSourceIp().ifPresent(a -> b.unicastSource(a.getHostAddress()));
            for (InetAddress peer : i.unicastPeers()) {
                b.unicastPeer(peer.getHostAddress());
            }
            i.garpMasterDelay().ifPresent(b::garpMasterDelay);
            i.garpMasterRepeat().ifPresent(b::garpMasterRepeat);
            i.garpMasterRefresh().ifPresent(b::garpMasterRefresh);
            for (KeepalivedConfig.TrackedScript t : i.trackScripts()) {
                HealthChecker checker = scripts.get(t.name());
                KeepalivedConfig.Script script = config.script(t.name()).orElseThrow();
                if (checker == null) {
                    continue; // its own error was reported
                }
                int weight = t.weight().orElse(script.weight());
                boolean reverse = t.weight().isPresent() ? t.reverse() : script.reverse();
                b.trackCheck(checker, weight, reverse);
            }
            for (KeepalivedConfig.TrackedInterface t : i.trackInterfaces()) {
                b.trackInterface(t.name(), t.weight());
            }
            return Optional.of(b.build());
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
            error(i.origin(), "vrrp_instance", "'" + i.name() + "': " + e.getMessage());
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------------------------------ HAProxy

    /** {@code nbthread}, else the available processors (HAProxy's default). */
    private static int threads(HaproxyConfig config) {
        return config.global().threads().orElse(Runtime.getRuntime().availableProcessors());
    }

    /**
     * The one group every balancer of the agent runs on: epoll when it loads (the balancer's epoll transport needs
     * epoll event loops), NIO otherwise. Its threads start with the first balancer that binds; its selectors are
     * open from here on, so the plan shuts it down even when nothing starts.
     */
    private static EventLoopGroup newEventLoopGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(EVENT_LOOP_THREAD_PREFIX, true),
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** The balancers' transport: the one {@link #newEventLoopGroup} made its loops for. */
    private static Transport transport() {
        return Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
    }

    private List<TcpBalancer> mapBalancers(HaproxyConfig config, Optional<KeepalivedConfig> keepalived,
            Optional<EventLoopGroup> eventLoops) {
        List<TcpBalancer> out = new ArrayList<>();
        if (!config.frontends().isEmpty()) {
            int threads = threads(config);
            LOG.info("{} event loop thread(s) in total ({}), shared by every balancer as HAProxy's threads are; {} transport, "
                            + "{} acceptor(s) per address; maxconn {}", threads,
                    config.global().threads().isPresent() ? "nbthread" : "no nbthread: the available processors",
                    transport().name().toLowerCase(java.util.Locale.ROOT), acceptors(threads),
                    config.global().maxConnections().isPresent() ? config.global().maxConnections().getAsInt() + " (global, unless a frontend sets its own)"
                            : "per frontend, else ha4j's 10000");
        }
        List<HaproxyConfig.Stats> stats = new ArrayList<>(config.stats());
        for (Frontend f : config.frontends()) {
            Optional<Backend> backend = config.backend(f.defaultBackend());
            if (backend.isEmpty()) {
                continue; // reported by the parser
            }
            HealthCheckMapping.warnHttpDifferences(backend.get(), diagnostics);
            warnBindsOnVips(f, keepalived);
            Optional<HaproxyConfig.Stats> page = stats.isEmpty() ? Optional.empty() : Optional.of(stats.remove(0));
            mapBalancer(config, f, backend.get(), page, eventLoops.orElseThrow()).ifPresent(out::add);
        }
        for (HaproxyConfig.Stats s : stats) {
            warn(s.origin(), "stats", "ha4j serves at most one stats page per balancer, each showing the whole agent, and "
                    + "every balancer already has one; '" + s.name() + "' is not served");
        }
        return out;
    }

    /** Threads that accept from each address: every thread with epoll (at most the balancer's 64), one with NIO. */
    private static int acceptors(int threads) {
        return transport() == Transport.EPOLL ? Math.min(threads, 64) : 1;
    }

    private Optional<TcpBalancer> mapBalancer(HaproxyConfig config, Frontend f, Backend be, Optional<HaproxyConfig.Stats> stats,
            EventLoopGroup eventLoops) {
        try {
            TcpBalancer.Builder b = TcpBalancer.builder(f.name());
            for (HaproxyConfig.Bind bind : f.binds()) {
                b.bind(new InetSocketAddress(bind.address().orElse(InetAddress.getByAddress(new byte[4])), bind.port()));
            }
            Optional<Balance> balance = balance(be);
            if (balance.isEmpty()) {
                return Optional.empty();
            }
            b.balance(balance.get());
            Optional<Integer> maxConn = f.maxConnections().isPresent() ? Optional.of(f.maxConnections().getAsInt())
                    : config.global().maxConnections().isPresent() ? Optional.of(config.global().maxConnections().getAsInt()) : Optional.empty();
            maxConn.ifPresent(m -> b.maxConnections(Math.min(m, 1_000_000)));
            b.eventLoopGroup(eventLoops).transport(transport()).acceptors(acceptors(threads(config)));
            be.timeouts().connect().ifPresent(b::connectTimeout);
            be.timeouts().queue().ifPresent(b::queueTimeout); // how long a client past maxconn waits for a slot
            b.clientTimeout(f.timeouts().client().orElse(Duration.ZERO));
            b.serverTimeout(be.timeouts().server().orElse(Duration.ZERO));
            b.tunnelTimeout(be.timeouts().tunnel().orElse(Duration.ZERO));
            b.clientFinTimeout(f.timeouts().clientFin().orElse(Duration.ZERO));
            warnIgnoredTimeouts(f, be);
            warnShortIdleTimeouts(f, be);
            b.retries(be.retries());
            if (!be.redispatch() && be.servers().size() > 1) {
                warn(be.origin(), "option redispatch", "not set, but ha4j always sends a retry to another server when one is "
                        + "available (as 'option redispatch 1')");
            }
            b.allBackups(be.allBackups());
            b.logConnections(f.logConnections());
            config.global().hardStopAfter().ifPresent(b::drainTimeout);
            List<Server> servers = new ArrayList<>();
            for (Server s : be.servers()) {
                if (s.disabled()) {
                    warn(s.origin(), "server " + s.name() + " disabled", "not added to the balancer; add it at runtime through "
                            + "the admin listener when it should take traffic");
                    continue;
                }
                if (s.maxConnections().isPresent()) {
                    warn(s.origin(), "server " + s.name() + " maxconn", "ha4j has no per-server connection limit or queue; ignored");
                }
                servers.add(s);
            }
            // HAProxy counts a real connection's failure against a server only with 'observe layer4', which the
            // agent does not map: a server without 'check' must never go down, and one with a check only by it
            b.observeConnectFailures(false);
            if (servers.isEmpty()) {
                warn(be.origin(), "backend", "'" + be.name() + "' has no server to run; every client is refused");
            } else {
                Optional<Server> timers = commonTimers(servers);
                if (timers.isEmpty()) {
                    return Optional.empty();
                }
                Server t = timers.get();
                b.healthCheckTimers(hb -> {
                    hb.inter(t.inter()).fastInter(t.fastInter()).downInter(t.downInter()).rise(t.rise()).fall(t.fall())
                            .timeout(HealthCheckMapping.checkTimeout(be, t));
                    t.initialState().ifPresent(hb::initialState);
                    return hb;
                });
                b.slowStart(t.slowStart().orElse(Duration.ZERO));
                b.shutdownSessionsOnDown(t.shutdownSessionsOnDown());
                // a server added at runtime through the admin listener is checked as this section's servers are
                b.healthCheck(added -> HealthCheckMapping.serverCheck(be, new Server(t.origin(), added.name(),
                                added.address().getAddress().getHostAddress(), added.address().getPort(), t.check(), t.inter(),
                                t.fastInter(), t.downInter(), t.rise(), t.fall(), added.weight(), added.isBackup(), t.checkSsl(),
                                t.verifyNone(), t.caFile(), t.checkPort(), t.slowStart(), OptionalInt.empty(), false,
                                t.initialState(), t.shutdownSessionsOnDown()))
                        .orElseGet(() -> HealthCheck.of("none (server without 'check' is always up)", () -> true)));
            }
            for (Server s : servers) {
                io.ha4j.proxy.Backend.Builder sb = io.ha4j.proxy.Backend.builder(s.name(), s.host(), s.port()).weight(s.weight());
                if (s.backup()) {
                    sb.backup();
                }
                try {
                    Optional<HealthCheck> check = HealthCheckMapping.serverCheck(be, s);
                    sb.check(check.orElseGet(() -> HealthCheck.of("none (server without 'check' is always up)", () -> true)));
                    b.backend(sb.build());
                } catch (IllegalArgumentException e) {
                    error(s.origin(), "server " + s.name(), e.getMessage());
                    return Optional.empty();
                }
            }
            if (stats.isPresent()) {
                mapStats(stats.get(), b);
            }
            return Optional.of(b.build());
        } catch (IllegalArgumentException | IllegalStateException | java.net.UnknownHostException e) {
            error(f.origin(), "frontend", "'" + f.name() + "': " + e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<Balance> balance(Backend be) {
        return switch (be.balance()) {
            case ROUNDROBIN -> Optional.of(Balance.ROUND_ROBIN);
            case STATIC_RR -> {
                warn(be.origin(), "balance static-rr", "ha4j's round robin is always dynamic: weights set at runtime take "
                        + "effect at once, otherwise the same");
                yield Optional.of(Balance.ROUND_ROBIN);
            }
            case LEASTCONN -> Optional.of(Balance.LEAST_CONNECTIONS);
            case SOURCE -> Optional.of(Balance.SOURCE);
            case RANDOM -> Optional.of(Balance.RANDOM_OF_TWO);
            case FIRST -> {
                error(be.origin(), "balance first", "not supported by ha4j (roundrobin, leastconn, source, random)");
                yield Optional.empty();
            }
        };
    }

    /**
     * ha4j's balancer has one set of check timers, one slowstart and one on-marked-down rule for all its
     * backends; HAProxy has them per server. Servers with {@code check} must agree (they do in every seed).
     */
    private Optional<Server> commonTimers(List<Server> servers) {
        List<Server> checked = servers.stream().filter(Server::check).toList();
        List<Server> candidates = checked.isEmpty() ? servers : checked;
        Server first = candidates.get(0);
        for (Server s : candidates.subList(1, candidates.size())) {
            List<String> differ = new ArrayList<>();
            if (!s.inter().equals(first.inter()) || !s.fastInter().equals(first.fastInter()) || !s.downInter().equals(first.downInter())) {
                differ.add("inter/fastinter/downinter");
            }
            if (s.rise() != first.rise() || s.fall() != first.fall()) {
                differ.add("rise/fall");
            }
            if (!s.initialState().equals(first.initialState())) {
                differ.add("init-state");
            }
            if (!s.slowStart().equals(first.slowStart())) {
                differ.add("slowstart");
            }
            if (s.shutdownSessionsOnDown() != first.shutdownSessionsOnDown()) {
                differ.add("on-marked-down");
            }
            if (!differ.isEmpty()) {
                error(s.origin(), "server " + s.name(), String.join(", ", differ) + " differ from server " + first.name()
                        + " (line " + first.origin().line() + "): ha4j's balancer applies one setting to all servers of a backend");
                return Optional.empty();
            }
        }
        return Optional.of(first);
    }

    /**
     * A {@code listen} stats section becomes the balancer's admin listener, with HAProxy's meaning for each
     * keyword: the first {@code bind} (address and port; no address is every address), {@code stats uri},
     * {@code refresh}, {@code auth}, {@code realm}, {@code hide-version}, and {@code stats admin if TRUE|LOCALHOST}
     * (read-only without it). The page shows every balancer and VRRP instance of the agent, whichever balancer
     * serves it. A bind that is not loopback without {@code stats auth} is refused with a warning, and the page is
     * served on loopback at the same port instead, unless the agent runs with
     * {@code --stats-allow-remote-without-auth}: HAProxy would serve it, but an unauthenticated page on the network
     * is rarely what was meant (ha4j's page can also add and remove servers), and the configuration stays valid
     * for {@code --check} as it is for {@code haproxy -c}.
     */
    private void mapStats(HaproxyConfig.Stats page, TcpBalancer.Builder b) throws java.net.UnknownHostException {
        HaproxyConfig.Bind bind = page.binds().get(0);
        if (page.binds().size() > 1) {
            warn(page.origin(), "bind", "the stats page is served on the first bind only (" + bind + ")");
        }
        InetSocketAddress at = new InetSocketAddress(bind.address().orElse(InetAddress.getByAddress(new byte[4])), bind.port());
        boolean loopback = at.getAddress().isLoopbackAddress();
        if (!loopback && page.auth().isEmpty()) {
            if (statsAllowRemoteWithoutAuth) {
                b.adminAllowRemoteWithoutAuth();
            } else {
                InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), bind.port());
                warn(page.origin(), "stats enable", "the stats page of '" + page.name() + "' has no 'stats auth', so HaAgent "
                        + "refuses to serve it on " + bind + " where anyone who can reach it could read the pool"
                        + (page.admin().isEmpty() ? "" : " and drain, disable or remove servers") + ", and serves it on "
                        + local.getAddress().getHostAddress() + ":" + bind.port() + " instead of " + bind + ". Add 'stats auth USER:PASSWORD', or run "
                        + "ha-agent with --stats-allow-remote-without-auth if a firewall guards it");
                at = local;
            }
        }
        b.adminAddress(at);
        b.adminUri(page.uri());
        page.refresh().ifPresent(b::adminRefresh);
        for (String entry : page.auth()) {
            int colon = entry.indexOf(':');
            b.adminUser(entry.substring(0, colon), entry.substring(colon + 1));
        }
        page.realm().ifPresent(b::adminRealm);
        if (page.hideVersion()) {
            b.adminHideVersion();
        }
        if (page.admin().isEmpty()) {
            b.adminActions(false);
        } else if (page.admin().equals(List.of("if", "LOCALHOST"))) {
            b.adminActionsFromLoopbackOnly();
        }
    }

    private void warnIgnoredTimeouts(Frontend f, Backend be) {
        be.timeouts().serverFin().ifPresent(t -> warn(be.origin(), "timeout server-fin", "ha4j has one half-closed timeout, "
                + "'timeout client-fin' (set on the frontend); ignored"));
    }

    /** Idle timeouts below 10 minutes without {@code timeout tunnel} cut kube-apiserver watches and exec streams. */
    private void warnShortIdleTimeouts(Frontend f, Backend be) {
        if (be.timeouts().tunnel().isPresent() || be.servers().stream().noneMatch(s -> s.port() == APISERVER_PORT)) {
            return;
        }
        Optional<Duration> shortest = java.util.stream.Stream.of(f.timeouts().client(), be.timeouts().server())
                .flatMap(Optional::stream).min(Duration::compareTo);
        if (shortest.isPresent() && shortest.get().compareTo(LONG_IDLE) < 0) {
            warn(be.origin(), "timeout tunnel", "not set, so 'timeout client/server' (" + io.ha4j.core.internal.Validation.format(
                    shortest.get()) + ") cut connections idle that long, as in HAProxy; if these are kube-apiservers, quiet "
                    + "watches, 'kubectl logs -f' and 'exec' break: consider 'timeout tunnel 24h'");
        }
    }

    /**
     * A frontend bound to a VRRP address can only bind where the address is present; ha4j starts balancers
     * before VRRP, so even the future master does not hold it yet.
     */
    private void warnBindsOnVips(Frontend f, Optional<KeepalivedConfig> keepalived) {
        if (keepalived.isEmpty()) {
            return;
        }
        for (HaproxyConfig.Bind bind : f.binds()) {
            if (bind.address().isEmpty()) {
                continue;
            }
            for (KeepalivedConfig.Instance i : keepalived.get().instances()) {
                for (KeepalivedConfig.Vip vip : i.virtualAddresses()) {
                    if (vip.address().equals(bind.address().get())) {
                        warn(bind.origin(), "bind", bind + " is a virtual_ipaddress of " + i.name() + ", which is only present "
                                + "on the master, and ha4j starts balancers before VRRP: binding needs net.ipv4.ip_nonlocal_bind=1 "
                                + "(HAProxy beside keepalived needs it on backups too), or bind *:" + bind.port());
                    }
                }
            }
        }
    }

    private void error(Origin at, String keyword, String message) {
        diagnostics.error(at.file(), at.line(), keyword, message);
    }

    private void warn(Origin at, String keyword, String message) {
        diagnostics.warn(at.file(), at.line(), keyword, message);
    }
}
