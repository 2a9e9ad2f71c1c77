package io.ha4j.proxy;

import io.ha4j.core.HealthCheck;
import io.ha4j.core.HealthChecker;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Every setting of one {@link TcpBalancer}, resolved (defaults applied) and validated by
 * {@link TcpBalancer.Builder#build()}; immutable. The balancer's parts ({@link RelaySession},
 * {@link Admission}, {@link Backends}, the admin listener) read it instead of calling back into the balancer.
 * Durations on the relay's path are kept in nanoseconds so that the relay does no conversion per read.
 */
record BalancerConfig(
        String name,
        List<InetSocketAddress> frontends,
        List<Backend> backends,
        Balance balance,
        int maxConnections,
        int backlog,
        long connectTimeoutNanos,
        long clientTimeoutNanos,
        long serverTimeoutNanos,
        long tunnelTimeoutNanos,
        long clientFinTimeoutNanos,
        long queueTimeoutNanos,
        int retries,
        boolean shutdownSessionsOnDown,
        boolean observeConnectFailures,
        long slowStartNanos,
        Function<Backend, HealthCheck> healthCheck,
        UnaryOperator<HealthChecker.Builder> checkTimers,
        int ioThreads,
        EventLoopGroup eventLoopGroup,
        Transport transport,
        Integer acceptorsPerAddress,
        InetSocketAddress adminAddress,
        boolean adminActions,
        long adminIdleTimeoutNanos,
        int adminMaxConnections,
        AdminPage adminPage,
        boolean logConnections,
        Duration drainTimeout,
        boolean allBackups,
        long vipLeaveDrainNanos) {

    BalancerConfig {
        frontends = List.copyOf(frontends);
        backends = List.copyOf(backends);
    }

    /** The connect timeout as Netty's {@code CONNECT_TIMEOUT_MILLIS} takes it (at least 1 ms). */
    int connectTimeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, TimeUnit.NANOSECONDS.toMillis(connectTimeoutNanos)));
    }

    /** The check of {@code backend}: its own, else the balancer's check template. */
    HealthCheck checkFor(Backend backend) {
        return backend.check().orElseGet(() -> healthCheck.apply(backend));
    }
}
