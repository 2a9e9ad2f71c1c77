package io.ha4j.vrrp.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.netlink.VrrpSocket;
import io.ha4j.vrrp.VrrpState;
import io.ha4j.vrrp.internal.VrrpPacket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11 item 2 on the real kernel: a host on the segment ({@code ka}, a raw VRRP socket) floods the ha4j master
 * ({@code ha}, priority 200, 200 ms adverts) with 20,000 lower-priority adverts as fast as it can; a receiver on the
 * flooding host counts the adverts the master puts on the wire meanwhile. The master must stay master and send what
 * its own timers allow (at most two adverts per interval), not one per advert received. Before the fix it answered
 * each accepted advert.
 */
@Tag("privileged")
@Timeout(120)
class AdvertFloodTest extends InteropFixture {

    private static final int FLOOD = 20_000;
    private static final long FLOOD_MAX_NANOS = 10_000_000_000L;

    @Test
    void testAFloodOfLowerPriorityAdvertsIsNotAnsweredPacketForPacket() throws Exception {
        Ha4jRouter master = startHa4j(ha, ha4jInstance(200).virtualAddress(VIP4));
        await("ha MASTER", () -> master.state() == VrrpState.MASTER);
        byte[] masterAddress = ha.ipv4().getAddress();

        try (VrrpSocket socket = ka.run(() -> VrrpSocket.open(VrrpSocket.Options.ipv4("eth0").build()))) {
            AtomicLong onWire = new AtomicLong();
            Thread receiver = new Thread(() -> countAdvertsFrom(socket, masterAddress, onWire), "flood-rx");
            receiver.setDaemon(true);
            receiver.start();
            await("the master's adverts reach the flooding host", () -> onWire.get() > 0);

            ByteBuffer advert = lowerPriorityAdvert(ka.ipv4());
            long receivedBefore = master.instance.counters().advertsReceived();
            long sentBefore = master.instance.counters().advertsSent();
            long wireBefore = onWire.get();
            long start = System.nanoTime();
            int flooded = 0;
            while (flooded < FLOOD && System.nanoTime() - start < FLOOD_MAX_NANOS) {
                advert.position(0);
                socket.sendToGroup(advert);
                flooded++;
            }
            Thread.sleep(ADVERT.toMillis()); // let the queue drain and the last answers reach the wire
            long elapsed = System.nanoTime() - start;
            long wire = onWire.get() - wireBefore;
            long sent = master.instance.counters().advertsSent() - sentBefore;
            long received = master.instance.counters().advertsReceived() - receivedBefore;
            socket.wakeup();
            receiver.join(2000);

            long intervals = elapsed / ADVERT.toNanos() + 1;
            String figures = "flooded " + flooded + " in " + elapsed / 1_000_000 + " ms; the master accepted " + received
                    + ", sent " + sent + " (" + wire + " seen on the wire), " + master.instance.counters();
            System.out.println("AdvertFloodTest: " + figures);
            assertTrue(received >= 100, "the flood reached the master's state machine: " + figures);
            assertTrue(sent <= 2 * intervals + 2, "at most two adverts per interval: " + figures);
            assertTrue(wire <= 2 * intervals + 2, "at most two adverts per interval on the wire: " + figures);
            assertTrue(master.instance.counters().answersSuppressed() > 0, figures);
            assertEquals(VrrpState.MASTER, master.state(), figures);
        }
        awaitVipOnlyOn(ha, VIP4);
    }

    /** VRRPv3, VRID 51, priority 100, 200 ms, our VIP: an advert ha4j accepts (checksum with the pseudo-header). */
    private static ByteBuffer lowerPriorityAdvert(InetAddress source) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(VrrpPacket.MAX_LENGTH);
        byte[] vip = InetAddress.getByName(VIP4.substring(0, VIP4.indexOf('/'))).getAddress();
        int length = VrrpPacket.encode(b, 0, 3, 51, 100, (int) (ADVERT.toMillis() / 10), vip, 1, 4,
                VrrpPacket.AUTH_NONE, null);
        VrrpPacket.putChecksum(b, 0, VrrpPacket.computeChecksum(b, 0, length, false, true, source.getAddress(),
                VrrpSocket.IPV4_GROUP.getAddress()));
        return b.limit(length);
    }

    private static void countAdvertsFrom(VrrpSocket socket, byte[] source, AtomicLong count) {
        ByteBuffer buffer = ByteBuffer.allocate(VrrpPacket.MAX_LENGTH);
        ReceivedPacket packet = new ReceivedPacket();
        try {
            while (true) {
                buffer.clear();
                if (!socket.receive(buffer, packet)) {
                    return;
                }
                if (packet.sourceLength() == 4 && Arrays.equals(packet.sourceBytes(), 0, 4, source, 0, 4)) {
                    count.incrementAndGet();
                }
            }
        } catch (java.io.IOException e) {
            // closed under us at the end of the test
        }
    }
}
