package io.ha4j.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.ha4j.core.Clock;
import io.ha4j.core.ComponentContext;
import io.ha4j.core.HaComponent;
import io.ha4j.core.HaEvent;
import io.ha4j.core.LeaderElection;
import io.ha4j.core.Leadership;
import io.ha4j.core.LeadershipListener;
import io.ha4j.core.Phase;
import io.ha4j.core.ScheduledTask;
import io.ha4j.core.Scheduler;
import io.ha4j.core.VipManager;
import io.ha4j.core.VirtualAddress;
import io.ha4j.core.internal.LeadershipState;
import io.ha4j.core.internal.RateLimitedLog;
import io.ha4j.core.internal.Validation;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on etcd, behind ha-core's {@link LeaderElection}: the same API a host uses with
 * {@code VrrpInstance}, for networks where VRRP adverts and gratuitous ARP cannot reach every node (clouds, routed
 * fabrics), or for a Java controller that needs a leader whether or not a VIP exists.
 *
 * <pre>{@code
 * EtcdElection election = EtcdElection.builder("controller")
 *         .endpoints("https://10.0.0.1:2379", "https://10.0.0.2:2379", "https://10.0.0.3:2379")
 *         .trustedCertificates(Path.of("/etc/kubernetes/pki/etcd/ca.crt"))
 *         .clientCertificate(Path.of("/etc/ha4j/etcd-client.crt"), Path.of("/etc/ha4j/etcd-client.key"))
 *         .ttl(Duration.ofSeconds(5))
 *         .build();
 * HaCluster.builder().add(election).build().start();
 * }</pre>
 *
 * <p><b>Algorithm.</b> Each candidate grants itself a lease of {@link Builder#ttl TTL} seconds and writes the key
 * {@code <keyPrefix><lease id in hex>} bound to it, with its {@linkplain Builder#candidateId id} as value. The
 * candidate whose key has the smallest create revision leads (etcd's own {@code concurrency.Election} order). The
 * others watch the prefix for deletions and re-read the oldest key when one is seen, and also on every keep-alive
 * acknowledgement, so a lost watch event delays a takeover by one keep-alive interval at most. The fencing token
 * is the leader's create revision: a later leader's key was necessarily created later, so tokens only grow across
 * the whole cluster.
 *
 * <p><b>Safety: the leader steps down on its own clock.</b> Keep-alives are sent every TTL/4. When one is
 * acknowledged, the lease cannot expire on the server before <em>send time + TTL</em>, because the server renewed
 * it after the request left. The leader keeps leading only until <em>send time of the last acknowledged keep-alive
 * + ¾ TTL</em>; the last quarter is the margin for clock-rate differences and for this node's own scheduling
 * delays. A leader cut off from etcd therefore steps down before its key can be deleted, and no other candidate
 * can lead before that deletion: two leaders never overlap, provided this JVM's threads are not paused for longer
 * than the margin. For that case the fencing token is what protects a resource. A lease found expired, a
 * campaign step that fails, or a missed deadline abandons the lease (revoked, best effort) and campaigns again
 * with a new one after a backoff (100 ms doubling to TTL, with jitter), so every new term has a new, larger token.
 *
 * <p><b>Failover.</b> A crashed leader's key goes when its lease expires on the server: failover ≈ TTL after the
 * last keep-alive plus a watch event. {@link #close()} hands over at once: it steps down, then revokes the lease,
 * which deletes the key and wakes the next candidate. etcd member failures are absorbed by the client's round-robin
 * over all {@linkplain Builder#endpoints endpoints} and by per-request timeouts of TTL/4; when etcd loses quorum
 * nobody leads (and a VIP that follows the leader is removed) until it is back.
 *
 * <p><b>Virtual addresses.</b> With {@link Builder#virtualAddress}, the leader adds the addresses through the
 * cluster's {@link VipManager} and announces them ({@link VipAnnouncer}; by default the manager's gratuitous ARP /
 * unsolicited NA) before its listeners hear {@code isLeader}, and removes them before they hear {@code notLeader}.
 * At start, configured addresses left by a crashed run are removed, as VRRP does.
 *
 * <p><b>Threads.</b> jetcd's callbacks are handed to the cluster's {@link Scheduler}; every decision runs there, on
 * the injected clock. {@link LeadershipListener}s run on the scheduler thread unless given an executor, except the
 * final {@code notLeader} of {@link #close()}, which runs on the closing thread. Events published to the cluster:
 * {@code FOLLOWER -> LEADER} and {@code LEADER -> FOLLOWER} with the reason.
 *
 * <p><b>Lifecycle.</b> Start once; {@link #close()} is idempotent, callable from any thread, and waits up to one
 * second for the lease revocation.
 *
 * <p>This file is over the project's ~600-line guide on purpose: the campaign steps share one session and one lock,
 * and the safety argument above holds only if every step checks {@code closed} and the deadline the same way, which
 * is easiest to review in one place; the public nested {@link Builder} is another 150 lines.
 */
public final class EtcdElection implements HaComponent, LeaderElection {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdElection.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long REVOKE_ON_CLOSE_MILLIS = 1000;

    private final String name;
    private final List<URI> endpoints;
    private final long ttlSeconds;
    private final long ttlNanos;
    private final long keepAliveNanos;
    private final long leadWindowNanos;
    private final String keyPrefix;
    private final ByteSequence prefixBytes;
    private final String candidateId;
    private final ByteSequence candidateBytes;
    private final TlsFiles tls;
    private final List<VirtualAddress> vips;
    private final VipAnnouncer announcer;
    private final int announceRepeat;
    private final VipManager fallbackVipManager;

    private final LeadershipState leadership = new LeadershipState();
    private final AtomicBoolean started = new AtomicBoolean();
    /** Guards the campaign state; callbacks run on the scheduler thread, close() on any. */
    private final Object lock = new Object();
    private volatile boolean closed;
    private volatile String leaderId;
    private ComponentContext context;
    private ComponentContext ownContext;
    private Scheduler scheduler;
    private Clock clock;
    private VipManager vipManager;
    private RateLimitedLog rateLimitedLog;
    private Client client;
    private Session session;
    private int failures;

    private EtcdElection(Builder b) {
        this.name = b.name;
        this.endpoints = List.copyOf(b.endpoints);
        this.ttlSeconds = b.ttl.toSeconds();
        this.ttlNanos = b.ttl.toNanos();
        this.keepAliveNanos = ttlNanos / 4;
        this.leadWindowNanos = ttlNanos - ttlNanos / 4;
        this.keyPrefix = b.keyPrefix != null ? b.keyPrefix : "/ha4j/elections/" + b.name + "/";
        this.prefixBytes = ByteSequence.from(keyPrefix, StandardCharsets.UTF_8);
        this.candidateId = b.candidateId != null ? b.candidateId : defaultCandidateId();
        this.candidateBytes = ByteSequence.from(candidateId, StandardCharsets.UTF_8);
        this.tls = b.tls;
        this.vips = List.copyOf(b.vips);
        this.announcer = b.announcer;
        this.announceRepeat = b.announceRepeat;
        this.fallbackVipManager = b.vipManager;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    private static String defaultCandidateId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + "/" + ProcessHandle.current().pid();
    }

    // ----------------------------------------------------------------------------------------- component

    @Override
    public String name() {
        return name;
    }

    /** The election tier: after health checks and balancers, stopped first, like VRRP. */
    @Override
    public Phase phase() {
        return Phase.VRRP;
    }

    /**
     * Starts without a cluster, on a scheduler thread of its own ({@code <name>-timer}) and the builder's VIP
     * manager; {@link #close()} stops that thread.
     */
    public void start() throws IOException {
        if (started.get() || closed) {
            throw new IllegalStateException("etcd election '" + name + "' can be started once");
        }
        ComponentContext own = ComponentContext.standalone(name);
        ownContext = own;
        try {
            start(own);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Connects to etcd and campaigns: removes leftover VIPs, then grants a lease and writes the election key in
     * the background. Returns without waiting for etcd; {@link #awaitLeadership} waits.
     *
     * @throws IllegalStateException when started twice or closed, or with VIPs but no VIP manager
     * @throws IOException when the TLS files cannot be read or leftover VIPs cannot be listed
     */
    @Override
    public void start(ComponentContext context) throws IOException {
        Objects.requireNonNull(context, "context");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("etcd election '" + name + "' can be started once");
        }
        if (closed) {
            throw new IllegalStateException("etcd election '" + name + "' is closed");
        }
        VipManager vm = context.vipManager().orElse(fallbackVipManager);
        if (!vips.isEmpty() && vm == null) {
            throw new IllegalStateException("etcd election '" + name
                    + "' has virtual addresses but no VIP manager: configure one on the cluster or set Builder.vipManager(...)");
        }
        this.context = context;
        this.scheduler = context.scheduler();
        this.clock = scheduler.clock();
        this.vipManager = vm;
        this.rateLimitedLog = new RateLimitedLog(LOG, clock, LOG_INTERVAL_NANOS);
        if (!vips.isEmpty()) {
            int leftovers = vm.cleanUp(vips);
            if (leftovers > 0) {
                LOG.warn("etcd election '{}': removed {} VIP(s) left behind by a previous run", name, leftovers);
            }
        }
        ClientBuilder cb = Client.builder()
                .endpoints(endpoints.toArray(new URI[0]))
                .loadBalancerPolicy("round_robin")
                .connectTimeout(Duration.ofNanos(Math.max(keepAliveNanos, TimeUnit.MILLISECONDS.toNanos(250))))
                .waitForReady(false)
                .retryMaxAttempts(0);
        if (tls != null) {
            try {
                cb.sslContext(ssl -> {
                    if (tls.ca != null) {
                        ssl.trustManager(tls.ca.toFile());
                    }
                    if (tls.cert != null) {
                        ssl.keyManager(tls.cert.toFile(), tls.key.toFile());
                    }
                });
            } catch (SSLException e) {
                throw new IOException("etcd election '" + name + "': TLS setup failed: " + e.getMessage(), e);
            }
        }
        client = cb.build();
        LOG.info("etcd election '{}': candidate '{}' campaigning under '{}' on {} (TTL {} s)", name, candidateId,
                keyPrefix, endpoints, ttlSeconds);
        scheduler.execute(this::campaign);
    }

    /**
     * Steps down (VIPs removed, listeners told on this thread), then revokes the lease so that the next candidate
     * leads at once, waiting up to one second for etcd; closes the client. Idempotent.
     */
    @Override
    public void close() {
        Session last;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            last = session;
            session = null;
            if (last != null) {
                last.end();
            }
            stepDown("closed");
        }
        leadership.close();
        if (last != null && client != null) {
            try {
                client.getLeaseClient().revoke(last.leaseId).get(REVOKE_ON_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("etcd election '{}': revoking lease {} on close failed ({}); the key goes when it expires",
                        name, Long.toHexString(last.leaseId), e.toString());
            }
        }
        if (client != null) {
            client.close();
        }
        if (ownContext != null) {
            ownContext.close();
        }
    }

    // --------------------------------------------------------------------------------------- public view

    /** The current term; its token is the create revision of this node's election key. */
    @Override
    public Optional<Leadership> leadership() {
        return leadership.current();
    }

    @Override
    public Optional<Leadership> awaitLeadership(Duration timeout) throws InterruptedException {
        return leadership.await(timeout);
    }

    @Override
    public void addLeadershipListener(LeadershipListener listener) {
        leadership.addListener(listener, Runnable::run);
    }

    @Override
    public void addLeadershipListener(LeadershipListener listener, Executor executor) {
        leadership.addListener(listener, executor);
    }

    @Override
    public void removeLeadershipListener(LeadershipListener listener) {
        leadership.removeListener(listener);
    }

    /** The candidate id of the leader as last observed in etcd (this node's own while it leads), if known. */
    public Optional<String> currentLeader() {
        return Optional.ofNullable(leaderId);
    }

    /** This node's candidate id, the value of its election key. */
    public String candidateId() {
        return candidateId;
    }

    public String keyPrefix() {
        return keyPrefix;
    }

    public Duration ttl() {
        return Duration.ofSeconds(ttlSeconds);
    }

    public List<VirtualAddress> virtualAddresses() {
        return vips;
    }

    @Override
    public String toString() {
        return "EtcdElection[" + name + ", " + candidateId + ", " + (hasLeadership() ? "LEADER" : "FOLLOWER") + "]";
    }

    // ------------------------------------------------------------------------------------------ campaign

    /** One lease and the election key bound to it; replaced as a whole when anything about it is in doubt. */
    private final class Session {
        final long leaseId;
        final ByteSequence key;
        long createRevision;
        long deadlineNanos;
        long evaluatedRevision;
        ScheduledTask keepAliveTask;
        ScheduledTask deadlineTask;
        Watch.Watcher watcher;
        boolean ended;

        Session(long leaseId, long deadlineNanos) {
            this.leaseId = leaseId;
            this.key = ByteSequence.from(keyPrefix + Long.toHexString(leaseId), StandardCharsets.UTF_8);
            this.deadlineNanos = deadlineNanos;
        }

        void end() {
            ended = true;
            if (keepAliveTask != null) {
                keepAliveTask.cancel();
            }
            if (deadlineTask != null) {
                deadlineTask.cancel();
            }
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
        }
    }

    // Every call into the client is made under the lock after checking `closed`, and close() sets `closed` under
    // the lock before it closes the client: no call reaches a closed client.

    private void campaign() {
        synchronized (lock) {
            if (closed || session != null) {
                return;
            }
            long sent = clock.nanoTime();
            within(client.getLeaseClient().grant(ttlSeconds), leadWindowNanos, "lease grant")
                    .whenComplete((grant, error) -> scheduler.execute(() -> onGranted(grant, error, sent)));
        }
    }

    private void onGranted(LeaseGrantResponse grant, Throwable error, long sent) {
        synchronized (lock) {
            if (closed) {
                return; // no key was written under this lease; it expires on its own
            }
            if (error != null) {
                retryLater("granting a lease", error);
                return;
            }
            Session s = new Session(grant.getID(), sent + window(grant.getTTL()));
            session = s;
            // the first keep-alive goes at once: when the grant itself was slow (a cold JVM, a loaded etcd), its
            // window is already short, and this renews it while the key is written
            keepAlive(s);
            s.deadlineTask = scheduler.schedule(() -> checkDeadline(s), s.deadlineNanos - clock.nanoTime());
            within(client.getKVClient().put(s.key, candidateBytes, PutOption.builder().withLeaseId(s.leaseId).build()),
                    leadWindowNanos, "election key write")
                    .whenComplete((put, e) -> scheduler.execute(() -> onKeyWritten(s, put, e)));
        }
    }

    private void onKeyWritten(Session s, PutResponse put, Throwable error) {
        synchronized (lock) {
            if (s != session || closed) {
                return;
            }
            if (error != null) {
                abandon(s, "writing the election key failed: " + describe(error));
                return;
            }
            s.createRevision = put.getHeader().getRevision();
            LOG.debug("etcd election '{}': key {} written at revision {}", name, s.key, s.createRevision);
            evaluate(s);
        }
    }

    /** Reads the oldest key under the prefix: ours means we lead, another names the leader. */
    private void evaluate(Session s) {
        GetOption oldest = GetOption.builder()
                .isPrefix(true)
                .withSortField(GetOption.SortTarget.CREATE)
                .withSortOrder(GetOption.SortOrder.ASCEND)
                .withLimit(1)
                .build();
        within(client.getKVClient().get(prefixBytes, oldest), keepAliveNanos, "leader read")
                .whenComplete((r, e) -> scheduler.execute(() -> onEvaluated(s, r, e)));
    }

    private void onEvaluated(Session s, GetResponse response, Throwable error) {
        synchronized (lock) {
            if (s != session || closed || s.createRevision == 0) {
                return;
            }
            if (error != null) {
                rateLimitedLog.warn(name + ":read", "etcd election '{}': reading the leader failed: {}", name,
                        describe(error));
                return;
            }
            long revision = response.getHeader().getRevision();
            if (revision < s.evaluatedRevision) {
                return; // an older answer overtaken by a newer one
            }
            s.evaluatedRevision = revision;
            failures = 0;
            if (s.watcher == null) {
                watch(s, revision + 1);
            }
            List<KeyValue> kvs = response.getKvs();
            if (kvs.isEmpty()) {
                abandon(s, "no election key left (our lease expired on the server)");
                return;
            }
            KeyValue oldest = kvs.get(0);
            if (oldest.getKey().equals(s.key)) {
                lead(s);
            } else {
                leaderId = oldest.getValue().toString(StandardCharsets.UTF_8);
                if (hasLeadership()) {
                    stepDown("an older election key exists: " + oldest.getKey());
                    abandon(s, "an older election key exists");
                }
            }
        }
    }

    private void watch(Session s, long fromRevision) {
        WatchOption option = WatchOption.builder()
                .isPrefix(true)
                .withNoPut(true)
                .withRevision(fromRevision)
                .withRequireLeader(true)
                .build();
        s.watcher = client.getWatchClient().watch(prefixBytes, option, Watch.listener(
                r -> scheduler.execute(() -> onWatchEvents(s, r)),
                e -> scheduler.execute(() -> onWatchError(s, e))));
    }

    private void onWatchEvents(Session s, WatchResponse response) {
        synchronized (lock) {
            if (s != session || closed) {
                return;
            }
            boolean deleted = false;
            for (WatchEvent event : response.getEvents()) {
                if (event.getEventType() != WatchEvent.EventType.DELETE) {
                    continue;
                }
                if (event.getKeyValue().getKey().equals(s.key)) {
                    abandon(s, "our election key was deleted (lease expired or revoked)");
                    return;
                }
                deleted = true;
            }
            if (deleted && !hasLeadership()) {
                evaluate(s);
            }
        }
    }

    private void onWatchError(Session s, Throwable error) {
        synchronized (lock) {
            if (s != session || closed) {
                return;
            }
            rateLimitedLog.warn(name + ":watch", "etcd election '{}': watch failed, re-reading on the next keep-alive: {}",
                    name, describe(error));
            if (s.watcher != null) {
                s.watcher.close();
                s.watcher = null;
            }
        }
    }

    private void keepAlive(Session s) {
        synchronized (lock) {
            if (s != session || closed || s.ended) {
                return;
            }
            long sent = clock.nanoTime();
            within(client.getLeaseClient().keepAliveOnce(s.leaseId), keepAliveNanos, "keep-alive")
                    .whenComplete((r, e) -> scheduler.execute(() -> onKeepAlive(s, sent, r, e)));
            s.keepAliveTask = scheduler.schedule(() -> keepAlive(s), keepAliveNanos);
        }
    }

    private void onKeepAlive(Session s, long sent, LeaseKeepAliveResponse response, Throwable error) {
        synchronized (lock) {
            if (s != session || closed) {
                return;
            }
            if (error != null) {
                rateLimitedLog.warn(name + ":keepalive", "etcd election '{}': keep-alive of lease {} failed: {}", name,
                        Long.toHexString(s.leaseId), describe(error));
                return;
            }
            if (response.getTTL() <= 0) {
                abandon(s, "lease " + Long.toHexString(s.leaseId) + " expired on the server");
                return;
            }
            s.deadlineNanos = Math.max(s.deadlineNanos, sent + window(response.getTTL()));
            LOG.debug("etcd election '{}': lease {} renewed (TTL {} s), leading allowed for {} ms more", name,
                    Long.toHexString(s.leaseId), response.getTTL(),
                    TimeUnit.NANOSECONDS.toMillis(s.deadlineNanos - clock.nanoTime()));
            // a follower re-reads in case a watch event was lost; anyone whose watch failed re-creates it this way
            if ((!hasLeadership() || s.watcher == null) && s.createRevision != 0) {
                evaluate(s);
            }
        }
    }

    private void checkDeadline(Session s) {
        synchronized (lock) {
            if (s != session || closed) {
                return;
            }
            long now = clock.nanoTime();
            if (now < s.deadlineNanos) {
                s.deadlineTask = scheduler.schedule(() -> checkDeadline(s), s.deadlineNanos - now);
                return;
            }
            abandon(s, "no keep-alive acknowledged for " + TimeUnit.NANOSECONDS.toMillis(leadWindowNanos)
                    + " ms; the lease may expire on the server");
        }
    }

    /** How long after a request was sent the lease granted or renewed by it is surely alive on the server. */
    private long window(long grantedTtlSeconds) {
        // etcd may grant more than asked (its minimum TTL), never less; the smaller figure is the safe one
        return Math.min(leadWindowNanos, TimeUnit.SECONDS.toNanos(grantedTtlSeconds) - ttlNanos / 4);
    }

    private void lead(Session s) {
        if (hasLeadership()) {
            return;
        }
        long now = clock.nanoTime();
        if (now >= s.deadlineNanos) {
            return; // the deadline task abandons this session
        }
        leaderId = candidateId;
        addVips();
        LOG.info("etcd election '{}': candidate '{}' is leader (token {})", name, candidateId, s.createRevision);
        context.publish(new HaEvent(name, "FOLLOWER", "LEADER", "election key " + s.key + " is the oldest", now));
        leadership.lead(new Leadership(s.createRevision, now));
    }

    private void stepDown(String reason) {
        if (!hasLeadership()) {
            return;
        }
        if (leaderId != null && leaderId.equals(candidateId)) {
            leaderId = null;
        }
        removeVips();
        LOG.info("etcd election '{}': candidate '{}' stepped down: {}", name, candidateId, reason);
        if (context != null) {
            context.publish(new HaEvent(name, "LEADER", "FOLLOWER", reason, clock.nanoTime()));
        }
        leadership.release();
    }

    /** Gives up the session: steps down, revokes the lease in the background, campaigns again after a backoff. */
    private void abandon(Session s, String reason) {
        stepDown(reason);
        s.end();
        session = null;
        revokeQuietly(s.leaseId);
        retryLater(reason, null);
    }

    private void retryLater(String what, Throwable error) {
        failures = Math.min(failures + 1, 30);
        long cap = Math.max(MIN_BACKOFF_NANOS, ttlNanos);
        long backoff = Math.min(cap, MIN_BACKOFF_NANOS << Math.min(failures - 1, 20));
        long delay = backoff / 2 + (long) (context.random().nextDouble() * (backoff / 2));
        rateLimitedLog.warn(name + ":campaign", "etcd election '{}': {}{}; campaigning again in {} ms", name, what,
                error == null ? "" : ": " + describe(error), TimeUnit.NANOSECONDS.toMillis(delay));
        scheduler.schedule(this::campaign, delay);
    }

    private void revokeQuietly(long leaseId) {
        client.getLeaseClient().revoke(leaseId).whenComplete((r, e) -> {
            if (e != null) {
                LOG.debug("etcd election '{}': revoking lease {} failed: {}", name, Long.toHexString(leaseId), e.toString());
            }
        });
    }

    private void addVips() {
        for (VirtualAddress vip : vips) {
            try {
                vipManager.add(vip);
            } catch (IOException | RuntimeException e) {
                LOG.error("etcd election '{}': adding VIP {} failed", name, vip, e);
                continue;
            }
            for (int i = 0; i < announceRepeat; i++) {
                try {
                    if (announcer != null) {
                        announcer.announce(vip);
                    } else {
                        vipManager.announce(vip);
                    }
                } catch (IOException | RuntimeException e) {
                    rateLimitedLog.warn(name + ":announce", "etcd election '{}': announcing {} failed: {}", name, vip,
                            e.toString());
                }
            }
        }
    }

    private void removeVips() {
        for (VirtualAddress vip : vips) {
            try {
                vipManager.remove(vip);
            } catch (IOException | RuntimeException e) {
                LOG.error("etcd election '{}': removing VIP {} failed", name, vip, e);
            }
        }
    }

    /** {@code future}, failed with a {@link TimeoutException} if it has not completed after {@code timeoutNanos}. */
    private <T> CompletableFuture<T> within(CompletableFuture<T> future, long timeoutNanos, String what) {
        CompletableFuture<T> bounded = new CompletableFuture<>();
        ScheduledTask timeout = scheduler.schedule(() -> bounded.completeExceptionally(
                new TimeoutException(what + " took longer than " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms")),
                timeoutNanos);
        future.whenComplete((r, e) -> {
            timeout.cancel();
            if (e != null) {
                bounded.completeExceptionally(e);
            } else {
                bounded.complete(r);
            }
        });
        return bounded;
    }

    private static String describe(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && (t instanceof CompletionException
                || t instanceof ExecutionException)) {
            t = t.getCause();
        }
        return t.toString();
    }

    // ------------------------------------------------------------------------------------------- builder

    private static final class TlsFiles {
        final Path ca;
        final Path cert;
        final Path key;

        TlsFiles(Path ca, Path cert, Path key) {
            this.ca = ca;
            this.cert = cert;
            this.key = key;
        }
    }

    /**
     * Settings of an {@link EtcdElection}, validated at {@link #build()}: {@link #endpoints} is required; the TTL
     * defaults to 5 s (kube-vip's tuned lease), the key prefix to {@code /ha4j/elections/<name>/}, the candidate
     * id to {@code <hostname>/<pid>}.
     */
    public static final class Builder {
        private final String name;
        private final ArrayList<URI> endpoints = new ArrayList<>();
        private Duration ttl = Duration.ofSeconds(5);
        private String keyPrefix;
        private String candidateId;
        private Path ca;
        private Path cert;
        private Path key;
        private TlsFiles tls;
        private final ArrayList<VirtualAddress> vips = new ArrayList<>();
        private VipAnnouncer announcer;
        private int announceRepeat = 5;
        private VipManager vipManager;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.length() > 64) {
                throw new IllegalArgumentException("name must be 1-64 characters, was '" + name + "'");
            }
            this.name = name;
        }

        /** etcd client URLs ({@code http://host:2379} or {@code https://...}), all with the same scheme. Required. */
        public Builder endpoints(String... urls) {
            for (String url : urls) {
                URI uri;
                try {
                    uri = URI.create(Objects.requireNonNull(url, "endpoint"));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("endpoints: '" + url + "' is not a URL", e);
                }
                endpoint(uri);
            }
            return this;
        }

        public Builder endpoint(URI uri) {
            Objects.requireNonNull(uri, "endpoint");
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("endpoints must be http:// or https:// URLs, was '" + uri + "'");
            }
            if (uri.getHost() == null || uri.getPort() < 1) {
                throw new IllegalArgumentException("endpoints must name a host and a port, was '" + uri + "'");
            }
            endpoints.add(uri);
            return this;
        }

        /**
         * The lease TTL: a crashed leader is replaced about this long after its last keep-alive, and a leader cut
         * off from etcd steps down ¾ of it after its last acknowledged keep-alive. Whole seconds in [1 s, 3600 s];
         * default 5 s. etcd raises a TTL below its own minimum (1.5 × its election timeout); the leader still steps
         * down on the TTL asked for, which is safe.
         */
        public Builder ttl(Duration ttl) {
            Validation.inRange("ttl", ttl, Duration.ofSeconds(1), Duration.ofSeconds(3600));
            if (ttl.toNanos() % 1_000_000_000L != 0) {
                throw new IllegalArgumentException("ttl must be a whole number of seconds (an etcd lease TTL), was "
                        + Validation.format(ttl));
            }
            this.ttl = ttl;
            return this;
        }

        /** Where the candidates' keys live; every candidate of one election uses the same. Must end with '/'. */
        public Builder keyPrefix(String prefix) {
            Objects.requireNonNull(prefix, "keyPrefix");
            if (prefix.length() < 2 || prefix.length() > 512 || !prefix.endsWith("/")) {
                throw new IllegalArgumentException(
                        "keyPrefix must be 2-512 characters ending with '/', was '" + prefix + "'");
            }
            this.keyPrefix = prefix;
            return this;
        }

        /** This candidate's id, stored as its key's value and reported by {@link #currentLeader()} elsewhere. */
        public Builder candidateId(String id) {
            Objects.requireNonNull(id, "candidateId");
            if (id.isEmpty() || id.length() > 256) {
                throw new IllegalArgumentException("candidateId must be 1-256 characters, was " + id.length());
            }
            this.candidateId = id;
            return this;
        }

        /** PEM file of the CA that signed the etcd servers' certificates (etcd's {@code --trusted-ca-file}). */
        public Builder trustedCertificates(Path caPem) {
            this.ca = Objects.requireNonNull(caPem, "trustedCertificates");
            return this;
        }

        /** PEM certificate chain and PKCS#8 PEM key for client authentication ({@code --client-cert-auth}). */
        public Builder clientCertificate(Path certPem, Path keyPem) {
            this.cert = Objects.requireNonNull(certPem, "clientCertificate");
            this.key = Objects.requireNonNull(keyPem, "clientKey");
            return this;
        }

        /** A virtual address the leader holds: added and announced on leading, removed on stepping down. */
        public Builder virtualAddress(VirtualAddress vip) {
            vips.add(Objects.requireNonNull(vip, "virtualAddress"));
            return this;
        }

        /** {@code virtualAddress(VirtualAddress.parse(cidr, interfaceName))}. */
        public Builder virtualAddress(String cidr, String interfaceName) {
            return virtualAddress(VirtualAddress.parse(cidr, interfaceName));
        }

        /** How the leader tells the network about its VIPs; the VIP manager's GARP / NA by default. */
        public Builder announcer(VipAnnouncer announcer) {
            this.announcer = Objects.requireNonNull(announcer, "announcer");
            return this;
        }

        /** Announcements per VIP on leading, in [1, 100]; default 5 (keepalived's {@code garp_master_repeat}). */
        public Builder announceRepeat(int repeat) {
            this.announceRepeat = Validation.inRange("announceRepeat", repeat, 1, 100);
            return this;
        }

        /** The VIP manager when the election runs outside an {@link io.ha4j.core.HaCluster} that has one. */
        public Builder vipManager(VipManager manager) {
            this.vipManager = Objects.requireNonNull(manager, "vipManager");
            return this;
        }

        /**
         * @throws IllegalStateException naming the option that is missing or inconsistent
         */
        public EtcdElection build() {
            if (endpoints.isEmpty()) {
                throw new IllegalStateException("endpoints is required: set at least one etcd client URL, "
                        + "such as http://127.0.0.1:2379");
            }
            long schemes = endpoints.stream().map(URI::getScheme).distinct().count();
            if (schemes > 1) {
                throw new IllegalStateException("endpoints must all be http:// or all https://, were " + endpoints);
            }
            boolean https = "https".equals(endpoints.get(0).getScheme());
            if (!https && (ca != null || cert != null)) {
                throw new IllegalStateException(
                        "trustedCertificates/clientCertificate need https:// endpoints, were " + endpoints);
            }
            for (Path p : new Path[] {ca, cert, key}) {
                if (p != null && !Files.isReadable(p)) {
                    throw new IllegalStateException("TLS file " + p + " is not readable");
                }
            }
            tls = https ? new TlsFiles(ca, cert, key) : null;
            return new EtcdElection(this);
        }
    }
}
