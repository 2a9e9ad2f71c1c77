package io.ha4j.proxy;

import io.ha4j.core.CheckResult;
import io.ha4j.core.ComponentContext;
import io.ha4j.core.HaEvent;
import io.ha4j.core.HealthChecker;
import io.ha4j.core.HealthStatus;
import io.ha4j.core.internal.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends of one started balancer: the {@link ServerPool}, each server's {@link HealthChecker}, and the
 * reactions to health and admin changes (slowstart when a server comes back, closing its sessions when it is
 * marked down, a failed real connect reported as a failed check). Thread-safe: health listeners run on the
 * context's scheduler, admin actions on the caller's thread, connect failures on event loops.
 */
final class Backends {

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private final BalancerConfig config;
    private final ComponentContext context;
    private final ServerPool pool;

    Backends(BalancerConfig config, ComponentContext context) {
        this.config = config;
        this.context = context;
        this.pool = new ServerPool(config.balance(), context.clock(), context.random(), config.slowStartNanos(), config.allBackups());
    }

    ServerPool pool() {
        return pool;
    }

    /** Adds {@code backend} with its own check or the balancer's check template, and starts checking it. */
    Server add(Backend backend) {
        Server server = new Server(backend);
        HealthChecker checker = config.checkTimers().apply(HealthChecker.builder(config.name() + "/" + backend.name()))
                .check(config.checkFor(backend)).build();
        server.checker = checker;
        server.up = checker.isUp();
        checker.addListener((c, status, cause) -> healthChanged(server, status));
        pool.add(server);
        checker.start(context);
        return server;
    }

    /** HAProxy's {@code observe layer4}: a failed real connect counts as a failed check. */
    void connectFailed(Server server, Throwable cause) {
        HealthChecker c = server.checker;
        if (c != null && config.observeConnectFailures()) {
            String why = cause == null ? "unknown" : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            c.report(CheckResult.failed("connect failed (observed): " + why));
        }
    }

    private void healthChanged(Server server, HealthStatus status) {
        boolean nowUp = status == HealthStatus.UP;
        if (server.up == nowUp || server.removed) {
            return;
        }
        server.lastChangeNanos = context.clock().nanoTime();
        if (nowUp) {
            startSlowStart(server);
            server.up = true;
        } else {
            server.up = false;
            server.downTransitions.incrementAndGet();
            if (config.shutdownSessionsOnDown()) {
                killSessions(server, 'D');
            }
        }
    }

    private void startSlowStart(Server server) {
        if (config.slowStartNanos() > 0) {
            server.slowStartBeginNanos = context.clock().nanoTime();
        }
    }

    void killSessions(Server server, char why) {
        int n = 0;
        for (Session s : server.sessions) {
            s.kill(why);
            n++;
        }
        if (n > 0) {
            LOG.info("Balancer '{}': closed {} connection(s) to backend '{}' ({})", config.name(), n, server.name,
                    why == 'D' ? "marked down" : "admin");
        }
    }

    Server server(String backend) {
        Server s = pool.find(Objects.requireNonNull(backend, "backend"));
        if (s == null) {
            throw new IllegalArgumentException("balancer '" + config.name() + "' has no backend named '" + backend + "'");
        }
        return s;
    }

    void enable(String backend) {
        Server s = server(backend);
        if (s.adminState != BackendState.READY && s.up) {
            startSlowStart(s);
        }
        setAdminState(s, BackendState.READY);
    }

    void setAdminState(Server s, BackendState st) {
        BackendState old = s.adminState;
        if (old == st) {
            return;
        }
        s.adminState = st;
        s.lastChangeNanos = context.clock().nanoTime();
        LOG.info("Balancer '{}': backend '{}' {} -> {}", config.name(), s.name, old, st);
        context.publish(new HaEvent(config.name() + "/" + s.name, old.name(), st.name(), "admin", s.lastChangeNanos));
    }

    void setWeight(String backend, int weight) {
        Validation.inRange("weight", weight, 0, Backend.MAX_WEIGHT);
        Server s = server(backend);
        int old = s.weight;
        s.weight = weight;
        LOG.info("Balancer '{}': backend '{}' weight {} -> {}", config.name(), s.name, old, weight);
    }

    boolean remove(String backend) {
        Server s = pool.remove(Objects.requireNonNull(backend, "backend"));
        if (s == null) {
            return false;
        }
        HealthChecker c = s.checker;
        if (c != null) {
            c.close();
        }
        LOG.info("Balancer '{}': removed backend '{}' ({} connection(s) continue)", config.name(), backend, s.active.get());
        return true;
    }

    List<String> names() {
        List<String> names = new ArrayList<>();
        for (Server s : pool.servers()) {
            names.add(s.name);
        }
        return names;
    }

    /** Stops every checker (at close). */
    void closeCheckers() {
        for (Server s : pool.servers()) {
            HealthChecker c = s.checker;
            if (c != null) {
                c.close();
            }
        }
    }
}
