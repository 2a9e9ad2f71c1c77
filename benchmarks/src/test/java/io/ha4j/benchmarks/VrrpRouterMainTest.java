package io.ha4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VrrpRouterMainTest {

    @Test
    void parsesTheHarnessCommandLine() {
        VrrpRouterMain.Options o = VrrpRouterMain.Options.parse("--interface", "eth0", "--vrid", "51", "--priority", "200",
                "--version", "3", "--advert-ms", "50", "--vip", "198.18.0.10/24", "--gc-pressure-threads", "2",
                "--gc-live-mb", "100");
        assertEquals("eth0", o.interfaceName);
        assertEquals(51, o.vrid);
        assertEquals(200, o.priority);
        assertEquals(3, o.version);
        assertEquals(50, o.advertMillis);
        assertEquals("198.18.0.10/24", o.vip);
        assertEquals(2, o.gcThreads);
        assertEquals(100, o.gcLiveMb);
    }

    @Test
    void coordinatedPreemptionIsOffUnlessGiven() {
        assertEquals(0, VrrpRouterMain.Options.parse("--vip", "198.18.0.10/24").coordinatedPreemptionMillis);
        assertEquals(100, VrrpRouterMain.Options.parse("--vip", "198.18.0.10/24", "--coordinated-preemption-ms", "100")
                .coordinatedPreemptionMillis);
    }

    @Test
    void rejectsBadInputNamingTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VrrpRouterMain.Options.parse("--vrid", "51"))
                .getMessage().contains("--vip"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VrrpRouterMain.Options.parse("--vip"))
                .getMessage().contains("--vip"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VrrpRouterMain.Options.parse("--vip", "198.18.0.10/24",
                "--gc-pressure-threads", "-1")).getMessage().contains("--gc-pressure-threads"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VrrpRouterMain.Options.parse("--nope", "1"))
                .getMessage().contains("--nope"));
    }
}
