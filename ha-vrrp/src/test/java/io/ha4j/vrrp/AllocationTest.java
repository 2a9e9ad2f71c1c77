package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.ComponentContext;
import io.ha4j.core.InMemoryVipManager;
import io.ha4j.core.testing.DirectExecutorService;
import io.ha4j.core.testing.ManualScheduler;
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

    @Test
    void backupAndMasterReceivePathsAllocateNothingPerPacket() throws Exception {
        ManualScheduler clock = new ManualScheduler();
        NullTransport transport = new NullTransport();
        ComponentContext context = ComponentContext.builder().scheduler(clock).vipManager(new InMemoryVipManager())
                .blockingExecutor(new DirectExecutorService()).build();
        VrrpInstance backup = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51)
                .virtualAddress("198.18.0.100").transport(s -> transport).build();
        backup.start(context);
        byte[] higher = InstanceHarness.advert(3, 51, 150, 100, List.of("198.18.0.100"), null, true, "198.18.0.1", "224.0.0.18");
        byte[] stopping = InstanceHarness.advert(3, 51, 0, 100, List.of("198.18.0.100"), null, true, "198.18.0.1", "224.0.0.18");
        PacketMetadata metadata = new PacketMetadata().source(Hex.ip("198.18.0.1")).destination(Hex.ip("224.0.0.18")).ttl(255);
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

        clock.advance(java.time.Duration.ofSeconds(4));
        assertTrue(backup.isMaster());
        long sentBefore = transport.sent;
        long masterBytes = Long.MAX_VALUE;
        for (int round = 0; round < 4; round++) {
            long before = allocatedBytes();
            for (int i = 0; i < packets; i++) {
                backup.receive(stoppingBuffer, 0, stopping.length, metadata); // a master answers priority 0 at once
            }
            masterBytes = Math.min(masterBytes, allocatedBytes() - before);
        }
        assertEquals(4L * packets, transport.sent - sentBefore, "one advert sent per priority-0 advert received");
        assertTrue(masterBytes < packets / 4, "master receive+send path allocated " + masterBytes + " bytes for " + packets + " adverts");
    }
}
