package io.ha4j.vrrp.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.testkit.Await;
import io.ha4j.netlink.testing.KeepalivedProcess;
import io.ha4j.netlink.testing.TestNetwork;
import io.ha4j.vrrp.VrrpState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Planned moves between ha4j and keepalived 2.2.7 in network namespaces, make-before-break (DESIGN, VRRP engine): a
 * graceful stop and a step-down of a ha4j master with keepalived taking over, and preemption both ways. During each
 * move a watcher polls both routers' addresses, the old owner first, and the test asserts that the VIP was on at least
 * one of them at every poll; a client pings the VIP every 50 ms and the replies lost and the longest gap are printed
 * (not asserted: on a loaded machine a lost echo says nothing about the handover).
 */
@Tag("privileged")
@Timeout(120)
class PlannedHandoverInteropTest extends InteropFixture {

    /** Polls the VIP on the old owner, then on the new one, until closed; counts polls where neither held it. */
    private final class VipWatch implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger polls = new AtomicInteger();
        private final AtomicInteger unheld = new AtomicInteger();
        private final Thread thread;

        VipWatch(TestNetwork.Node from, TestNetwork.Node to) {
            thread = new Thread(() -> {
                while (running.get()) {
                    boolean held = hasAddress(from, VIP4) || hasAddress(to, VIP4);
                    polls.incrementAndGet();
                    if (!held) {
                        unheld.incrementAndGet();
                    }
                }
            }, "vip-watch");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }

        void assertHeldThroughout(String what) {
            assertTrue(polls.get() > 0, "the watch polled");
            assertEquals(0, unheld.get(), what + ": polls (of " + polls.get() + ") where no router held the VIP");
            System.out.println(what + ": VIP held by at least one router at all " + polls.get() + " polls");
        }
    }

    private void report(ContinuousPing ping, String what) throws Exception {
        Await.quietPeriod(Duration.ofMillis(300));
        List<double[]> replies = ping.stop();
        assertTrue(replies.size() > 1, "the client's pings were answered: " + ping);
        double first = replies.get(0)[1];
        double last = replies.get(replies.size() - 1)[1];
        long lost = (long) (last - first + 1) - replies.size();
        System.out.println(what + ": " + lost + " ping replies lost, longest gap " + ping.longestGap().toMillis()
                + " ms (" + replies.size() + " replies, one echo every 50 ms)");
    }

    private Ha4jRouter ha4jMasterWithKeepalivedBackup() throws Exception {
        Ha4jRouter r = startHa4j(ha4jInstance(150).virtualAddress(VIP4));
        await("ha4j MASTER", () -> r.state() == VrrpState.MASTER);
        KeepalivedProcess k = startKeepalived(keepalivedInstance(100).vip(VIP4));
        k.awaitLog(entering("BACKUP"), TIMEOUT);
        awaitVipOnlyOn(ha, VIP4);
        awaitPingAnsweredBy(ha, VIP4);
        return r;
    }

    @Test
    void gracefulStopOfHa4jMasterKeepsTheVipUntilKeepalivedIsMaster() throws Exception {
        Ha4jRouter r = ha4jMasterWithKeepalivedBackup();
        ContinuousPing ping = startPing(VIP4);
        Await.quietPeriod(Duration.ofMillis(300));
        try (VipWatch watch = new VipWatch(ha, ka)) {
            r.close();
            awaitVipOnlyOn(ka, VIP4);
            awaitPingAnsweredBy(ka, VIP4);
            watch.close();
            watch.assertHeldThroughout("graceful stop, keepalived takes over");
        }
        assertEquals(1, r.instance.counters().handovers(), "released after hearing keepalived: " + r);
        report(ping, "graceful stop, keepalived takes over");
    }

    @Test
    void stepDownOfHa4jMasterHandsTheVipToKeepalivedAndStaysBackup() throws Exception {
        Ha4jRouter r = ha4jMasterWithKeepalivedBackup();
        ContinuousPing ping = startPing(VIP4);
        Await.quietPeriod(Duration.ofMillis(300));
        try (VipWatch watch = new VipWatch(ha, ka)) {
            r.instance.stepDown(Duration.ofSeconds(60));
            awaitVipOnlyOn(ka, VIP4);
            awaitPingAnsweredBy(ka, VIP4);
            watch.close();
            watch.assertHeldThroughout("step-down, keepalived takes over");
        }
        assertEquals(1, r.instance.counters().handovers(), "released after hearing keepalived: " + r);
        assertStays("ha4j (150) stays BACKUP under keepalived (100) during the hold", Duration.ofSeconds(2),
                () -> r.state() == VrrpState.BACKUP && vipOnlyOn(ka, VIP4));
        report(ping, "step-down, keepalived takes over");
    }

    @Test
    void returningHa4jMasterPreemptsKeepalivedWithTheVipAlwaysHeld() throws Exception {
        KeepalivedProcess k = startKeepalived(keepalivedInstance(100).vip(VIP4));
        k.awaitLog(entering("MASTER"), TIMEOUT);
        awaitVipOnlyOn(ka, VIP4);
        awaitPingAnsweredBy(ka, VIP4);
        ContinuousPing ping = startPing(VIP4);
        Await.quietPeriod(Duration.ofMillis(300));
        try (VipWatch watch = new VipWatch(ka, ha)) {
            Ha4jRouter r = startHa4j(ha4jInstance(150).virtualAddress(VIP4));
            await("ha4j MASTER", () -> r.state() == VrrpState.MASTER);
            awaitVipOnlyOn(ha, VIP4);
            awaitPingAnsweredBy(ha, VIP4);
            watch.close();
            watch.assertHeldThroughout("ha4j preempts keepalived");
        }
        report(ping, "ha4j preempts keepalived");
    }

    @Test
    void returningKeepalivedMasterPreemptsHa4jWhichReleasesAfterHearingIt() throws Exception {
        Ha4jRouter r = startHa4j(ha4jInstance(100).virtualAddress(VIP4));
        await("ha4j MASTER", () -> r.state() == VrrpState.MASTER);
        awaitVipOnlyOn(ha, VIP4);
        awaitPingAnsweredBy(ha, VIP4);
        ContinuousPing ping = startPing(VIP4);
        Await.quietPeriod(Duration.ofMillis(300));
        try (VipWatch watch = new VipWatch(ha, ka)) {
            KeepalivedProcess k = startKeepalived(keepalivedInstance(150).vip(VIP4));
            k.awaitLog(entering("MASTER"), TIMEOUT);
            await("ha4j BACKUP", () -> r.state() == VrrpState.BACKUP);
            awaitVipOnlyOn(ka, VIP4);
            awaitPingAnsweredBy(ka, VIP4);
            watch.close();
            watch.assertHeldThroughout("keepalived preempts ha4j");
        }
        assertEquals(1, r.instance.counters().handovers(), "ha4j released after hearing keepalived: " + r);
        report(ping, "keepalived preempts ha4j");
    }
}
