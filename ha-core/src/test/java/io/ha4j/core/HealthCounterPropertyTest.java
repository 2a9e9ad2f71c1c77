package io.ha4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import io.ha4j.core.testing.DirectExecutorService;
import io.ha4j.core.testing.ManualScheduler;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The rise/fall counter of {@link HealthChecker} against a model written the other way round: instead of
 * HAProxy's single health number, the model keeps "UP with k failures so far" or "DOWN with k successes so
 * far", which is how the rules are stated in the documentation.
 */
class HealthCounterPropertyTest {

    private static final Duration INTER = Duration.ofMillis(2000);
    private static final Duration FAST_INTER = Duration.ofMillis(700);
    private static final Duration DOWN_INTER = Duration.ofMillis(9000);

    enum Outcome { PASS, FAIL, THROW, TIMED_OUT_RESULT }

    /** The rules as prose: UP after rise consecutive successes from fully down, DOWN after fall consecutive failures from fully up. */
    static final class Model {
        final int rise;
        final int fall;
        boolean up;
        int failuresWhileUp;
        int successesWhileDown;
        int transitions;

        Model(int rise, int fall, HealthChecker.InitialState init) {
            this.rise = rise;
            this.fall = fall;
            switch (init) {
                case FULLY_UP: up = true; break;
                case UP: up = true; failuresWhileUp = fall - 1; break;
                case DOWN: up = false; successesWhileDown = rise - 1; break;
                default: up = false; break;
            }
        }

        void apply(boolean passed) {
            if (up) {
                if (passed) {
                    failuresWhileUp = 0; // any success while up restores fully up
                } else if (++failuresWhileUp == fall) {
                    up = false;
                    successesWhileDown = 0;
                    transitions++;
                }
            } else {
                if (!passed) {
                    successesWhileDown = 0; // any failure while down restores fully down
                } else if (++successesWhileDown == rise) {
                    up = true;
                    failuresWhileUp = 0;
                    transitions++;
                }
            }
        }

        int health() {
            return up ? rise + fall - 1 - failuresWhileUp : successesWhileDown;
        }

        Duration interval() {
            if (up && failuresWhileUp == 0) {
                return INTER;
            }
            if (!up && successesWhileDown == 0) {
                return DOWN_INTER;
            }
            return FAST_INTER;
        }
    }

    /** Returns scripted outcomes in order. */
    static final class ScriptedCheck implements HealthCheck {
        final Deque<Outcome> script;

        ScriptedCheck(List<Outcome> outcomes) {
            this.script = new ArrayDeque<>(outcomes);
        }

        @Override
        public CheckResult run(Duration timeout) {
            Outcome o = script.removeFirst();
            switch (o) {
                case PASS: return CheckResult.passed("scripted pass");
                case FAIL: return CheckResult.failed("scripted fail");
                case THROW: throw new IllegalStateException("scripted exception");
                default: return CheckResult.timedOut(timeout);
            }
        }
    }

    @Property(tries = 400)
    void counterStatusAndIntervalFollowTheModel(
            @ForAll @IntRange(min = 1, max = 6) int rise,
            @ForAll @IntRange(min = 1, max = 6) int fall,
            @ForAll HealthChecker.InitialState initialState,
            @ForAll @Size(max = 80) List<Outcome> outcomes) {
        HealthChecker checker = HealthChecker.builder("prop")
                .check(new ScriptedCheck(outcomes))
                .rise(rise).fall(fall)
                .inter(INTER).fastInter(FAST_INTER).downInter(DOWN_INTER)
                .timeout(Duration.ofMillis(100))
                .initialState(initialState)
                .build();
        Model model = new Model(rise, fall, initialState);
        assertEquals(model.health(), checker.health(), "initial health");
        assertEquals(model.up, checker.isUp(), "initial status");
        List<HealthStatus> seen = new ArrayList<>();
        try (CheckerHarness h = new CheckerHarness(checker)) {
            checker.addListener((c, status, cause) -> seen.add(status));
            for (int i = 0; i < outcomes.size(); i++) {
                Outcome o = outcomes.get(i);
                CheckResult r = h.step();
                model.apply(o == Outcome.PASS);
                String at = "after result " + (i + 1) + " " + o + " of " + outcomes;
                assertEquals(o == Outcome.PASS, r.isPassed(), at);
                assertEquals(model.health(), checker.health(), "health " + at);
                assertEquals(model.up ? HealthStatus.UP : HealthStatus.DOWN, checker.status(), "status " + at);
                assertEquals(1, h.scheduler.pendingTasks(), "only the next check is pending " + at);
                assertEquals(model.interval().toNanos(), h.scheduler.nanosUntilNextTask(), "interval " + at);
            }
            assertEquals(model.transitions, seen.size(), "listener calls");
            assertEquals(outcomes.size(), checker.checksRun());
            assertEquals(outcomes.stream().filter(o -> o != Outcome.PASS).count(), checker.checksFailed());
        }
    }

    @Property(tries = 100)
    void spreadChecksStaysWithinItsPercent(
            @ForAll @IntRange(min = 0, max = 50) int percent,
            @ForAll long seed,
            @ForAll @Size(min = 1, max = 30) List<Boolean> passes) {
        List<Outcome> outcomes = new ArrayList<>();
        passes.forEach(p -> outcomes.add(p ? Outcome.PASS : Outcome.FAIL));
        HealthChecker checker = HealthChecker.builder("spread")
                .check(new ScriptedCheck(outcomes))
                .inter(INTER).fastInter(FAST_INTER).downInter(DOWN_INTER)
                .spreadChecks(percent)
                .build();
        Model model = new Model(2, 3, HealthChecker.InitialState.UP);
        ManualScheduler scheduler = new ManualScheduler();
        ComponentContext ctx = ComponentContext.builder().scheduler(scheduler)
                .blockingExecutor(new DirectExecutorService()).random(new Random(seed)).build();
        checker.start(ctx);
        try {
            scheduler.runDueTasks();
            for (int i = 0; i < outcomes.size(); i++) {
                model.apply(outcomes.get(i) == Outcome.PASS);
                long base = model.interval().toNanos();
                long next = scheduler.nanosUntilNextTask();
                long span = base * percent / 100;
                assertTrue(next >= base - span && next <= base + span,
                        "interval " + next + " outside " + base + " +/- " + percent + "%");
                if (i + 1 < outcomes.size()) {
                    scheduler.advanceNanos(next);
                }
            }
        } finally {
            checker.close();
            ctx.close();
        }
    }
}
