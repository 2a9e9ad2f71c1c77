package io.ha4j.proxy;

import io.ha4j.core.ComponentContext;
import io.ha4j.core.ComponentStats;
import io.ha4j.core.HaComponent;
import io.ha4j.core.HaEvent;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.HealthChecker;
import io.ha4j.core.HttpCheck;
import io.ha4j.core.Phase;
import io.ha4j.core.StatsSource;
import io.ha4j.core.TlsOptions;
import io.ha4j.core.internal.ComponentLifecycle;
import io.ha4j.core.internal.RateLimitedLog;
import io.ha4j.core.VipListener;
import io.ha4j.core.VirtualAddress;
import io.ha4j.core.internal.Validation;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// Why this file is long: the public Builder is nested (its API name is TcpBalancer.Builder) and documents
// each of its ~45 options (HAProxy's timeouts, maxconn, checks, the stats page's access rules) with range and
// default, about 520 lines; the component above it is about 460. The work lives in RelaySession (one
// connection), Admission (maxconn), Backends (pool, checks, health and admin reactions), Frontends (listening
// sockets), StatsSnapshot and AdminHandler, which read the BalancerConfig record.

/**
 * An L4 TCP balancer on Netty (HAProxy's {@code mode tcp}): it accepts clients on one or more frontend
 * addresses and relays each to a backend chosen by {@link Balance}, among backends that its
 * {@link HealthChecker}s say are up.
 *
 * <pre>{@code
 * TcpBalancer apiserver = TcpBalancer.builder("apiserver")
 *         .bind("0.0.0.0", 7443)
 *         .backend(Backend.of("cp-1", "198.18.0.11", 6443))
 *         .backend(Backend.of("cp-2", "198.18.0.12", 6443))
 *         .backend(Backend.of("cp-3", "198.18.0.13", 6443))
 *         .adminPort(9000)                      // stats + admin on 127.0.0.1:9000
 *         .build();
 * HaCluster.builder().add(apiserver).build().start();   // or apiserver.start() on its own
 * }</pre>
 *
 * <h2>Defaults (chosen for kube-apiserver; each can be changed on the {@link Builder})</h2>
 * <ul>
 *   <li>Health: every backend is checked with HTTPS {@code GET /readyz} expecting 200, trusting any
 *       certificate (HAProxy's {@code check-ssl verify none}, as kubeadm's guide), with
 *       {@link HealthChecker.Builder#kubernetesDefaults()} timers (inter 2s, fastinter 1s, downinter 5s,
 *       rise 2, fall 3, timeout 5s). A failed real connect counts as a failed check (HAProxy's
 *       {@code observe layer4}).</li>
 *   <li>{@code balance roundrobin}, {@code retries 3}, every retry redispatched to another server when one
 *       is available ({@code option redispatch 1}), {@code slowstart 60s},
 *       {@code on-marked-down shutdown-sessions} on (a dead apiserver's pinned HTTP/2 connections are
 *       closed at once instead of hanging until the client notices).</li>
 *   <li>Timeouts: connect 5s; tunnel 24h (OpenShift's API load balancer: {@code kubectl logs -f},
 *       {@code exec} and {@code port-forward} streams can be silent for hours, and watches last 5–10 min,
 *       so anything shorter than the longest silence cuts them); client-fin 30s; client and server 60s,
 *       which, as in HAProxy's TCP mode, the tunnel timeout supersedes as soon as the backend connection is
 *       up; set {@code tunnelTimeout(Duration.ZERO)} to use them per direction instead. TCP keepalive on both
 *       sides (probes after 60s idle, every 10s, 6 of them) finds dead peers long before the tunnel timeout.</li>
 *   <li>{@code maxconn 10000}, accept backlog 1024, graceful drain 30s at {@link #close()}.</li>
 *   <li>No client is ever held: when no backend is up, a new client is closed at once (kubernetes#99602).</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Sockets run on a Netty event loop group of {@code ioThreads} threads (native epoll when available); a
 * backend connection always runs on its client connection's event loop. Health checks and their listeners
 * run on the {@link ComponentContext}'s scheduler and blocking executor. The admin methods
 * ({@link #drain}, {@link #setWeight}, ...) are thread-safe and take effect for the next new connection;
 * established connections are never dropped by them (except {@link #shutdownSessions}).
 *
 * <h2>Lifecycle</h2>
 * {@link #start()} (own threads) or {@link #start(ComponentContext)} (inside an {@code HaCluster}, phase
 * {@link Phase#BALANCERS}) once; {@link #close()} is idempotent: it stops accepting, lets established
 * connections finish for up to {@code drainTimeout}, closes the rest, stops the checkers and the threads it
 * created.
 *
 * <h2>Connection log</h2>
 * With {@link Builder#logConnections(boolean)}, one line per connection goes to the SLF4J logger
 * {@code io.ha4j.proxy.tcplog} at INFO when it ends, like HAProxy's {@code option tcplog}:
 * <pre>
 * 127.0.0.1:40312 apiserver apiserver/cp-1 0/1/5230 48211 1022 -- 12/4 0
 * client          frontend  backend/server Tw/Tc/Tt bytes_out bytes_in state actconn/srvconn retries
 * </pre>
 * {@code Tw} the time in ms spent waiting for a {@code maxConnections} slot, {@code Tc} the connect time in ms (-1 if never connected),
 * {@code Tt} the total time in ms; {@code bytes_out} went to the client, {@code bytes_in} came from it.
 * The state is HAProxy's: first letter {@code -} normal, {@code C}/{@code S} aborted by client/server (or
 * server refused), {@code c}/{@code s} client/server-side timeout, {@code D} killed because the server was
 * marked down, {@code K} killed by an admin action or the shutdown deadline; second letter the phase:
 * {@code C} connecting, {@code D} data, {@code R} before a server was chosen, {@code Q} waiting for a slot, {@code -} normal. A client
 * refused because no server was up shows {@code <NOSRV>} and {@code SC}.
 */
