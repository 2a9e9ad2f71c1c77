package io.ha4j.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.ScheduledTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {

    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<String> ran = new ArrayList<>();

    @Test
    void timeStartsAtOneMillisecondAndMovesOnlyWhenAdvanced() {
        assertEquals(1_000_000L, scheduler.nanoTime());
        assertEquals(scheduler, scheduler.clock());
        scheduler.advance(Duration.ofSeconds(2));
        assertEquals(2_001_000_000L, scheduler.nanoTime());
        scheduler.runDueTasks();
        assertEquals(2_001_000_000L, scheduler.nanoTime());
    }

    @Test
    void tasksRunInDeadlineOrderAndTiesInSubmissionOrder() {
        scheduler.schedule(() -> ran.add("c@30"), Duration.ofMillis(30));
        scheduler.schedule(() -> ran.add("a@10"), Duration.ofMillis(10));
        scheduler.schedule(() -> ran.add("b1@20"), Duration.ofMillis(20));
        scheduler.schedule(() -> ran.add("b2@20"), Duration.ofMillis(20));
        scheduler.execute(() -> ran.add("now"));
        scheduler.advance(Duration.ofMillis(25));
        assertEquals(List.of("now", "a@10", "b1@20", "b2@20"), ran);
        assertEquals(1, scheduler.pendingTasks());
        assertEquals(Duration.ofMillis(5).toNanos(), scheduler.nanosUntilNextTask());
        scheduler.advance(Duration.ofMillis(5));
        assertEquals(List.of("now", "a@10", "b1@20", "b2@20", "c@30"), ran);
        assertEquals(-1, scheduler.nanosUntilNextTask());
    }

    @Test
    void aTaskSeesItsOwnDeadlineAsTheTime() {
        long start = scheduler.nanoTime();
        List<Long> seen = new ArrayList<>();
        scheduler.schedule(() -> seen.add(scheduler.nanoTime() - start), 7_000L);
        scheduler.advanceNanos(10_000L);
        assertEquals(List.of(7_000L), seen);
        assertEquals(start + 10_000L, scheduler.nanoTime());
    }

    @Test
    void tasksScheduledByTasksInsideTheWindowRunInTheSameAdvance() {
        scheduler.schedule(() -> {
            ran.add("first");
            scheduler.schedule(() -> ran.add("second"), Duration.ofMillis(5));
            scheduler.schedule(() -> ran.add("too late"), Duration.ofMillis(50));
        }, Duration.ofMillis(10));
        scheduler.advance(Duration.ofMillis(20));
        assertEquals(List.of("first", "second"), ran);
        assertEquals(1, scheduler.pendingTasks());
    }

    @Test
    void cancelPreventsARunOnceOnly() {
        ScheduledTask task = scheduler.schedule(() -> ran.add("x"), Duration.ofMillis(1));
        assertTrue(task.cancel());
        assertFalse(task.cancel());
        scheduler.advance(Duration.ofMillis(2));
        assertEquals(List.of(), ran);
        ScheduledTask done = scheduler.schedule(() -> ran.add("y"), 0L);
        scheduler.runDueTasks();
        assertFalse(done.cancel(), "too late to cancel a task that ran");
        assertEquals(List.of("y"), ran);
    }

    @Test
    void knowsWhenItRunsATask() throws InterruptedException {
        List<Boolean> inside = new ArrayList<>();
        scheduler.execute(() -> inside.add(scheduler.inSchedulerThread()));
        assertFalse(scheduler.inSchedulerThread());
        scheduler.runDueTasks();
        assertEquals(List.of(true), inside);
        assertFalse(scheduler.inSchedulerThread());
    }

    @Test
    void tasksFromOtherThreadsRunAtTheNextAdvance() throws InterruptedException {
        Thread other = new Thread(() -> scheduler.execute(() -> ran.add("from other thread")));
        other.start();
        other.join();
        assertEquals(List.of(), ran);
        scheduler.runDueTasks();
        assertEquals(List.of("from other thread"), ran);
    }

    @Test
    void negativeDelaysRunAsSoonAsPossibleAndTimeNeverGoesBack() {
        scheduler.schedule(() -> ran.add("late"), -5L);
        scheduler.runDueTasks();
        assertEquals(List.of("late"), ran);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scheduler.advanceNanos(-1));
        assertTrue(e.getMessage().contains("backwards"), e.getMessage());
    }
}
