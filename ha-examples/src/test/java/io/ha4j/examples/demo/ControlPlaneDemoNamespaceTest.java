package io.ha4j.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real demo with the shortened timeline: network namespaces on a bridge, one JVM per node with real VIPs
 * (rtnetlink) and VRRP on raw sockets, a client JVM in its own namespace. Needs root and iproute2; fails,
 * never skips, when they are missing.
 */
@Tag("privileged")
class ControlPlaneDemoNamespaceTest {

    @Test
    @Timeout(90)
    void realStoryInNamespaces() throws Exception {
        String prefix = "h4j" + (ProcessHandle.current().pid() % 100000) + "x";
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        DemoOutcome o;
        try {
            o = ControlPlaneDemo.runReal(DemoOptions.parse(List.of("--quick", "--prefix", prefix)),
                    new PrintStream(new ControlPlaneDemoSimulationTest.TeeStream(printed), true, StandardCharsets.UTF_8));
        } finally {
            NamespaceLan.deleteAll(prefix);
        }
        String out = printed.toString(StandardCharsets.UTF_8);

        assertTrue(o.ok(), "expectations that did not hold: " + o.failures() + "\n" + out);
        assertEquals("node1", o.initialMaster());
        assertEquals("node2", o.masterAfterCrash(), "the next priority (100) takes the VIP");
        assertTrue(o.crashOutage().failedRequests() > 0, "a crash of the master is an outage the client sees");
        assertTrue(List.of("node2", "node3").contains(o.stoppedApiserver()), o.stoppedApiserver());
        assertEquals(List.of("node2", "node3"), o.leftPoolOn());
        assertNotEquals(o.stoppedApiserver(), o.watchResumedOn());
        assertFalse(o.watchResumedOn().isEmpty());
        assertEquals(0, o.watchEventsLost());
        assertEquals("node1", o.masterAfterReturn(), "node1 preempts when it comes back");

        // what ip addr showed in the namespaces, as printed
        assertTrue(out.contains("VIP after start: held by node1 (ip -n " + prefix + "node1"), out);
        assertTrue(out.contains("VIP after the crash: held by node2 (ip -n " + prefix + "node2"), out);
        assertTrue(out.contains("the VIP left by the crash was removed at start"), out);
        assertTrue(out.contains("VIP after node1 came back: held by node1 (ip -n " + prefix + "node1"), out);
        assertFalse(out.contains("SIMULATION"), "the real demo does not call itself a simulation");
        assertFalse(NamespaceLan.ip("netns", "list").contains(prefix), "every namespace of the run was removed");
    }
}
