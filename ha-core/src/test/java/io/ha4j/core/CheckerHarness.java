package io.ha4j.core;

import io.ha4j.core.testing.DirectExecutorService;
import io.ha4j.core.testing.ManualScheduler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs a {@link HealthChecker} deterministically: a {@link ManualScheduler} for time and a
 * {@link DirectExecutorService}, so each {@link #step()} runs exactly one check (a real one, on a real socket)
 * and applies its result before returning.
 */
final class CheckerHarness implements AutoCloseable {

    /** A status change and how many results the checker had counted when it happened. */
    static final class Transition {
        final HealthStatus status;
        final long afterResults;

        Transition(HealthStatus status, long afterResults) {
            this.status = status;
            this.afterResults = afterResults;
        }

        @Override
        public String toString() {
            return status + "@" + afterResults;
        }
    }

    final ManualScheduler scheduler = new ManualScheduler();
    final HealthChecker checker;
    final List<Transition> transitions = new CopyOnWriteArrayList<>();
    private final ComponentContext context;

    CheckerHarness(HealthChecker checker) {
        this.checker = checker;
        this.context = ComponentContext.builder()
                .clusterName("harness")
                .scheduler(scheduler)
                .blockingExecutor(new DirectExecutorService())
                .build();
        checker.addListener((c, status, cause) -> transitions.add(new Transition(status, c.checksRun())));
        checker.start(context);
    }

    /** Moves time to the next check and runs it; returns its result. */
    CheckResult step() {
        long before = checker.checksRun();
        for (int i = 0; i < 10 && checker.checksRun() == before; i++) {
            long wait = scheduler.nanosUntilNextTask();
            if (wait < 0) {
                throw new AssertionError("no check is scheduled");
            }
            scheduler.advanceNanos(wait);
        }
        if (checker.checksRun() != before + 1) {
            throw new AssertionError("expected exactly one more result, got " + (checker.checksRun() - before));
        }
        return checker.lastResult();
    }

    @Override
    public void close() {
        checker.close();
        context.close();
    }
}
