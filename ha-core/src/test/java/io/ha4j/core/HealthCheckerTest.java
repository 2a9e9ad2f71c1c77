package io.ha4j.core;

import io.ha4j.core.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.testing.DirectExecutorService;
import io.ha4j.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HealthCheckerTest {

    /** A check that blocks until interrupted, the way a check ignoring its timeout would. */
    private static final class StuckCheck implements HealthCheck {
        final AtomicInteger runs = new AtomicInteger();
        final CountDownLatch interrupted = new CountDownLatch(1);
        final CountDownLatch running = new CountDownLatch(1);

        @Override
        public CheckResult run(Duration timeout) throws InterruptedException {
            runs.incrementAndGet();
            running.countDown();
            try {
                Thread.sleep(60_000); // a check that hangs: only the checker's timeout interrupt may end it
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return CheckResult.passed("woke up");
        }
    }

    @Test
    void watchdogTimesOutAStuckCheckInterruptsItAndKeepsChecking() throws Exception {
        ManualScheduler scheduler = new ManualScheduler();
        ExecutorService pool = ComponentContext.newBlockingExecutor("watchdog-test");
        ComponentContext ctx = ComponentContext.builder().scheduler(scheduler).blockingExecutor(pool).build();
        StuckCheck check = new StuckCheck();
        HealthChecker checker = HealthChecker.builder("stuck").check(check)
                .timeout(Duration.ofSeconds(1)).fastInter(Duration.ofMillis(300)).fall(2)
                .initialState(HealthChecker.InitialState.FULLY_UP).build();
        try {
            checker.start(ctx);
            scheduler.runDueTasks();
            assertTrue(check.running.await(10, TimeUnit.SECONDS));
            scheduler.advance(Duration.ofSeconds(1));
            assertEquals(0, checker.checksRun(), "the check's own timeout is not yet the watchdog's");
            scheduler.advance(Duration.ofMillis(100));
            assertEquals(1, checker.checksRun());
            assertTrue(checker.lastResult().timedOut());
            assertEquals("timeout after 1s", checker.lastResult().reason());
            assertTrue(check.interrupted.await(10, TimeUnit.SECONDS), "the stuck check was interrupted");
            assertEquals(HealthStatus.UP, checker.status(), "one failure of fall 2");
            assertEquals(Duration.ofMillis(300).toNanos(), scheduler.nanosUntilNextTask(), "fastinter while transitioning");
            scheduler.advance(Duration.ofMillis(300));
            Await.until(Duration.ofSeconds(2), "the next check ran", () -> check.runs.get() >= 2);
            assertEquals(2, check.runs.get(), "the next check ran");
        } finally {
            checker.close();
            scheduler.runDueTasks();
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void watchdogDelayIsTimeoutPlusTenPercentAtMostOneSecond() {
        assertEquals(Duration.ofMillis(5500), HealthChecker.watchdogDelay(Duration.ofSeconds(5)));
        assertEquals(Duration.ofSeconds(21), HealthChecker.watchdogDelay(Duration.ofSeconds(20)));
        assertEquals(Duration.ofNanos(1_100_000), HealthChecker.watchdogDelay(Duration.ofMillis(1)));
    }

    @Test
    void closeInterruptsARunningCheckAndStopsScheduling() throws Exception {
        ManualScheduler scheduler = new ManualScheduler();
        ExecutorService pool = ComponentContext.newBlockingExecutor("close-test");
        ComponentContext ctx = ComponentContext.builder().scheduler(scheduler).blockingExecutor(pool).build();
        StuckCheck check = new StuckCheck();
        HealthChecker checker = HealthChecker.builder("closing").check(check).build();
        checker.start(ctx);
        scheduler.runDueTasks();
        assertTrue(check.running.await(10, TimeUnit.SECONDS));
        checker.close();
        assertTrue(check.interrupted.await(10, TimeUnit.SECONDS));
        scheduler.advance(Duration.ofMinutes(5));
        assertEquals(0, scheduler.pendingTasks());
        assertEquals(0, checker.checksRun());
        assertEquals(1, check.runs.get());
        checker.close();
        pool.shutdownNow();
    }

    @Test
    void passiveReportsCountLikeChecks() {
        AtomicBoolean healthy = new AtomicBoolean(true);
        HealthChecker checker = HealthChecker.builder("passive").check(HealthCheck.of("flag", healthy::get))
                .fall(2).initialState(HealthChecker.InitialState.FULLY_UP).build();
        try (CheckerHarness h = new CheckerHarness(checker)) {
            h.step();
            checker.report(CheckResult.failed("connection refused by backend"));
            checker.report(CheckResult.failed("connection refused by backend"));
            assertEquals(HealthStatus.UP, checker.status(), "applied on the scheduler thread, not yet");
            h.scheduler.runDueTasks();
            assertEquals(HealthStatus.DOWN, checker.status());
            assertEquals(3, checker.checksRun());
            assertEquals(2, checker.checksFailed());
            assertEquals("connection refused by backend", checker.lastResult().reason());
        }
    }

    @Test
    void statsSourceReportsStatusCountersAndTheLastResult() {
        HealthChecker checker = HealthChecker.builder("chk_haproxy").check(HealthCheck.of("killall -0 haproxy", () -> false))
                .fall(2).initialState(HealthChecker.InitialState.FULLY_UP).build();
        assertEquals(-1L, checker.componentStats().fields().get("secondsSinceChange"), "not started");
        try (CheckerHarness h = new CheckerHarness(checker)) {
            h.step();
            h.scheduler.advance(Duration.ofSeconds(30));
            assertEquals(HealthStatus.DOWN, checker.status());
            ComponentStats s = checker.componentStats();
            assertEquals("check", s.kind());
            assertEquals("DOWN", s.fields().get("state"));
            assertEquals("killall -0 haproxy", s.fields().get("check"));
            assertTrue(s.fields().get("lastResult").toString().startsWith("failed: "), s.fields().toString());
            assertEquals(checker.checksRun(), s.fields().get("checksFailed"));
            assertEquals((h.scheduler.nanoTime() - checker.lastChangeNanos()) / 1_000_000_000L, s.fields().get("secondsSinceChange"));
            Map<String, Double> samples = new java.util.HashMap<>();
            s.metrics().forEach(m -> samples.put(m.name() + m.labels(), m.value()));
            assertEquals(0.0, samples.get("ha4j_check_up{check=chk_haproxy}"));
            assertEquals((double) checker.checksRun(), samples.get("ha4j_check_failures_total{check=chk_haproxy}"));
            assertEquals((double) checker.checksRun(), samples.get("ha4j_check_runs_total{check=chk_haproxy}"));
        }
    }

    @Test
    void reportsBeforeStartOrAfterCloseAreIgnored() {
        HealthChecker checker = HealthChecker.builder("ignored").check(HealthCheck.of("t", () -> true)).build();
        checker.report(CheckResult.failed("early"));
        assertEquals(0, checker.checksRun());
        CheckerHarness h = new CheckerHarness(checker);
        h.close();
        checker.report(CheckResult.failed("late"));
        h.scheduler.runDueTasks();
        assertEquals(0, checker.checksRun());
    }

    @Test
    void aThrowingCheckIsAFailureWithTheExceptionAsReason() {
        HealthChecker checker = HealthChecker.builder("throws").check(timeout -> {
            throw new IllegalStateException("boom");
        }).initialState(HealthChecker.InitialState.UP).build();
        try (CheckerHarness h = new CheckerHarness(checker)) {
            CheckResult r = h.step();
            assertFalse(r.isPassed());
            assertEquals("IllegalStateException: boom", r.reason());
            assertEquals(HealthStatus.DOWN, checker.status(), "UP is one failure away from DOWN");
        }
    }

    @Test
    void transitionsArePublishedAsClusterEventsAndToListenersWithExecutors() throws InterruptedException {
        ManualScheduler scheduler = new ManualScheduler();
        List<HaEvent> events = new CopyOnWriteArrayList<>();
        List<String> viaExecutor = new ArrayList<>();
        List<Runnable> queued = new ArrayList<>();
        AtomicBoolean healthy = new AtomicBoolean(false);
        HealthChecker checker = HealthChecker.builder("api-1").check(HealthCheck.of("flag", healthy::get))
                .rise(1).fall(1).build();
        checker.addListener((c, status, cause) -> viaExecutor.add(status + ": " + cause.reason()), queued::add);
        try (HaCluster cluster = HaCluster.builder().name("events").scheduler(scheduler).add(checker)
                .listener(e -> {
                    if (e.source().equals("api-1")) {
                        events.add(e);
                    }
                }).build()) {
            cluster.start();
            // the check runs on the cluster's real blocking pool; its result is applied by a scheduler task
            Await.until(Duration.ofSeconds(5), "the first check ran and its result was applied", () -> {
                scheduler.runDueTasks();
                return checker.checksRun() > 0;
            });
            assertEquals(HealthStatus.DOWN, checker.status());
            assertEquals(1, events.size());
            assertEquals("UP", events.get(0).previousState());
            assertEquals("DOWN", events.get(0).state());
            assertEquals("check failed: flag is false", events.get(0).reason());
            assertEquals(List.of(), viaExecutor);
            queued.forEach(Runnable::run);
            assertEquals(List.of("DOWN: flag is false"), viaExecutor);
        }
    }

    @Test
    void startsOnceAndNotAfterClose() {
        HealthChecker checker = HealthChecker.builder("once").check(HealthCheck.of("t", () -> true)).build();
        ComponentContext ctx = ComponentContext.builder().scheduler(new ManualScheduler()).blockingExecutor(new DirectExecutorService()).build();
        checker.start(ctx);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> checker.start(ctx));
        assertTrue(e.getMessage().contains("once"), e.getMessage());
        checker.close();

        HealthChecker closed = HealthChecker.builder("closed").check(HealthCheck.of("t", () -> true)).build();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.start(ctx));
    }

    @Test
    void standaloneCheckerRunsOnItsOwnThreadsAndStopsThem() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        HealthChecker checker = HealthChecker.builder("solo-checker")
                .check(HealthCheck.of("count", () -> runs.incrementAndGet() > 0))
                .inter(Duration.ofMillis(10)).build();
        checker.start();
        Await.until(Duration.ofSeconds(5), "three checks ran", () -> checker.checksRun() >= 3);
        assertTrue(checker.checksRun() >= 3, "checks ran on the checker's own threads");
        checker.close();
        LifecyclePropertyTest.assertNoThreadsLeft("solo-checker-", "standalone checker closed");
    }

    @Test
    void customChecksFromLambdas() throws Exception {
        HealthCheck up = HealthCheck.of("etcd quorum", () -> true);
        HealthCheck down = HealthCheck.of("etcd quorum", () -> false);
        assertEquals("etcd quorum", up.description());
        assertTrue(up.run(Duration.ofSeconds(1)).isPassed());
        assertEquals("etcd quorum is false", down.run(Duration.ofSeconds(1)).reason());
    }

    @Test
    void defaultsAreHaproxysAndTheKubernetesPresetIsTheIssues() {
        HealthChecker plain = HealthChecker.builder("d").check(HealthCheck.of("t", () -> true)).build();
        assertEquals(Duration.ofSeconds(2), plain.inter());
        assertEquals(Duration.ofSeconds(2), plain.fastInter());
        assertEquals(Duration.ofSeconds(2), plain.downInter());
        assertEquals(Duration.ofSeconds(2), plain.timeout(), "timeout defaults to inter, as HAProxy without timeout check");
        assertEquals(2, plain.rise());
        assertEquals(3, plain.fall());
        assertEquals(HealthStatus.UP, plain.status());
        assertEquals(2, plain.health(), "init-state up: health = rise, one failure from DOWN");

        HealthChecker k8s = HealthChecker.builder("k").kubernetesDefaults()
                .check(HttpCheck.kubernetesReadyz("198.18.0.11", 6443, TlsOptions.trustAll())).build();
        assertEquals(Duration.ofSeconds(2), k8s.inter());
        assertEquals(Duration.ofSeconds(1), k8s.fastInter());
        assertEquals(Duration.ofSeconds(5), k8s.downInter());
        assertEquals(Duration.ofSeconds(5), k8s.timeout());
        assertEquals(2, k8s.rise());
        assertEquals(3, k8s.fall());
        assertEquals("GET https://198.18.0.11:6443/readyz expect 200", k8s.check().description());
    }
}
