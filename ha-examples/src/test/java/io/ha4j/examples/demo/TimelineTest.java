package io.ha4j.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The timeline's bookkeeping, the event line format and the command line, without any network. */
class TimelineTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final Timeline tl = new Timeline(now::get, new PrintStream(printed, true, StandardCharsets.UTF_8));

    private void at(long millis, DemoEvent.Kind kind, String origin, String subject, String state, String detail) {
        tl.accept(new DemoEvent(1_000_000_000L + millis * 1_000_000L, origin, kind, subject, state, detail));
    }

    @Test
    void outageIsTheLongestGapBetweenAnswersAndCountsFailures() {
        for (int t = 0; t <= 1000; t += 100) {
            at(t, DemoEvent.Kind.REQUEST, "client", "node1", "OK", "");
        }
        for (int t = 1100; t <= 3000; t += 100) {
            at(t, DemoEvent.Kind.REQUEST, "client", "", "FAILED", "connect timed out");
        }
        at(3050, DemoEvent.Kind.REQUEST, "client", "node2", "OK", "");
        at(3150, DemoEvent.Kind.REQUEST, "client", "node2", "OK", "");

        Timeline.Outage o = tl.outage(1_000_000_000L + 1_050_000_000L, Long.MAX_VALUE);
        assertEquals(Duration.ofMillis(2050), o.longestGap());
        assertEquals(20, o.failedRequests());
        String out = printed.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("FAILING: connect timed out"), out);
        assertTrue(out.contains("answered again by node2 after 20 failed requests"), out);
    }

    @Test
    void mastersFollowVrrpStatesAndAKilledNodeIsNoMaster() {
        at(0, DemoEvent.Kind.VRRP, "node1", "VI_1", "MASTER", "");
        at(0, DemoEvent.Kind.VRRP, "node2", "VI_1", "BACKUP", "");
        assertEquals(List.of("node1"), tl.masters());
        at(10, DemoEvent.Kind.NODE, "node1", "", "KILLED", "kill -9");
        assertEquals(List.of(), tl.masters());
        assertEquals(Timeline.DEAD, tl.vrrpState("node1").orElseThrow());
    }

    @Test
    void watchContinuityCountsLostEvents() {
        at(0, DemoEvent.Kind.WATCH, "client", "node1", "CONNECTED", "");
        at(1, DemoEvent.Kind.WATCH, "client", "node1", "EVENT", "100");
        at(2, DemoEvent.Kind.WATCH, "client", "node1", "EVENT", "101");
        at(3, DemoEvent.Kind.WATCH, "client", "", "BROKEN", "EOF");
        at(4, DemoEvent.Kind.WATCH, "client", "node2", "CONNECTED", "");
        at(5, DemoEvent.Kind.WATCH, "client", "node2", "EVENT", "102");
        assertEquals(0, tl.watchEventsLost());
        at(6, DemoEvent.Kind.WATCH, "client", "node2", "EVENT", "105");
        assertEquals(2, tl.watchEventsLost());
        assertEquals("node2", tl.watchServedBy());
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("continues after rv 101 with no event lost"));
    }

    @Test
    void awaitGivesUpAtItsDeadline() throws Exception {
        Timeline real = new Timeline(io.ha4j.core.Clock.system(), new PrintStream(new ByteArrayOutputStream()));
        assertFalse(real.await(Duration.ofMillis(50), t -> false));
        assertTrue(real.await(Duration.ofMillis(50), t -> true));
    }

    @Test
    void eventLinesRoundTripAndOtherLinesAreIgnored() {
        DemoEvent e = new DemoEvent(42, "node2", DemoEvent.Kind.BACKEND, "node3", "DOWN", "check failed:\tHTTP 503\n");
        DemoEvent back = DemoEvent.decode(e.encode()).orElseThrow();
        assertEquals(new DemoEvent(42, "node2", DemoEvent.Kind.BACKEND, "node3", "DOWN", "check failed: HTTP 503 "), back);
        assertTrue(DemoEvent.decode("[main] INFO io.ha4j.proxy.TcpBalancer - listening").isEmpty());
        assertTrue(DemoEvent.decode(DemoEvent.LINE_PREFIX + "x\tnode1\tNOPE\t\tUP\t").isEmpty());
    }

    @Test
    void optionsAreValidatedWithTheOptionNamed() {
        DemoOptions o = DemoOptions.parse(List.of("--nopreempt", "--quick", "--prefix", "h4jtest"));
        assertFalse(o.preempt());
        assertTrue(o.quick());
        assertEquals("h4jtest", o.prefix());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DemoOptions.parse(List.of("--advert-int", "0")));
        assertTrue(e.getMessage().contains("--advert-int") && e.getMessage().contains("[1, 10]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(List.of("--prefix", "BAD/NAME")));
        assertTrue(e.getMessage().contains("--prefix"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(List.of("--frobnicate")));
        assertTrue(e.getMessage().contains("--frobnicate"), e.getMessage());
    }
}
