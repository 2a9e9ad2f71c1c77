package io.ha4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SystemSchedulerTest {

    private static long allocated(Thread t) {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return bean.getThreadAllocatedBytes(t.getId());
    }

    @Test
    void tasksRunInDeadlineOrderThenSubmissionOrderOnItsThread() throws Exception {
        try (SystemScheduler scheduler = Scheduler.newSingleThread("sched-order")) {
            List<String> ran = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            CountDownLatch gate = new CountDownLatch(1);
            scheduler.execute(() -> await(gate)); // holds the thread while the others are queued
            scheduler.schedule(() -> ran.add("late"), TimeUnit.MILLISECONDS.toNanos(400));
            scheduler.schedule(() -> ran.add("early"), TimeUnit.MILLISECONDS.toNanos(200));
            scheduler.execute(() -> ran.add("now-1"));
            scheduler.execute(() -> ran.add("now-2"));
            ScheduledTask cancelled = scheduler.schedule(() -> ran.add("cancelled"), TimeUnit.MILLISECONDS.toNanos(300));
            scheduler.schedule(() -> {
                ran.add("last " + scheduler.inSchedulerThread());
                done.countDown();
            }, TimeUnit.MILLISECONDS.toNanos(600));
            assertTrue(cancelled.cancel());
            assertFalse(cancelled.cancel());
            gate.countDown();
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("now-1", "now-2", "early", "late", "last true"), ran);
            assertFalse(scheduler.inSchedulerThread());
        }
    }

    @Test
    void aThrowingTaskDoesNotStopTheThreadAndCloseDropsPendingTasks() throws Exception {
        SystemScheduler scheduler = Scheduler.newSingleThread("sched-close");
        CountDownLatch after = new CountDownLatch(1);
        scheduler.execute(() -> {
            throw new IllegalStateException("boom (expected by the test)");
        });
        scheduler.execute(after::countDown);
        assertTrue(after.await(10, TimeUnit.SECONDS));
        AtomicLong ran = new AtomicLong();
        scheduler.schedule(ran::incrementAndGet, TimeUnit.HOURS.toNanos(1));
        scheduler.close();
        assertTrue(scheduler.isClosed());
        scheduler.execute(ran::incrementAndGet);
        assertFalse(scheduler.schedule(ran::incrementAndGet, 1).cancel());
        assertEquals(0, ran.get());
    }

    /**
     * The VRRP receive path hands one preallocated drain task to {@code execute} for every packet that finds its queue
     * empty: neither the submitting thread nor the scheduler thread may allocate for it. Best of four rounds of
     * 20,000 hand-overs, under a quarter byte per hand-over (the smallest object would be 16 bytes each).
     */
    @Test
    void executeOfAPreallocatedTaskAllocatesNothingOnEitherThread() throws Exception {
        try (SystemScheduler scheduler = Scheduler.newSingleThread("sched-alloc")) {
            AtomicLong runs = new AtomicLong();
            Runnable task = runs::incrementAndGet;
            Thread[] schedulerThread = new Thread[1];
            CountDownLatch found = new CountDownLatch(1);
            scheduler.execute(() -> {
                schedulerThread[0] = Thread.currentThread();
                found.countDown();
            });
            assertTrue(found.await(10, TimeUnit.SECONDS));
            int handOvers = 20_000;
            long submitBytes = Long.MAX_VALUE;
            long runBytes = Long.MAX_VALUE;
            for (int round = 0; round < 4; round++) {
                long expected = runs.get() + handOvers;
                long submitBefore = allocated(Thread.currentThread());
                long runBefore = allocated(schedulerThread[0]);
                for (int i = 0; i < handOvers; i++) {
                    scheduler.execute(task);
                    if ((i & 63) == 0) {
                        while (runs.get() < expected - handOvers + i) {
                            Thread.onSpinWait(); // keep the ring small, as a packet stream does
                        }
                    }
                }
                long submitted = allocated(Thread.currentThread()) - submitBefore;
                while (runs.get() < expected) {
                    Thread.onSpinWait();
                }
                submitBytes = Math.min(submitBytes, submitted);
                runBytes = Math.min(runBytes, allocated(schedulerThread[0]) - runBefore);
            }
            assertTrue(submitBytes < handOvers / 4, "execute allocated " + submitBytes + " bytes for " + handOvers);
            assertTrue(runBytes < handOvers / 4, "the scheduler thread allocated " + runBytes + " bytes for " + handOvers);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
