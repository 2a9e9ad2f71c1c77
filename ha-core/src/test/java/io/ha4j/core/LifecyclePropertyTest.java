package io.ha4j.core;

import io.ha4j.core.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Any sequence of {@link HaCluster#start()} and {@link HaCluster#close()} calls, some of them concurrent from two
 * threads, with components that fail to start or to close, leaves no component running and no cluster thread
 * behind; components are closed exactly once, in reverse start order; a failed start carries the close
 * failures as suppressed exceptions.
 */
class LifecyclePropertyTest {

    enum Op { START, CLOSE, START_START, START_CLOSE, CLOSE_CLOSE }

    static final class Spec {
        final Phase phase;
        final boolean failStart;
        final boolean failClose;
        final boolean blocks;

        Spec(Phase phase, boolean failStart, boolean failClose, boolean blocks) {
            this.phase = phase;
            this.failStart = failStart;
            this.failClose = failClose;
            this.blocks = blocks;
        }

        @Override
        public String toString() {
            return phase + (failStart ? "/failStart" : "") + (failClose ? "/failClose" : "") + (blocks ? "/blocks" : "");
        }
    }

    private static final AtomicInteger CLUSTERS = new AtomicInteger();
    private static final ExecutorService DRIVERS = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "lifecycle-driver");
        t.setDaemon(true);
        return t;
    });

    @AfterContainer
    static void stopDrivers() {
        DRIVERS.shutdownNow();
    }

    @Provide
    Arbitrary<List<Spec>> components() {
        Arbitrary<Boolean> rare = Arbitraries.integers().between(0, 9).map(i -> i == 0);
        Arbitrary<Boolean> sometimes = Arbitraries.integers().between(0, 3).map(i -> i == 0);
        return Combinators.combine(Arbitraries.of(Phase.class), rare, sometimes, sometimes)
                .as(Spec::new).list().ofMaxSize(6);
    }

    @Property(tries = 150)
    void noComponentRunningAndNoThreadLeftBehind(
            @ForAll("components") List<Spec> specs,
            @ForAll boolean withHealthChecker,
            @ForAll @Size(min = 1, max = 5) List<Op> ops) throws Exception {
        String clusterName = "lc" + CLUSTERS.incrementAndGet();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        List<TestComponent> components = new ArrayList<>();
        HaCluster.Builder builder = HaCluster.builder().name(clusterName);
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            TestComponent c = new TestComponent("c" + i, s.phase, s.failStart, s.failClose, s.blocks, log);
            components.add(c);
            builder.add(c);
        }
        if (withHealthChecker) {
            HealthChecker checker = HealthChecker.builder("hc").check(HealthCheck.of("always", () -> true))
                    .inter(Duration.ofMillis(10)).build();
            builder.add(checker);
        }
        HaCluster cluster = builder.build();
        List<Throwable> startOutcomes = Collections.synchronizedList(new ArrayList<>());
        Runnable start = () -> {
            try {
                cluster.start();
                startOutcomes.add(null);
            } catch (Throwable t) {
                startOutcomes.add(t);
            }
        };
        try {
            for (Op op : ops) {
                switch (op) {
                    case START: start.run(); break;
                    case CLOSE: cluster.close(); break;
                    case START_START: concurrently(start, start); break;
                    case START_CLOSE: concurrently(start, cluster::close); break;
                    default: concurrently(cluster::close, cluster::close); break;
                }
            }
        } finally {
            cluster.close();
        }

        String context = "components " + specs + ", ops " + ops + ", log " + log;
        assertEquals(HaCluster.State.CLOSED, cluster.state(), context);
        for (TestComponent c : components) {
            assertFalse(c.running, c + " still running; " + context);
            assertTrue(c.starts.get() <= 1, c + " started twice; " + context);
            assertEquals(c.starts.get(), c.closes.get(), c + " closed " + c.closes.get() + " times; " + context);
        }

        // closes in exactly the reverse order of starts
        List<String> started = log.stream().filter(e -> e.startsWith("start ")).map(e -> e.substring(6)).collect(Collectors.toList());
        List<String> closed = log.stream().filter(e -> e.startsWith("close ")).map(e -> e.substring(6)).collect(Collectors.toList());
        List<String> reversed = new ArrayList<>(started);
        Collections.reverse(reversed);
        assertEquals(reversed, closed, context);

        // at most one start call got past the state check; the others were told it was not LATENT
        List<Throwable> effective = startOutcomes.stream().filter(t -> !(t instanceof IllegalStateException)).collect(Collectors.toList());
        assertTrue(effective.size() <= 1, "more than one start ran: " + startOutcomes + "; " + context);
        if (effective.size() == 1) {
            Throwable outcome = effective.get(0);
            TestComponent firstFailing = components.stream()
                    .sorted(java.util.Comparator.comparing(c -> c.phase)) // stable: add order within a phase
                    .filter(c -> c.failStart).findFirst().orElse(null);
            if (firstFailing == null) {
                assertEquals(null, outcome, context);
            } else {
                assertTrue(outcome instanceof HaStartException, "start threw " + outcome + "; " + context);
                HaStartException e = (HaStartException) outcome;
                assertEquals(firstFailing.name, e.component(), context);
                assertEquals("start " + firstFailing.name, e.getCause().getMessage());
                List<String> expectedSuppressed = closed.stream()
                        .filter(n -> components.stream().anyMatch(c -> c.name.equals(n) && c.failClose))
                        .map(n -> "close " + n).collect(Collectors.toList());
                List<String> suppressed = java.util.Arrays.stream(e.getSuppressed()).map(Throwable::getMessage).collect(Collectors.toList());
                assertEquals(expectedSuppressed, suppressed, context);
            }
        }

        assertNoThreadsLeft("ha4j-" + clusterName + "-", context);
    }

    private static void concurrently(Runnable a, Runnable b) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Future<?> fa = DRIVERS.submit(() -> {
            gate.await();
            a.run();
            return null;
        });
        Future<?> fb = DRIVERS.submit(() -> {
            gate.await();
            b.run();
            return null;
        });
        gate.countDown();
        fa.get(30, TimeUnit.SECONDS);
        fb.get(30, TimeUnit.SECONDS);
    }

    static void assertNoThreadsLeft(String prefix, String context) throws InterruptedException {
        Await.value(Duration.ofSeconds(5), "no thread named " + prefix + "* left after close; " + context,
                () -> Thread.getAllStackTraces().keySet().stream()
                        .filter(Thread::isAlive)
                        .map(Thread::getName)
                        .filter(n -> n.startsWith(prefix))
                        .collect(Collectors.toList()),
                List::isEmpty);
    }
}
