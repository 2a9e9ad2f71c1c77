package io.ha4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SoakMainsTest {

    @Test
    void parsesTheSoakNodeCommandLine() {
        SoakNodeMain.Options o = SoakNodeMain.Options.parse("--interface", "eth0", "--vrid", "51", "--priority", "200",
                "--version", "3", "--advert-ms", "200", "--vip", "198.18.0.10/24", "--listen", "0.0.0.0:7443",
                "--backend", "127.0.0.1:7001");
        assertEquals(200, o.priority);
        assertEquals(200, o.advertMillis);
        assertEquals(7443, o.listen.getPort());
        assertEquals("127.0.0.1", o.backend.getHostString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SoakNodeMain.Options.parse("--vip", "198.18.0.10/24"))
                .getMessage().contains("--backend"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SoakNodeMain.Options.parse("--vip", "198.18.0.10/24",
                "--backend", "127.0.0.1:7001", "--io-threads", "0")).getMessage().contains("--io-threads"));
    }

    @Test
    void parsesTheSoakClientCommandLine() {
        SoakClientMain.Options o = SoakClientMain.Options.parse("--target", "198.18.0.10:7443", "--workers", "4",
                "--duration-s", "60", "--seed", "42", "--pause-file", "/tmp/pause");
        assertEquals(4, o.workers);
        assertEquals(60, o.durationSeconds);
        assertEquals(42, o.seed);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SoakClientMain.Options.parse("--target",
                "198.18.0.10:7443", "--workers", "0")).getMessage().contains("--workers"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SoakClientMain.Options.parse("--target",
                "198.18.0.10:7443", "--min-bytes", "10", "--max-bytes", "5")).getMessage().contains("--min-bytes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SoakClientMain.Options.parse("--workers", "2"))
                .getMessage().contains("--target"));
    }

    @Test
    void thePatternDiffersBetweenConnectionsAndAcrossABlock() {
        int differentFromNextConnection = 0;
        int differentFrom256Later = 0;
        for (int p = 0; p < 16 * 1024; p++) {
            if (SoakClientMain.pattern(7, p) != SoakClientMain.pattern(8, p)) {
                differentFromNextConnection++;
            }
            if (SoakClientMain.pattern(7, p) != SoakClientMain.pattern(7, p + 256)) {
                differentFrom256Later++;
            }
        }
        // a byte shifted, duplicated or taken from another connection would pass a check that these counts fail
        assertTrue(differentFromNextConnection > 15_000, "differs from the next connection at " + differentFromNextConnection);
        assertTrue(differentFrom256Later > 15_000, "differs 256 bytes later at " + differentFrom256Later);
        assertNotEquals(SoakClientMain.pattern(1, 0), SoakClientMain.pattern(1, 1));
    }
}
