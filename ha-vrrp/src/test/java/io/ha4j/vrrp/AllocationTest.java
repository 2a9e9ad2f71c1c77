package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.Clock;
import io.ha4j.core.ComponentContext;
import io.ha4j.core.InMemoryVipManager;
import io.ha4j.core.ScheduledTask;
import io.ha4j.core.Scheduler;
import io.ha4j.core.testing.DirectExecutorService;
import io.ha4j.netlink.ReceivedPacket;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hot path (receive, checks, decode, state machine, encode, checksum, send) allocates nothing per packet: measured
 * with the JVM's per-thread allocation counter over many packets after a warm-up, best of a few rounds. The bound is
 * a quarter byte per packet: the smallest object per packet would be 16 bytes each, while JIT compilation can
 * allocate a few kilobytes once.
 */
class AllocationTest {

    /** Counts sends without keeping them. */
    private static final class NullTransport implements VrrpTransport {
        long sent;

        @Override
        public void start(Receiver receiver) {
        }

        @Override
        public InetAddress sourceAddress() {
            return Hex.ip("198.18.0.2");
        }

        @Override
        public void send(ByteBuffer pdu, InetAddress destination) {
            sent++;
            pdu.position(pdu.limit());
        }

        @Override
        public void close() {
        }
    }

    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return bean.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /**
     * The test thread is the scheduler thread: one pending task kept with a preallocated handle, time moved by the
     * test. (ManualScheduler allocates an entry per scheduled task, which would hide what the instance allocates.)
     */
    private static final class SteppedScheduler implements Scheduler, Clock {
        long now = 1_000_000_000L;
        Runnable pending;
        private final ScheduledTask handle = () -> {
            boolean had = pending != null;
            pending = null;
            return had;
        };

        void runPending() {
            Runnable task = pending;
            pending = null;
            if (task != null) {
                task.run();
            }
        }

        @Override
        public Clock clock() {
            return this;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public ScheduledTask schedule(Runnable task, long delayNanos) {
            pending = task;
            return handle;
        }

        @Override
        public boolean inSchedulerThread() {
            return true;
        }
    }

    @Test
    void backupAndMasterReceivePathsAllocateNothingPerPacket() throws Exception {
        SteppedScheduler clock = new SteppedScheduler();
        NullTransport transport = new NullTransport();
        ComponentContext context = ComponentContext.builder().scheduler(clock).vipManager(new InMemoryVipManager())
                .blockingExecutor(new DirectExecutorService()).build();
        VrrpInstance backup = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51)
                .virtualAddress("198.18.0.100").transport(s -> transport).build();
        backup.start(context);
        byte[] higher = InstanceHarness.advert(3, 51, 150, 100, List.of("198.18.0.100"), null, true, "198.18.0.1", "224.0.0.18");
        byte[] stopping = InstanceHarness.advert(3, 51, 0, 100, List.of("198.18.0.100"), null, true, "198.18.0.1", "224.0.0.18");
        ReceivedPacket metadata = new ReceivedPacket().source(Hex.ip("198.18.0.1")).destination(Hex.ip("224.0.0.18")).ttl(255);
        ByteBuffer higherBuffer = ByteBuffer.wrap(higher);
        ByteBuffer stoppingBuffer = ByteBuffer.wrap(stopping);

        int packets = 20_000;
        long backupBytes = Long.MAX_VALUE;
        for (int round = 0; round < 4; round++) {
            long before = allocatedBytes();
            for (int i = 0; i < packets; i++) {
                backup.receive(higherBuffer, 0, higher.length, metadata);
            }
            backupBytes = Math.min(backupBytes, allocatedBytes() - before);
        }
        assertEquals(4L * packets, backup.counters().advertsReceived());
        assertTrue(backupBytes < packets / 4, "backup receive path allocated " + backupBytes + " bytes for " + packets + " adverts");

        clock.now += java.time.Duration.ofSeconds(4).toNanos();
        clock.runPending();
        assertTrue(backup.isMaster());

        // a master answers a priority-0 advert at once, once per advert interval: one interval between packets
        long interval = backup.advertInterval().toNanos();
        long sentBefore = transport.sent;
        long masterBytes = Long.MAX_VALUE;
        for (int round = 0; round < 4; round++) {
            long before = allocatedBytes();
            for (int i = 0; i < packets; i++) {
                clock.now += interval;
                backup.receive(stoppingBuffer, 0, stopping.length, metadata);
            }
            masterBytes = Math.min(masterBytes, allocatedBytes() - before);
        }
        assertEquals(4L * packets, transport.sent - sentBefore, "one advert sent per priority-0 advert, one per interval");
        assertTrue(masterBytes < packets / 4, "master receive+send path allocated " + masterBytes + " bytes for " + packets + " adverts");

        // a flood within one interval: every answer after the first is suppressed (counted, logged at a limited rate)
        long suppressedBefore = backup.counters().answersSuppressed();
        long floodBytes = Long.MAX_VALUE;
        for (int round = 0; round < 4; round++) {
            clock.now += interval;
            long before = allocatedBytes();
            for (int i = 0; i < packets; i++) {
                backup.receive(stoppingBuffer, 0, stopping.length, metadata);
            }
            floodBytes = Math.min(floodBytes, allocatedBytes() - before);
        }
        System.out.println("AllocationTest: bytes per " + packets + " packets (best of 4 rounds): backup receive "
                + backupBytes + ", master receive + answer " + masterBytes + ", suppressed answers " + floodBytes);
        assertEquals(4L * (packets - 1), backup.counters().answersSuppressed() - suppressedBefore);
        assertTrue(floodBytes < packets / 4, "suppressed answers allocated " + floodBytes + " bytes for " + packets + " adverts");
    }
}
