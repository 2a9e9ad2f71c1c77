package io.ha4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.testing.ManualScheduler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HaClusterTest {

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @Test
    void startsPhaseByPhaseInAddOrderAndStopsInReverse() {
        HaCluster cluster = HaCluster.builder().name("order")
                .add(TestComponent.ok("app", Phase.APPLICATION, log))
                .add(TestComponent.ok("vrrp", Phase.VRRP, log))
                .add(TestComponent.ok("lb-1", Phase.BALANCERS, log))
                .add(TestComponent.ok("hc", Phase.HEALTH_CHECKS, log))
                .add(TestComponent.ok("lb-2", Phase.BALANCERS, log))
                .add(TestComponent.ok("cleanup", Phase.VIP_CLEANUP, log))
                .build();
        assertEquals(List.of("cleanup", "hc", "lb-1", "lb-2", "vrrp", "app"),
                cluster.components().stream().map(HaComponent::name).collect(Collectors.toList()));
        cluster.start();
        assertEquals(HaCluster.State.STARTED, cluster.state());
        cluster.close();
        assertEquals(List.of("start cleanup", "start hc", "start lb-1", "start lb-2", "start vrrp", "start app",
                "close app", "close vrrp", "close lb-2", "close lb-1", "close hc", "close cleanup"), log);
    }

    @Test
    void startTwiceIsAnError() {
        try (HaCluster cluster = HaCluster.builder().name("twice").build()) {
            cluster.start();
            IllegalStateException e = assertThrows(IllegalStateException.class, cluster::start);
            assertTrue(e.getMessage().contains("STARTED"), e.getMessage());
        }
    }

    @Test
    void closeIsIdempotentAndAllowedBeforeStart() {
        TestComponent c = TestComponent.ok("c", Phase.BALANCERS, log);
        HaCluster cluster = HaCluster.builder().name("idem").add(c).build();
        cluster.close();
        cluster.close();
        assertEquals(HaCluster.State.CLOSED, cluster.state());
        assertEquals(0, c.closes.get(), "a component that never started is not closed");
        IllegalStateException e = assertThrows(IllegalStateException.class, cluster::start);
        assertTrue(e.getMessage().contains("CLOSED"), e.getMessage());

        HaCluster started = HaCluster.builder().name("idem2").add(TestComponent.ok("d", Phase.BALANCERS, log)).build();
        started.start();
        started.close();
        started.close();
        assertEquals(List.of("start d", "close d"), log);
    }

    @Test
    void aFailedStartClosesWhatStartedAndCarriesCloseFailures() {
        TestComponent a = new TestComponent("a", Phase.HEALTH_CHECKS, false, true, false, log);
        TestComponent b = TestComponent.ok("b", Phase.BALANCERS, log);
        TestComponent c = new TestComponent("c", Phase.VRRP, true, true, false, log);
        TestComponent d = TestComponent.ok("d", Phase.APPLICATION, log);
        HaCluster cluster = HaCluster.builder().name("fail").add(a).add(b).add(c).add(d).build();
        HaStartException e = assertThrows(HaStartException.class, cluster::start);
        assertEquals("c", e.component());
        assertEquals("start c", e.getCause().getMessage());
        assertEquals(List.of("close c", "close a"),
                java.util.Arrays.stream(e.getSuppressed()).map(Throwable::getMessage).collect(Collectors.toList()));
        assertEquals(List.of("start a", "start b", "start c", "close c", "close b", "close a"), log);
        assertEquals(0, d.starts.get());
        assertEquals(HaCluster.State.CLOSED, cluster.state());
    }

    @Test
    void aThrowingListenerIsContainedAndOthersStillHearTheEvent() {
        List<String> heard = new CopyOnWriteArrayList<>();
        HaCluster cluster = HaCluster.builder().name("listeners")
                .listener(event -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(event -> heard.add(event.state()))
                .build();
        cluster.start();
        cluster.close();
        assertEquals(List.of("STARTING", "STARTED", "CLOSED"), heard);
    }

    @Test
    void listenersAddedWithAnExecutorRunThroughIt() throws InterruptedException {
        AtomicInteger executed = new AtomicInteger();
        List<Runnable> queued = new ArrayList<>();
        Executor queueing = r -> {
            executed.incrementAndGet();
            queued.add(r);
        };
        List<String> heard = new CopyOnWriteArrayList<>();
        HaCluster cluster = HaCluster.builder().name("executor").build();
        cluster.addListener(event -> heard.add(Thread.currentThread().getName() + ":" + event.state()), queueing);
        cluster.start();
        assertEquals(List.of(), heard, "nothing runs until the executor runs it");
        assertEquals(2, executed.get());
        Thread runner = new Thread(() -> queued.forEach(Runnable::run), "listener-executor");
        runner.start();
        runner.join();
        assertEquals(List.of("listener-executor:STARTING", "listener-executor:STARTED"), heard);
        cluster.close();
        assertEquals(3, executed.get());
    }

    @Test
    void componentEventsReachClusterListeners() {
        ManualScheduler scheduler = new ManualScheduler();
        List<HaEvent> events = new CopyOnWriteArrayList<>();
        TestComponent c = TestComponent.ok("c", Phase.BALANCERS, log);
        HaCluster cluster = HaCluster.builder().name("events").scheduler(scheduler).add(c).listener(events::add).build();
        cluster.start();
        assertSame(scheduler, c.context.scheduler());
        assertSame(scheduler, c.context.clock());
        c.context.publish(new HaEvent("c", "DOWN", "UP", "because", scheduler.nanoTime()));
        cluster.close();
        assertEquals(List.of("events:STARTING", "events:STARTED", "c:UP", "events:CLOSED"),
                events.stream().map(e -> e.source() + ":" + e.state()).collect(Collectors.toList()));
        assertEquals("because", events.get(2).reason());
        assertEquals("DOWN", events.get(2).previousState());
    }

    @Test
    void findsComponentsByNameAndType() {
        TestComponent c = TestComponent.ok("c", Phase.BALANCERS, log);
        HaCluster cluster = HaCluster.builder().add(c).build();
        assertEquals("ha4j", cluster.name());
        assertSame(c, cluster.component("c", TestComponent.class).orElseThrow());
        assertTrue(cluster.component("c", HealthChecker.class).isEmpty());
        assertTrue(cluster.component("x", TestComponent.class).isEmpty());
    }

    @Test
    void ownThreadsStopAtClose() throws Exception {
        HaCluster cluster = HaCluster.builder().name("threads")
                .add(new TestComponent("blocker", Phase.BALANCERS, false, false, true, log)).build();
        cluster.start();
        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("ha4j-threads-timer")));
        cluster.close();
        LifecyclePropertyTest.assertNoThreadsLeft("ha4j-threads-", "after close");
    }

    @Test
    void closeFromInsideStartStopsTheStart() throws Exception {
        HaCluster[] self = new HaCluster[1];
        HaComponent closer = new HaComponent() {
            @Override
            public String name() {
                return "closer";
            }

            @Override
            public Phase phase() {
                return Phase.BALANCERS;
            }

            @Override
            public void start(ComponentContext context) {
                log.add("start closer");
                self[0].close();
            }

            @Override
            public void close() {
                log.add("close closer");
            }
        };
        TestComponent later = TestComponent.ok("later", Phase.VRRP, log);
        self[0] = HaCluster.builder().name("reentrant")
                .add(TestComponent.ok("first", Phase.HEALTH_CHECKS, log)).add(closer).add(later).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, self[0]::start);
        assertTrue(e.getMessage().contains("closed during start()"), e.getMessage());
        assertEquals(List.of("start first", "start closer", "close closer", "close first"), log);
        assertEquals(0, later.starts.get());
        assertEquals(HaCluster.State.CLOSED, self[0].state());
        LifecyclePropertyTest.assertNoThreadsLeft("ha4j-reentrant-", "closed during start");
    }

    @Test
    void closeFromAStartingListenerStartsNothing() {
        TestComponent c = TestComponent.ok("c", Phase.BALANCERS, log);
        HaCluster[] self = new HaCluster[1];
        self[0] = HaCluster.builder().name("listener-closes").add(c).listener(event -> {
            if (event.state().equals("STARTING")) {
                self[0].close();
            }
        }).build();
        assertThrows(IllegalStateException.class, self[0]::start);
        assertEquals(0, c.starts.get());
        assertEquals(HaCluster.State.CLOSED, self[0].state());
    }
}
