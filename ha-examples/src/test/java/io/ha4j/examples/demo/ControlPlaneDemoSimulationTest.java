package io.ha4j.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo's whole story in-process on the simulated LAN (what runs without root), with the shortened
 * timeline: failover to the next priority, the apiserver that served the watch leaves every live pool and
 * the watch resumes elsewhere without losing an event, and the old master's return follows the preempt
 * setting.
 */
class ControlPlaneDemoSimulationTest {

    @Test
    @Timeout(90)
    void preemptingStory() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        DemoOutcome o = ControlPlaneDemo.run(DemoOptions.parse(List.of("--simulate", "--quick")),
                new PrintStream(new TeeStream(printed), true, StandardCharsets.UTF_8));
        String out = printed.toString(StandardCharsets.UTF_8);
        assertCommonStory(o, out);
        assertTrue(o.preempt());
        assertEquals("node1", o.masterAfterReturn(), "node1 (priority 150) takes the VIP back");
    }

    @Test
    @Timeout(90)
    void nopreemptStory() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        DemoOutcome o = ControlPlaneDemo.run(DemoOptions.parse(List.of("--simulate", "--quick", "--nopreempt")),
                new PrintStream(new TeeStream(printed), true, StandardCharsets.UTF_8));
        String out = printed.toString(StandardCharsets.UTF_8);
        assertCommonStory(o, out);
        assertFalse(o.preempt());
        assertEquals("node2", o.masterAfterReturn(), "node1 stays backup with nopreempt");
    }

    static void assertCommonStory(DemoOutcome o, String out) {
        assertTrue(o.ok(), "expectations that did not hold: " + o.failures() + "\n" + out);
        assertEquals("node1", o.initialMaster());
        assertEquals("node1", o.crashed());
        assertEquals("node2", o.masterAfterCrash(), "the next priority (100) takes over");
        assertTrue(o.crashOutage().failedRequests() > 0 || o.crashOutage().longestGap().toMillis() > 0);
        assertTrue(List.of("node2", "node3").contains(o.stoppedApiserver()), o.stoppedApiserver());
        assertEquals(List.of("node2", "node3"), o.leftPoolOn(), "every live balancer marked it DOWN");
        assertFalse(o.watchResumedOn().isEmpty());
        assertNotEquals(o.stoppedApiserver(), o.watchResumedOn());
        assertEquals(0, o.watchEventsLost());
        assertTrue(o.requestsAnswered() > 100, "the client was answered through the VIP: " + o.requestsAnswered());
        assertTrue(out.contains("SIMULATION"), "says loudly that it is a simulation");
        assertTrue(out.contains("RESULT: everything happened as expected"), out);
    }

    /** Keeps the output for the assertions and shows it in the test log. */
    static final class TeeStream extends java.io.OutputStream {
        private final ByteArrayOutputStream copy;

        TeeStream(ByteArrayOutputStream copy) {
            this.copy = copy;
        }

        @Override
        public synchronized void write(int b) {
            copy.write(b);
            System.out.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            copy.write(b, off, len);
            System.out.write(b, off, len);
        }

        @Override
        public void flush() {
            System.out.flush();
        }
    }
}