public final class TcpBalancer implements HaComponent, StatsSource {

    private static final Logger LOG = LoggerFactory.getLogger(TcpBalancer.class);
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final BalancerConfig config;
    private final String name;
    private final ComponentLifecycle lifecycle;
    private final FrontendCounters frontend = new FrontendCounters();
    private final Admission admission;
    private volatile Backends backends;
    private ComponentContext context;
    private EventLoopGroup group;
    private volatile boolean running;
    private volatile Duration closeDrainDeadline;
    private NettyTransport transport;
    private Channel adminChannel;
    private volatile List<InetSocketAddress> bound = List.of();
    /**
     * VIPs announced as leaving, with the clock time their drain ends: a client whose neighbour entry still points here
     * may connect meanwhile, and its connection must end with the others while its FIN can still leave.
     */
    private final Map<InetAddress, Long> leavingUntil = new ConcurrentHashMap<>();
    /** The listening sockets' gates (epoll only), to drop new clients of a VIP that is leaving. */
    private final List<SynGate> gates = new CopyOnWriteArrayList<>();
    /** VIPs whose new clients are being dropped now. */
    private final Set<InetAddress> gatedVips = ConcurrentHashMap.newKeySet();
    private RateLimitedLog gateLog;
    private final VipListener vipListener = new VipListener() {
        @Override
        public void onAddressRemoved(VirtualAddress address) {
            openGate(address); // gone: no client of it reaches this node any more
            vipLeft(address);
        }

        @Override
        public void onAddressReleasing(VirtualAddress address) {
            closeGate(address);
            vipLeft(address);
        }

        @Override
        public void onAddressAdded(VirtualAddress address) {
            openGate(address); // ours again: a handover called off, or mastership back
        }

        @Override
        public void onAddressReleased(VirtualAddress address) {
            openGate(address);
        }
    };

    /** The validated settings this balancer was built with (tests read its defaults here). */
    BalancerConfig config() {
        return config;
    }

    private TcpBalancer(BalancerConfig config) {
        this.config = config;
        this.name = config.name();
        this.admission = new Admission(config.maxConnections(), frontend);
        this.lifecycle = new ComponentLifecycle("balancer '" + name + "'");
        this.closeDrainDeadline = config.drainTimeout();
    }

    private static HealthCheck kubernetesReadyz(Backend b) {
        return HttpCheck.kubernetesReadyz(b.address().getAddress().getHostAddress(), b.address().getPort(), TlsOptions.trustAll());
    }

    /** A builder for a balancer called {@code name} (unique within its cluster). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Phase phase() {
        return Phase.BALANCERS;
    }

    /**
     * Starts on threads of its own (a timer thread and a blocking pool for checks), for use without a cluster.
     * Same rules as {@link #start(ComponentContext)}; those threads end with {@link #close()}.
     */
    public void start() {
        ComponentContext own = ComponentContext.standalone(name);
        AtomicBoolean adopted = new AtomicBoolean();
        try {
            lifecycle.start(() -> {
                lifecycle.acquired(own);
                adopted.set(true);
                run(own);
            });
        } finally {
            if (!adopted.get()) {
                own.close(); // started twice or closed before: the other start keeps running
            }
        }
    }

    /**
     * Binds the frontends, starts the health checkers and, if configured, the admin listener. Fails (and
     * releases what it took) when an address cannot be bound: a {@link io.ha4j.core.HaStartException} naming
     * the address, also when another socket (of this or another process) already listens on it. Starts once
     * ({@link IllegalStateException} after a start or a {@link #close()}); a failed start releases everything
     * it took (event loops, checkers, bound sockets).
     */
    @Override
    public void start(ComponentContext context) {
        Objects.requireNonNull(context, "context");
        lifecycle.start(() -> run(context));
    }

