package io.ha4j.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo's LAN of namespaces: reachability, link down as a crash, and complete removal. */
@Tag("privileged")
@Timeout(60)
class NamespaceLanTest {

    @Test
    void membersReachEachOtherUntilALinkGoesDownAndEverythingIsRemoved() throws Exception {
        String cause = NamespaceLan.unavailabilityCause();
        if (cause != null) {
            fail("needs root and iproute2 to create network namespaces: " + cause);
        }
        String prefix = "h4j" + (ProcessHandle.current().pid() % 100000) + "t";
        Map<String, String> members = new LinkedHashMap<>();
        members.put("a", "198.18.0.21/24");
        members.put("b", "198.18.0.22/24");
        try (NamespaceLan lan = NamespaceLan.create(prefix, members)) {
            assertEquals(List.of("198.18.0.21/24"), lan.addresses("a"));
            assertTrue(ping(lan.namespace("a"), "198.18.0.22"), "b answers a over the bridge");
            lan.linkDown("b");
            assertFalse(ping(lan.namespace("a"), "198.18.0.22"), "b is cut off");
            lan.linkUp("b");
            assertTrue(ping(lan.namespace("a"), "198.18.0.22"), "b is back");
        } finally {
            NamespaceLan.deleteAll(prefix);
        }
        assertFalse(NamespaceLan.ip("netns", "list").contains(prefix), "every namespace of the run is gone");
    }

    private static boolean ping(String namespace, String address) throws Exception {
        // a few tries: a bridge port that just came up may drop the first packets
        for (int i = 0; i < 5; i++) {
            Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "ping", "-c", "1", "-W", "1", address)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            } else if (p.exitValue() == 0) {
                return true;
            }
        }
        return false;
    }
}
