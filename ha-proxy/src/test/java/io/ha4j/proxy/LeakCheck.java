package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector reports a buffer that was never released. Surefire runs with
 * {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked; a leak is only noticed once
 * the buffer is garbage collected and a later allocation drains the detector's queue, which
 * {@link #collectLeaks()} forces.
 */
public final class LeakCheck implements BeforeAllCallback, AfterEachCallback {

    private static final List<String> LEAKS = Collections.synchronizedList(new ArrayList<>());

    static {
        ByteBufUtil.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel(),
                "tests must run with -Dio.netty.leakDetection.level=paranoid");
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        List<String> found = collectLeaks();
        assertTrue(found.isEmpty(), "Netty reported leaked buffers:\n" + String.join("\n", found));
    }

    /** Runs the GC and allocates so that the detector reports what it found; returns and clears the reports. */
    static List<String> collectLeaks() throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            System.gc();
            Thread.sleep(20); // give reference processing time to enqueue what the GC found
            for (int i = 0; i < 50; i++) {
                ByteBuf d = ByteBufAllocator.DEFAULT.directBuffer(16);
                d.release();
                ByteBuf h = ByteBufAllocator.DEFAULT.heapBuffer(16);
                h.release();
            }
        }
        synchronized (LEAKS) {
            List<String> copy = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return copy;
        }
    }
}
