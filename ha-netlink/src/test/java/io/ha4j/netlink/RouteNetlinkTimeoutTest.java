package io.ha4j.netlink;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.Clock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The bounded wait of a netlink request runs on the injected clock, and a late answer to a request that timed
 * out is skipped by sequence number. Reads only (no privileges, nothing changed).
 */
class RouteNetlinkTimeoutTest {

    @Test
    void testRequestGivesUpAtDeadlineAndLateAnswerIsIgnored() throws Exception {
        AtomicLong now = new AtomicLong();
        AtomicBoolean jump = new AtomicBoolean(true);
        // While "jump" is set every reading moves time on by a minute: the deadline passes before any answer.
        Clock clock = () -> jump.get() ? now.addAndGet(Duration.ofMinutes(1).toNanos()) : now.get();
        try (RouteNetlink netlink = RouteNetlink.open(clock, Duration.ofSeconds(1))) {
            IOException timeout = assertThrows(IOException.class, netlink::links);
            assertTrue(timeout.getMessage().contains("RTM_GETLINK dump: no answer from the kernel within 1s"),
                    timeout.getMessage());
            jump.set(false);
            // The dump answering the first request is still queued (unfinished, so the kernel would refuse a
            // new dump with EBUSY); the next request reads and drops it first.
            assertFalse(netlink.links().isEmpty());
            assertTrue(netlink.staleDatagrams() > 0);
            assertTrue(netlink.links().stream().anyMatch(l -> "lo".equals(l.name())));
        }
    }

    @Test
    void testTimeoutIsValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RouteNetlink.open(Clock.system(), Duration.ZERO));
        assertTrue(e.getMessage().startsWith("timeout must be in [1ms, "), e.getMessage());
    }
}
