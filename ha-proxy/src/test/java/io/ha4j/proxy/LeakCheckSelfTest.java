package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Proves that {@link LeakCheck} notices a leak, so that its silence in the other tests means something. */
class LeakCheckSelfTest {

    @Test
    void testLeakIsReported() throws InterruptedException {
        LeakCheck.collectLeaks();
        leakOne();
        boolean seen = false;
        for (int i = 0; i < 20 && !seen; i++) {
            seen = !LeakCheck.collectLeaks().isEmpty();
        }
        assertFalse(!seen, "a buffer dropped without release must be reported");
    }

    private static void leakOne() {
        ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
    }
}
