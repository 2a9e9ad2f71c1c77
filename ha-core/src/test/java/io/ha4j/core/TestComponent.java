package io.ha4j.core;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A component that records its start and close calls in a shared log, and can fail either. */
final class TestComponent implements HaComponent {

    final String name;
    final Phase phase;
    final boolean failStart;
    final boolean failClose;
    final boolean blockInPool;
    final List<String> log;
    final AtomicInteger starts = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    volatile boolean running;
    volatile ComponentContext context;

    TestComponent(String name, Phase phase, boolean failStart, boolean failClose, boolean blockInPool, List<String> log) {
        this.name = name;
        this.phase = phase;
        this.failStart = failStart;
        this.failClose = failClose;
        this.blockInPool = blockInPool;
        this.log = log;
    }

    static TestComponent ok(String name, Phase phase, List<String> log) {
        return new TestComponent(name, phase, false, false, false, log);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public void start(ComponentContext context) {
        this.context = context;
        starts.incrementAndGet();
        log.add("start " + name);
        if (blockInPool) {
            // work that only ends when interrupted, and is deliberately not cancelled by close(): the
            // cluster's own pool shutdown must stop it
            context.blockingExecutor().submit(() -> {
                Thread.sleep(120_000); // blocks until the pool shutdown interrupts it
                return null;
            });
        }
        if (failStart) {
            throw new IllegalStateException("start " + name);
        }
        running = true;
    }

    @Override
    public void close() {
        closes.incrementAndGet();
        log.add("close " + name);
        running = false;
        if (failClose) {
            throw new IllegalStateException("close " + name);
        }
    }

    @Override
    public String toString() {
        return name + "(" + phase + (failStart ? ", failStart" : "") + (failClose ? ", failClose" : "")
                + (blockInPool ? ", blocks" : "") + ")";
    }
}