    /** The start body; each thing it takes is handed to the lifecycle, which releases them in reverse order. */
    private void run(ComponentContext context) {
        this.context = context;
        lifecycle.acquired(() -> {
            if (running) {
                context.publish(new HaEvent(name, "RUNNING", "STOPPED", "closed", context.clock().nanoTime()));
            }
        });
        this.transport = NettyTransport.choose(config.transport());
        if (config.eventLoopGroup() != null) {
            group = config.eventLoopGroup();
        } else {
            EventLoopGroup own = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory(name + "-io", true), transport.ioHandlerFactory());
            group = own;
            lifecycle.acquired(() -> own.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS));
        }
        Backends b = new Backends(config, context);
        this.backends = b;
        lifecycle.acquired(b::closeCheckers);
        for (Backend backend : config.backends()) {
            b.add(backend);
        }
        // released first: stop accepting, then drain what is established (the admin listener's channel too)
        lifecycle.acquired(this::stopAndDrain);
        RateLimitedLog acceptFailures = new RateLimitedLog(LOG, context.clock(), TimeUnit.SECONDS.toNanos(10));
        bound = Frontends.bind(config, transport, group, admission, this::newSession,
                (loop, socket, peer, load) -> {
                    Session s = DirectSession.accepted(config, admission, b, frontend, loop, socket, peer, load);
                    if (s != null && !leavingUntil.isEmpty()) {
                        endWithLeavingVip(s);
                    }
                }, acceptFailures, gates);
        gateLog = new RateLimitedLog(LOG, context.clock(), TimeUnit.MINUTES.toNanos(10));
        if (config.adminAddress() != null) {
            adminChannel = AdminHandler.bind(this, config, group, transport, context);
        }
        context.vipManager().ifPresent(vm -> {
            vm.addListener(vipListener, context.scheduler());
            lifecycle.acquired(() -> vm.removeListener(vipListener));
        });
        LOG.info("Balancer '{}' listening on {} ({} transport, {} acceptor(s) per address), {} backend(s), balance {}",
                name, bound, transport.name(), admission.acceptors().size() / Math.max(1, bound.size()), b.pool().servers().size(), config.balance());
        running = true;
        context.publish(new HaEvent(name, "", "RUNNING", "listening on " + bound, context.clock().nanoTime()));
    }

    /**
     * A VIP is leaving this node on purpose: until it is gone (or ours again) new clients of it are dropped unanswered at
     * the listening sockets ({@link SynGate}), so their kernels retry the SYN about a second later, by when the new
     * master has announced the VIP. A handshake completed here now could be cut by that announcement, which sends the
     * client's next segment to a node that knows nothing of the connection. NIO gives no access to the sockets: there is
     * no gate, and that is logged.
     */
    private void closeGate(VirtualAddress vip) {
        if (!running) {
            return;
        }
        if (!transport.epoll) {
            gateLog.warn("nio-gate", "Balancer '{}': VIP {} is leaving, but the NIO transport cannot refuse new clients on it"
                    + " (socket filters need the epoll transport); a client that connects now may be reset when the new"
                    + " master announces the VIP", name, vip.cidr());
            return;
        }
        boolean gated = false;
        for (SynGate gate : gates) {
            try {
                gated |= gate.gate(vip.address());
            } catch (IOException | RuntimeException e) {
                gateLog.warn("gate " + gate.localAddress(), "Balancer '{}': cannot drop new clients of leaving VIP {} on {}: {}",
                        name, vip.cidr(), gate.localAddress(), e.getMessage());
            }
        }
        if (gated) {
            gatedVips.add(vip.address());
            LOG.info("Balancer '{}': VIP {} is leaving this node; new clients of it are dropped until it is gone", name, vip.cidr());
        }
    }

    /** New clients of {@code vip} are let in again (the gate of {@link #closeGate}). */
    private void openGate(VirtualAddress vip) {
        if (!gatedVips.remove(vip.address())) {
            return;
        }
        for (SynGate gate : gates) {
            try {
                gate.lift(vip.address());
            } catch (IOException | RuntimeException e) {
                gateLog.warn("lift " + gate.localAddress(), "Balancer '{}': cannot let new clients of VIP {} in again on {}: {}",
                        name, vip.cidr(), gate.localAddress(), e.getMessage());
            }
        }
    }

    /**
     * The VIPs whose new clients this balancer drops now, because they are leaving this node in a planned VRRP move
     * (from {@link io.ha4j.core.VipListener#onAddressReleasing} until the address is removed or added again). Empty
     * with the NIO transport, which cannot drop them.
     */
    public Set<InetAddress> handshakesDroppedFor() {
        return Set.copyOf(gatedVips);
    }

    /** A VIP left this node: end the sessions that arrived on it, after the drain. */
    private void vipLeft(VirtualAddress vip) {
        // marked before the sessions are read, so that one accepted concurrently is seen by this or by newSession
        leavingUntil.put(vip.address(), context.clock().nanoTime() + config.vipLeaveDrainNanos());
        int ending = 0;
        for (Session s : admission.sessions()) {
            if (s.arrivedOn(vip.address())) {
                s.vipLeaving(config.vipLeaveDrainNanos());
                ending++;
            }
        }
        if (ending > 0) {
            LOG.info("Balancer '{}': VIP {} is leaving this node; ending {} client connection(s) that arrived on it within {}",
                    name, vip.cidr(), ending, Validation.format(Duration.ofNanos(config.vipLeaveDrainNanos())));
        }
    }

    /** A client connection was accepted (on its event loop): make its session and ask for a slot. */
    private void newSession(Channel ch) {
        RelaySession s = new RelaySession(config, admission, backends, frontend, ch);
        ch.pipeline().addLast(new RelayHandler(s, true));
        admission.accepted(s);
        if (!leavingUntil.isEmpty()) {
            endWithLeavingVip(s);
        }
    }

    /**
     * A connection accepted on a VIP that is leaving ends when the connections that were there at the announcement
     * do; once that drain is over the mark is dropped (the address is gone, or this node took mastership back).
     */
    private void endWithLeavingVip(Session s) {
        long now = context.clock().nanoTime();
        for (Map.Entry<InetAddress, Long> leaving : leavingUntil.entrySet()) {
            long left = leaving.getValue() - now;
            if (left <= 0) {
                leavingUntil.remove(leaving.getKey(), leaving.getValue());
            } else if (s.arrivedOn(leaving.getKey())) {
                s.vipLeaving(left);
            }
        }
    }

    // ---- runtime admin API ----

    private Backends requireBackends() {
        Backends b = backends;
        if (b == null) {
            throw new IllegalStateException("balancer '" + name + "' is not started");
        }
        return b;
    }

    /** Takes no new connections on {@code backend}; established ones continue (HAProxy {@code state drain}). */
    public void drain(String backend) {
        Backends b = requireBackends();
        b.setAdminState(b.server(backend), BackendState.DRAIN);
    }

    /**
     * Disables {@code backend} (HAProxy {@code disable server}, state {@code maint}): no new connections;
     * established ones continue.
     */
    public void disable(String backend) {
        Backends b = requireBackends();
        b.setAdminState(b.server(backend), BackendState.MAINT);
    }

    /**
     * Makes {@code backend} ready again after {@link #drain} or {@link #disable}. If it is up, its weight
     * ramps up over the slowstart window, as for a server that came back.
     */
    public void enable(String backend) {
        requireBackends().enable(backend);
    }

    /** Sets the weight of {@code backend}, in [0, 256]; 0 drains it. Applies to the next connection. */
    public void setWeight(String backend, int weight) {
        requireBackends().setWeight(backend, weight);
    }

    /**
     * Adds a backend at runtime; it is health checked at once and takes connections while up. Its check is
     * its own ({@link Backend.Builder#check}) if it has one, else the balancer's check template
     * ({@link Builder#healthCheck}), the same as for the backends given to the builder: a backend added
     * through the admin listener is checked like its siblings.
     */
    public void addBackend(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        Backends b = requireBackends();
        if (lifecycle.isClosed()) {
            throw new IllegalStateException("balancer '" + name + "' is closed");
        }
        b.add(backend);
        LOG.info("Balancer '{}': added backend {}", name, backend);
    }

    /**
     * Removes {@code backend} from the pool: it takes no new connections and is no longer checked;
     * established connections to it continue until they end.
     *
     * @return whether a backend of that name existed
     */
    public boolean removeBackend(String backend) {
        return requireBackends().remove(backend);
    }

    /** Closes every established connection to {@code backend} (HAProxy {@code shutdown sessions server}). */
    public void shutdownSessions(String backend) {
        Backends b = requireBackends();
        b.killSessions(b.server(backend), 'K');
    }

    /** Names of the current backends, in declaration order. */
    public List<String> backendNames() {
        return requireBackends().names();
    }

    /** The health checker of {@code backend} (e.g. to add a listener). */
    public HealthChecker healthChecker(String backend) {
        return requireBackends().server(backend).checker;
    }

    /** The addresses the frontends listen on (with the actual port when port 0 was configured). */
    public List<InetSocketAddress> boundAddresses() {
        return bound;
    }

    /** The admin listener's address, if one was configured. */
    public Optional<InetSocketAddress> adminBoundAddress() {
        Channel a = adminChannel;
        return a == null ? Optional.empty() : Optional.of((InetSocketAddress) a.localAddress());
    }

    /** The transport in use: {@code "epoll"} or {@code "nio"}. */
    public String transportName() {
        return transport == null ? config.transport().name().toLowerCase(Locale.ROOT) : transport.name();
    }

    /** A snapshot of the counters and states. */
    public BalancerStats stats() {
        return StatsSnapshot.of(config, requireBackends().pool(), frontend, bound, transportName(), gatedVips);
    }

    /**
     * The stats SPI's view of {@link #stats()}: the same numbers as JSON fields and as Prometheus samples
     * ({@code ha4j_frontend_*}, {@code ha4j_backend_*}, {@code ha4j_server_*}, labels {@code proxy} and
     * {@code server}); a balancer not started yet reports its name only.
     */
    @Override
    public ComponentStats componentStats() {
        if (backends == null) {
            return new ComponentStats(StatsFormat.KIND, name, java.util.Map.of("name", name), List.of());
        }
        return StatsFormat.componentStats(stats());
    }

    // ---- shutdown ----

    /**
     * Graceful shutdown with the configured {@code drainTimeout}: stop accepting, wait for established
     * connections to end, close the rest, stop checks and threads. Idempotent; blocks at most the drain
     * timeout plus a few seconds.
     */
    @Override
    public void close() {
        close(config.drainTimeout());
    }

    /** {@link #close()} with another drain deadline (zero closes established connections at once). */
    public void close(Duration drainDeadline) {
        Objects.requireNonNull(drainDeadline, "drainDeadline");
        if (lifecycle.isClosed()) {
            return;
        }
        closeDrainDeadline = drainDeadline;
        if (lifecycle.close()) {
            LOG.info("Balancer '{}' closed", name);
        }
    }

    private void stopAndDrain() {
        admission.stopAccepting();
        for (Admission.Acceptor a : admission.acceptors()) {
            a.closeAndWait();
        }
        Channel admin = adminChannel;
        if (admin != null) {
            admin.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        drainSessions(closeDrainDeadline);
    }

    private void drainSessions(Duration deadline) {
        Set<Session> sessions = admission.sessions();
        if (sessions.isEmpty()) {
            return;
        }
        LOG.info("Balancer '{}' stopped accepting; draining {} connection(s) for up to {}", name, sessions.size(), Validation.format(deadline));
        try {
            if (!deadline.isZero()) {
                admission.drained().get(deadline.toNanos(), TimeUnit.NANOSECONDS);
                return;
            }
        } catch (TimeoutException e) {
            LOG.info("Balancer '{}': drain deadline reached, closing {} connection(s)", name, sessions.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        for (Session s : sessions) {
            s.kill('K');
        }
        try {
            admission.drained().get(5, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("Balancer '{}': {} connection(s) did not close in time", name, sessions.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "TcpBalancer[" + name + ", " + bound + ", " + config.balance() + "]";
    }

    /**
     * Builds a {@link TcpBalancer}. Options are set once (a second call throws) and validated when set; at
     * {@link #build()} at least one frontend is required. Defaults are listed on {@link TcpBalancer}.
     */
    public static final class Builder {
        private static final Duration MAX_TIMEOUT = Duration.ofDays(7);

        private final String name;
        private final List<InetSocketAddress> frontends = new ArrayList<>();
        private final List<Backend> backends = new ArrayList<>();
        private final Set<String> backendNames = new HashSet<>();
        private Balance balance;
        private Integer maxConnections;
        private Integer backlog;
        private Duration connectTimeout;
        private Duration clientTimeout;
        private Duration serverTimeout;
        private Duration tunnelTimeout;
        private Duration clientFinTimeout;
        private Duration queueTimeout;
        private Integer retries;
        private Boolean shutdownSessionsOnDown;
        private Boolean observeConnectFailures;
        private Duration slowStart;
        private Function<Backend, HealthCheck> healthCheck;
        private UnaryOperator<HealthChecker.Builder> checkTimers;
        private Integer ioThreads;
        private EventLoopGroup eventLoopGroup;
        private Transport transport;
        private Integer acceptors;
        private InetSocketAddress adminAddress;
        private Boolean adminActions;
        private Duration adminIdleTimeout;
        private Integer adminMaxConnections;
        private String adminUri;
        private Duration adminRefresh;
        private final List<String> adminCredentials = new ArrayList<>();
        private String adminRealm;
        private boolean adminHideVersion;
        private boolean adminActionsFromLoopbackOnly;
        private boolean adminRemoteWithoutAuth;
        private Boolean logConnections;
        private Duration drainTimeout;
        private Duration vipLeaveDrain;
        private Boolean allBackups;

        private Builder(String name) {
            Validation.notNull("name", name);
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
        }

        /** Adds a frontend address; port 0 picks a free port ({@link TcpBalancer#boundAddresses()} tells which). */
        public Builder bind(String host, int port) {
            Validation.notNull("host", host);
            Validation.inRange("port", port, 0, 65535);
            InetSocketAddress a = new InetSocketAddress(host, port);
            if (a.isUnresolved()) {
                throw new IllegalArgumentException("bind host cannot be resolved: " + host);
            }
            return bind(a);
        }

        /** Adds a frontend address. */
        public Builder bind(InetSocketAddress address) {
            Validation.notNull("address", address);
            if (frontends.contains(address) && address.getPort() != 0) {
                throw new IllegalArgumentException("frontend " + address + " is bound twice");
            }
            frontends.add(address);
            return this;
        }

        /** Adds a backend; more can be added at runtime with {@link TcpBalancer#addBackend}. */
        public Builder backend(Backend backend) {
            Validation.notNull("backend", backend);
            // a set, not a scan of the list: a generated haproxy.cfg with 25,000 servers took 10 s to --check
            if (!backendNames.add(backend.name())) {
                throw new IllegalArgumentException("backend name '" + backend.name() + "' is used twice");
            }
            backends.add(backend);
            return this;
        }

        /** The selection algorithm; default {@link Balance#ROUND_ROBIN}. */
        public Builder balance(Balance balance) {
            Validation.setOnce("balance", this.balance);
            this.balance = Validation.notNull("balance", balance);
            return this;
        }

        /**
         * Most client connections served at once, in [1, 1000000]; default 10000 (HAProxy's {@code maxconn}).
         * Exact: a slot is taken when a client is accepted, before any backend connect, and given back when
         * both sockets of its session are closed, so a backend never sees more than this many of our
         * connections, with any number of acceptors and event loops.
         *
         * <p>At the limit the balancer stops accepting, as HAProxy pauses its listeners: new clients wait in
         * the kernel's accept queue (bounded by {@link #backlog} and {@code net.core.somaxconn}), then in SYN
         * retransmission, and are served in arrival order as connections end. The few accepted by a batch
         * already under way wait for a slot without a backend connection, up to {@link #queueTimeout}. So
         * with 5,000 idle clients and a limit of 1,000, the first 1,000 hold the slots until they leave or
         * their timeout ends them (client timeout before the backend answers, then the tunnel timeout:
         * 24h by default, so lower it, or the client timeout with {@code tunnelTimeout(ZERO)}, where idle
         * clients are expected), and every later client, idle or not, waits in the backlog meanwhile: the
         * same queueing as HAProxy's, chosen because serving past the limit is what the limit forbids.
         */
        public Builder maxConnections(int max) {
            Validation.setOnce("maxConnections", this.maxConnections);
            this.maxConnections = Validation.inRange("maxConnections", max, 1, 1_000_000);
            return this;
        }

        /** The listen backlog, in [1, 65535]; default 1024 (the kernel caps it at {@code net.core.somaxconn}). */
        public Builder backlog(int backlog) {
            Validation.setOnce("backlog", this.backlog);
            this.backlog = Validation.inRange("backlog", backlog, 1, 65535);
            return this;
        }

        /** How long one connect attempt to a backend may take, in [1ms, 1h]; default 5s. */
        public Builder connectTimeout(Duration timeout) {
            Validation.setOnce("connectTimeout", this.connectTimeout);
            this.connectTimeout = Validation.inRange("connectTimeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /**
         * Client-side inactivity (nothing received from the client), in [0, 7d], 0 = none; default 60s.
         * Superseded by the tunnel timeout when that is set (HAProxy's TCP-mode rule).
         */
        public Builder clientTimeout(Duration timeout) {
            Validation.setOnce("clientTimeout", this.clientTimeout);
            this.clientTimeout = Validation.inRange("clientTimeout", timeout, Duration.ZERO, MAX_TIMEOUT);
            return this;
        }

        /**
         * Server-side inactivity (nothing received from the backend), in [0, 7d], 0 = none; default 60s.
         * Superseded by the tunnel timeout when that is set.
         */
        public Builder serverTimeout(Duration timeout) {
            Validation.setOnce("serverTimeout", this.serverTimeout);
            this.serverTimeout = Validation.inRange("serverTimeout", timeout, Duration.ZERO, MAX_TIMEOUT);
            return this;
        }

        /**
         * Inactivity in both directions together once the backend is connected, in [0, 7d], 0 = none (then
         * client and server timeouts apply per direction); default 24h so that silent {@code logs -f} and
         * {@code exec} streams and watches survive.
         */
        public Builder tunnelTimeout(Duration timeout) {
            Validation.setOnce("tunnelTimeout", this.tunnelTimeout);
            this.tunnelTimeout = Validation.inRange("tunnelTimeout", timeout, Duration.ZERO, MAX_TIMEOUT);
            return this;
        }

        /**
         * Inactivity allowed once either side has half-closed (sent FIN), in [0, 24h], 0 = the tunnel rule
         * continues; default 30s. Also bounds how long a closing connection waits to flush to a peer that
         * does not read.
         */
        public Builder clientFinTimeout(Duration timeout) {
            Validation.setOnce("clientFinTimeout", this.clientFinTimeout);
            this.clientFinTimeout = Validation.inRange("clientFinTimeout", timeout, Duration.ZERO, Duration.ofHours(24));
            return this;
        }

        /**
         * How long a client accepted past {@link #maxConnections} waits for a slot before it is closed (state
         * {@code sQ}), in [1ms, 1h]; default the connect timeout (HAProxy's {@code timeout queue} and its
         * default). See {@link #maxConnections} for who waits where.
         */
        public Builder queueTimeout(Duration timeout) {
            Validation.setOnce("queueTimeout", this.queueTimeout);
            this.queueTimeout = Validation.inRange("queueTimeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /**
         * Connect attempts after the first fails, in [0, 100]; default 3. Each goes to another server when
         * one is available (redispatch); when only servers already tried are left, the retry waits
         * {@code min(connectTimeout, 1s)} first (HAProxy's turn-around delay).
         */
        public Builder retries(int retries) {
            Validation.setOnce("retries", this.retries);
            this.retries = Validation.inRange("retries", retries, 0, 100);
            return this;
        }

        /** Close a backend's connections when it is marked down (HAProxy {@code on-marked-down shutdown-sessions}); default true. */
        public Builder shutdownSessionsOnDown(boolean shutdown) {
            Validation.setOnce("shutdownSessionsOnDown", this.shutdownSessionsOnDown);
            this.shutdownSessionsOnDown = shutdown;
            return this;
        }

        /**
         * Count a client connection's failed connect to a backend as a failed health check (HAProxy's
         * {@code observe layer4}); default true, so a dead kube-apiserver is taken out between two checks. A
         * balancer whose backends have no real check (HAProxy's servers without {@code check}, which are never
         * marked down) sets it to false.
         */
        public Builder observeConnectFailures(boolean observe) {
            Validation.setOnce("observeConnectFailures", this.observeConnectFailures);
            this.observeConnectFailures = observe;
            return this;
        }

        /**
         * How long a server that comes back up (or is enabled again) takes to reach its full weight, in
         * [0, 1h], 0 = at once; default 60s (HAProxy {@code slowstart}; not applied at startup).
         */
        public Builder slowStart(Duration window) {
            Validation.setOnce("slowStart", this.slowStart);
            this.slowStart = Validation.inRange("slowStart", window, Duration.ZERO, Duration.ofHours(1));
            return this;
        }

        /**
         * The check of backends that have none of their own; default HTTPS {@code GET /readyz} expecting 200
         * with any certificate trusted ({@link HttpCheck#kubernetesReadyz}). E.g.
         * {@code b -> HealthCheck.tcp(b.address())} for a plain TCP connect check.
         */
        public Builder healthCheck(Function<Backend, HealthCheck> check) {
            Validation.setOnce("healthCheck", this.healthCheck);
            this.healthCheck = Validation.notNull("healthCheck", check);
            return this;
        }

        /**
         * Sets the timers of every backend's checker (inter, fastinter, downinter, rise, fall, timeout,
         * initial state) on the given builder, which must not set its check; default
         * {@link HealthChecker.Builder#kubernetesDefaults()}.
         */
        public Builder healthCheckTimers(UnaryOperator<HealthChecker.Builder> timers) {
            Validation.setOnce("healthCheckTimers", this.checkTimers);
            this.checkTimers = Validation.notNull("healthCheckTimers", timers);
            return this;
        }

        /** Event loop threads when the balancer makes its own group, in [1, 1024]; default: available processors. */
        public Builder ioThreads(int threads) {
            Validation.setOnce("ioThreads", this.ioThreads);
            if (eventLoopGroup != null) {
                throw new IllegalStateException("ioThreads cannot be combined with eventLoopGroup");
            }
            this.ioThreads = Validation.inRange("ioThreads", threads, 1, 1024);
            return this;
        }

        /**
         * Runs on the host's event loop group instead of a group of its own (not shut down at close). Its
         * I/O handler must match the transport (an epoll group for {@link Transport#EPOLL}, say).
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            Validation.setOnce("eventLoopGroup", this.eventLoopGroup);
            if (ioThreads != null) {
                throw new IllegalStateException("eventLoopGroup cannot be combined with ioThreads");
            }
            this.eventLoopGroup = Validation.notNull("eventLoopGroup", group);
            return this;
        }

        /** The transport; default {@link Transport#AUTO}. */
        public Builder transport(Transport transport) {
            Validation.setOnce("transport", this.transport);
            this.transport = Validation.notNull("transport", transport);
            return this;
        }

        /**
         * Event loops that accept from each frontend address, in [1, 64] (at most the number of event loops); default
         * {@code ioThreads} with epoll, 1 with NIO. With epoll the loops share one listening socket and a new client
         * wakes one that waits in epoll ({@code EPOLLEXCLUSIVE}), so clients go to idle loops first, as with HAProxy's
         * threads; no socket sets {@code SO_REUSEPORT}, so nothing else can bind the address while the balancer listens.
         */
        public Builder acceptors(int perAddress) {
            Validation.setOnce("acceptors", this.acceptors);
            this.acceptors = Validation.inRange("acceptors", perAddress, 1, 64);
            return this;
        }

        /** Serves the stats page and admin actions on {@code 127.0.0.1:port} (0 = any free port). */
        public Builder adminPort(int port) {
            Validation.inRange("adminPort", port, 0, 65535);
            return adminAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }

        /**
         * Serves the stats page and admin actions on {@code address}. A non-loopback address needs
         * {@link #adminUser} (or the explicit {@link #adminAllowRemoteWithoutAuth()}); {@link #build()} refuses it
         * otherwise.
         */
        public Builder adminAddress(InetSocketAddress address) {
            Validation.setOnce("adminAddress", this.adminAddress);
            this.adminAddress = Validation.notNull("adminAddress", address);
            return this;
        }

        /**
         * Whether the admin listener accepts actions (POST/DELETE) besides serving the stats pages; default
         * true (HAProxy's {@code stats admin if TRUE}). With false the pages are read-only, have no buttons,
         * and actions answer 403.
         */
        public Builder adminActions(boolean enabled) {
            Validation.setOnce("adminActions", this.adminActions);
            this.adminActions = enabled;
            return this;
        }

        /**
         * How long an admin connection may stay without a complete request before it is closed, in
         * [100ms, 1h]; default 30s (HAProxy's {@code stats timeout}). Idle clients cannot hold the listener's
         * sockets for ever.
         */
        public Builder adminIdleTimeout(Duration timeout) {
            Validation.setOnce("adminIdleTimeout", this.adminIdleTimeout);
            this.adminIdleTimeout = Validation.inRange("adminIdleTimeout", timeout, Duration.ofMillis(100), Duration.ofHours(1));
            return this;
        }

        /**
         * Most connections the admin listener holds at once, in [1, 10000]; default 64 (HAProxy's
         * {@code stats maxconn} is 10). At the cap a new admin connection is closed at once, so that idle or
         * hostile admin clients cannot use up the process's file descriptors and starve the relay and the
         * health checks.
         */
        public Builder adminMaxConnections(int max) {
            Validation.setOnce("adminMaxConnections", this.adminMaxConnections);
            this.adminMaxConnections = Validation.inRange("adminMaxConnections", max, 1, 10_000);
            return this;
        }

        /**
         * The stats page's address (HAProxy's {@code stats uri}), default {@code /stats}: starting with '/', without
         * blanks, '#' or ';', at most 256 characters; it may hold a query, as HAProxy's own default
         * {@code /haproxy?stats} does. The page answers that target, also with more query parameters after it; its
         * JSON is at {@code uri;json} (as HAProxy serves {@code ;csv}) and {@code uri.json}; {@code /metrics} and the
         * actions ({@code /backends/...}) keep their paths.
         */
        public Builder adminUri(String uri) {
            Validation.setOnce("adminUri", this.adminUri);
            Validation.notNull("adminUri", uri);
            if (!uri.matches("/[\\x21-\\x7e&&[^#;]]{0,255}")) {
                throw new IllegalArgumentException("adminUri must start with '/' and hold at most 256 printable characters "
                        + "other than blanks, '#' and ';', was '" + uri + "'");
            }
            this.adminUri = uri;
            return this;
        }

        /** The page reloads itself this often (HAProxy's {@code stats refresh}), in [1s, 1d]; default never. */
        public Builder adminRefresh(Duration interval) {
            Validation.setOnce("adminRefresh", this.adminRefresh);
            this.adminRefresh = Validation.inRange("adminRefresh", interval, Duration.ofSeconds(1), Duration.ofDays(1));
            return this;
        }

        /**
         * Requires HTTP basic authentication for every request to the admin listener, with this user among the
         * accepted ones (HAProxy's {@code stats auth user:password}; repeat for more users). The user may not hold
         * ':'; the password is compared in constant time. Basic authentication sends the password in clear on
         * every request: outside loopback, put the listener behind TLS or an SSH tunnel.
         */
        public Builder adminUser(String user, String password) {
            Validation.notNull("adminUser user", user);
            Validation.notNull("adminUser password", password);
            if (user.isEmpty() || user.indexOf(':') >= 0 || user.chars().anyMatch(c -> c < 0x20)) {
                throw new IllegalArgumentException("adminUser: the user must be non-empty, without ':' or control characters");
            }
            if (password.chars().anyMatch(c -> c < 0x20)) {
                throw new IllegalArgumentException("adminUser: the password must not hold control characters");
            }
            adminCredentials.add(user + ":" + password);
            return this;
        }

        /** The realm of the authentication challenge (HAProxy's {@code stats realm}); default "ha4j statistics". */
        public Builder adminRealm(String realm) {
            Validation.setOnce("adminRealm", this.adminRealm);
            Validation.notNull("adminRealm", realm);
            if (realm.isEmpty() || realm.length() > 128 || realm.chars().anyMatch(c -> c < 0x20 || c == '"' || c == '\\' || c > 0x7e)) {
                throw new IllegalArgumentException("adminRealm must be 1 to 128 printable ASCII characters without '\"' or '\\'");
            }
            this.adminRealm = realm;
            return this;
        }

        /** Leaves the ha4j version off the stats page (HAProxy's {@code stats hide-version}). */
        public Builder adminHideVersion() {
            this.adminHideVersion = true;
            return this;
        }

        /**
         * Takes admin actions only from clients on a loopback address (HAProxy's {@code stats admin if LOCALHOST});
         * others see the read-only page and get 403 for an action.
         */
        public Builder adminActionsFromLoopbackOnly() {
            this.adminActionsFromLoopbackOnly = true;
            return this;
        }

        /**
         * Accepts an {@link #adminAddress} that is not loopback without {@link #adminUser}: the owner states that
         * something else (a firewall, an authenticating proxy) keeps strangers away. Without this call such a
         * listener is refused at {@link #build()}.
         */
        public Builder adminAllowRemoteWithoutAuth() {
            this.adminRemoteWithoutAuth = true;
            return this;
        }

        /** One log line per connection to logger {@code io.ha4j.proxy.tcplog} (format on {@link TcpBalancer}); default off. */
        public Builder logConnections(boolean log) {
            Validation.setOnce("logConnections", this.logConnections);
            this.logConnections = log;
            return this;
        }

        /** How long {@link TcpBalancer#close()} lets established connections finish, in [0, 1h]; default 30s. */
        public Builder drainTimeout(Duration timeout) {
            Validation.setOnce("drainTimeout", this.drainTimeout);
            this.drainTimeout = Validation.inRange("drainTimeout", timeout, Duration.ZERO, Duration.ofHours(1));
            return this;
        }

        /**
         * When a VIP leaves this node (a VRRP handover tells the cluster's VIP manager, see
         * {@link io.ha4j.core.VipListener#onAddressReleasing}, or someone removes the address), the client connections
         * that arrived on it get this long for bytes in flight, then end with a FIN (flushed, as at a kill), so that
         * clients reconnect, now to the new master, at once instead of waiting for a timeout; in [0, 10s], default 200
         * ms. Keep it below the VRRP instance's {@code handoverLinger} (default 300 ms): once the address is gone, no
         * FIN can leave. A connection accepted on the address during the drain (a client that missed the new master's
         * gratuitous ARP) ends with the others at the same deadline; after it, connections on the address are served
         * again as usual (this node may have taken mastership back). What this cannot save: once the new master's
         * gratuitous ARP reached a client, its segments go there, and that node's kernel resets any connection this
         * node accepted; a connection whose client was still sending (a TLS handshake, a request) at that moment fails
         * and needs a client retry (ha-vrrp README, "Planned handover"). Counted in
         * {@link BalancerStats#closedOnVipLeave()}. No HAProxy equivalent (HAProxy does not know about VIPs).
         */
        public Builder vipLeaveDrain(Duration drain) {
            Validation.setOnce("vipLeaveDrain", this.vipLeaveDrain);
            this.vipLeaveDrain = Validation.inRange("vipLeaveDrain", drain, Duration.ZERO, Duration.ofSeconds(10));
            return this;
        }

        /**
         * When no primary server is available, use all available backups (HAProxy {@code option allbackups})
         * instead of only the first one in declaration order; default false.
         */
        public Builder allBackups(boolean all) {
            Validation.setOnce("allBackups", this.allBackups);
            this.allBackups = all;
            return this;
        }

        /**
         * Builds the balancer from the options set (defaults for the others, listed on {@link TcpBalancer}).
         *
         * @throws IllegalStateException when a required option is missing, naming it: {@code bind} (at least
         *     one frontend address) is the only required one
         */
        public TcpBalancer build() {
            if (frontends.isEmpty()) {
                throw new IllegalStateException("bind: at least one frontend address is required");
            }
            Duration connect = connectTimeout != null ? connectTimeout : Duration.ofSeconds(5);
            return new TcpBalancer(new BalancerConfig(
                    name,
                    frontends,
                    backends,
                    balance != null ? balance : Balance.ROUND_ROBIN,
                    maxConnections != null ? maxConnections : 10_000,
                    backlog != null ? backlog : 1024,
                    connect.toNanos(),
                    nanos(clientTimeout, Duration.ofSeconds(60)),
                    nanos(serverTimeout, Duration.ofSeconds(60)),
                    nanos(tunnelTimeout, Duration.ofHours(24)),
                    nanos(clientFinTimeout, Duration.ofSeconds(30)),
                    nanos(queueTimeout, connect),
                    retries != null ? retries : 3,
                    shutdownSessionsOnDown == null || shutdownSessionsOnDown,
                    observeConnectFailures == null || observeConnectFailures,
                    nanos(slowStart, Duration.ofSeconds(60)),
                    healthCheck != null ? healthCheck : TcpBalancer::kubernetesReadyz,
                    checkTimers != null ? checkTimers : HealthChecker.Builder::kubernetesDefaults,
                    ioThreads != null ? ioThreads : Runtime.getRuntime().availableProcessors(),
                    eventLoopGroup,
                    transport != null ? transport : Transport.AUTO,
                    acceptors,
                    adminAddress,
                    adminActions == null || adminActions,
                    nanos(adminIdleTimeout, Duration.ofSeconds(30)),
                    adminMaxConnections != null ? adminMaxConnections : 64,
                    adminPage(),
                    logConnections != null && logConnections,
                    drainTimeout != null ? drainTimeout : Duration.ofSeconds(30),
                    allBackups != null && allBackups,
                    nanos(vipLeaveDrain, Duration.ofMillis(200))));
        }

        private AdminPage adminPage() {
            boolean anyPageOption = adminUri != null || adminRefresh != null || !adminCredentials.isEmpty() || adminRealm != null
                    || adminHideVersion || adminActionsFromLoopbackOnly || adminRemoteWithoutAuth;
            if (adminAddress == null && anyPageOption) {
                throw new IllegalStateException("adminAddress (or adminPort) is required when an admin page option is set");
            }
            if (adminActionsFromLoopbackOnly && adminActions != null && !adminActions) {
                throw new IllegalStateException("adminActionsFromLoopbackOnly contradicts adminActions(false)");
            }
            if (adminAddress != null && !adminAddress.getAddress().isLoopbackAddress() && adminCredentials.isEmpty()
                    && !adminRemoteWithoutAuth) {
                throw new IllegalStateException("adminAddress " + AbstractSession.format(adminAddress) + " is not a loopback "
                        + "address and no adminUser is set: anyone who can reach it could read the stats and, with admin "
                        + "actions, drain or remove backends. Set adminUser(user, password) (HAProxy's 'stats auth'), bind "
                        + "to loopback, or call adminAllowRemoteWithoutAuth() if a firewall or proxy in front guards it");
            }
            return new AdminPage(adminUri != null ? adminUri : AdminPage.DEFAULT_URI,
                    adminRefresh != null ? adminRefresh.toSeconds() : 0, adminCredentials,
                    adminRealm != null ? adminRealm : AdminPage.DEFAULT_REALM, adminHideVersion,
                    adminActionsFromLoopbackOnly, adminRemoteWithoutAuth);
        }

        private static long nanos(Duration d, Duration fallback) {
            return (d != null ? d : fallback).toNanos();
        }
    }
}
