package io.ha4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.proxy.Transport;
import org.junit.jupiter.api.Test;

class BalancerMainTest {

    @Test
    void parsesThreadsRoutesAndTransport() {
        BalancerMain.Options o = BalancerMain.Options.parse("--threads", "2", "--transport", "nio",
                "--route", "127.0.0.1:49080=127.0.0.1:47080", "--route", "127.0.0.1:49201=127.0.0.1:47201");
        assertEquals(2, o.threads);
        assertEquals(Transport.NIO, o.transport);
        assertEquals(2, o.routes.size());
        assertEquals(49080, o.routes.get(0)[0].getPort());
        assertEquals(47201, o.routes.get(1)[1].getPort());
        assertEquals("127.0.0.1", o.routes.get(1)[1].getHostString());
    }

    @Test
    void rejectsBadInputNamingTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BalancerMain.Options.parse("--threads", "0",
                "--route", "127.0.0.1:1=127.0.0.1:2")).getMessage().contains("--threads"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BalancerMain.Options.parse())
                .getMessage().contains("--route"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BalancerMain.Options.parse("--route", "127.0.0.1:1"))
                .getMessage().contains("--route"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BalancerMain.Options.parse("--route",
                "127.0.0.1:70000=127.0.0.1:2")).getMessage().contains("port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BalancerMain.Options.parse("--bogus"))
                .getMessage().contains("--bogus"));
    }
}
