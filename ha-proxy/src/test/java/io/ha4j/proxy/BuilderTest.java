package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Builder validation: errors name the option and its range; options are set once. */
class BuilderTest {

    private static String message(Runnable r, Class<? extends Throwable> type) {
        return assertThrows(type, r::run).getMessage();
    }

    @Test
    void testErrorsNameOptionAndRange() {
        assertEquals("weight must be in [0, 256], was 257",
                message(() -> Backend.builder("a", "127.0.0.1", 1).weight(257), IllegalArgumentException.class));
        assertEquals("port must be in [1, 65535], was 0",
                message(() -> Backend.builder("a", "127.0.0.1", 0), IllegalArgumentException.class));
        assertEquals("maxConnections must be in [1, 1000000], was 0",
                message(() -> TcpBalancer.builder("b").maxConnections(0), IllegalArgumentException.class));
        assertEquals("retries must be in [0, 100], was -1",
                message(() -> TcpBalancer.builder("b").retries(-1), IllegalArgumentException.class));
        assertEquals("connectTimeout must be in [1ms, 3600s], was 0s",
                message(() -> TcpBalancer.builder("b").connectTimeout(Duration.ZERO), IllegalArgumentException.class));
        assertEquals("slowStart must be in [0s, 3600s], was 7200s",
                message(() -> TcpBalancer.builder("b").slowStart(Duration.ofHours(2)), IllegalArgumentException.class));
        assertEquals("bind: at least one frontend address is required",
                message(() -> TcpBalancer.builder("b").build(), IllegalStateException.class));
        assertEquals("adminMaxConnections must be in [1, 10000], was 0",
                message(() -> TcpBalancer.builder("b").adminMaxConnections(0), IllegalArgumentException.class));
        assertEquals("adminIdleTimeout must be in [100ms, 3600s], was 0s",
                message(() -> TcpBalancer.builder("b").adminIdleTimeout(Duration.ZERO), IllegalArgumentException.class));
        assertEquals("queueTimeout must be in [1ms, 3600s], was 0s",
                message(() -> TcpBalancer.builder("b").queueTimeout(Duration.ZERO), IllegalArgumentException.class));
    }

    @Test
    void testOptionsAreSetOnce() {
        TcpBalancer.Builder b = TcpBalancer.builder("b").balance(Balance.LEAST_CONNECTIONS);
        assertEquals("balance was already set to LEAST_CONNECTIONS",
                message(() -> b.balance(Balance.SOURCE), IllegalStateException.class));
        TcpBalancer.Builder t = TcpBalancer.builder("b").ioThreads(2);
        assertThrows(IllegalStateException.class, () -> t.ioThreads(3));
    }

    @Test
    void testBadNamesAndDuplicatesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Backend.builder("bad name", "127.0.0.1", 1));
        assertThrows(IllegalArgumentException.class, () -> TcpBalancer.builder(" "));
        TcpBalancer.Builder b = TcpBalancer.builder("b").backend(Backend.of("x", "127.0.0.1", 1));
        assertEquals("backend name 'x' is used twice",
                message(() -> b.backend(Backend.of("x", "127.0.0.1", 2)), IllegalArgumentException.class));
    }

    @Test
    void testDefaultCheckIsTheKubernetesPreset() {
        io.ha4j.core.testing.ManualScheduler scheduler = new io.ha4j.core.testing.ManualScheduler();
        try (io.ha4j.core.ComponentContext ctx = io.ha4j.core.ComponentContext.builder().scheduler(scheduler)
                .blockingExecutor(new io.ha4j.core.testing.DirectExecutorService()).build();
             TcpBalancer b = TcpBalancer.builder("k8s").bind("127.0.0.1", 0).ioThreads(1).drainTimeout(Duration.ZERO)
                     .backend(Backend.of("cp-1", "127.0.0.1", 6443)).build()) {
            b.start(ctx); // the scheduler is never advanced: no check runs
            io.ha4j.core.HealthChecker checker = b.healthChecker("cp-1");
            io.ha4j.core.HttpCheck check = (io.ha4j.core.HttpCheck) checker.check();
            assertEquals("/readyz", check.path());
            assertEquals(java.util.Set.of(200), check.expectedStatuses());
            assertEquals(true, check.tls().orElseThrow().isTrustAll());
            assertEquals(Duration.ofSeconds(2), checker.inter());
            assertEquals(Duration.ofSeconds(1), checker.fastInter());
            assertEquals(Duration.ofSeconds(5), checker.downInter());
            assertEquals(2, checker.rise());
            assertEquals(3, checker.fall());
            assertEquals(Duration.ofSeconds(5), checker.timeout());
            assertEquals("balancer 'k8s' has no backend named 'x'", message(() -> b.drain("x"), IllegalArgumentException.class));
        }
    }

    @Test
    void testAdminActionsNeedAStartedBalancerAndKnownBackends() {
        TcpBalancer b = TcpBalancer.builder("b").bind("127.0.0.1", 0).build();
        assertEquals("balancer 'b' is not started", message(() -> b.drain("x"), IllegalStateException.class));
        b.close();
    }
}
