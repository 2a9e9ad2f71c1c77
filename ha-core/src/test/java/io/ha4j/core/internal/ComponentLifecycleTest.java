package io.ha4j.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComponentLifecycleTest {

    private final List<String> released = new ArrayList<>();
    private final ComponentLifecycle lifecycle = new ComponentLifecycle("test component 'x'");

    private AutoCloseable resource(String name) {
        return () -> released.add(name);
    }

    @Test
    void startsOnceAndClosesInReverseOrderOnce() {
        lifecycle.start(() -> {
            lifecycle.acquired(resource("a"));
            lifecycle.acquired(resource("b"));
        });
        assertTrue(lifecycle.isStarted());
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> lifecycle.start(() -> { }));
        assertEquals("test component 'x' can be started once", again.getMessage());
        assertTrue(lifecycle.close());
        assertFalse(lifecycle.close());
        assertEquals(List.of("b", "a"), released);
        assertTrue(lifecycle.isClosed());
    }

    @Test
    void aFailedStartReleasesWhatItAcquiredAndRethrows() {
        IOException thrown = new IOException("no socket");
        IOException e = assertThrows(IOException.class, () -> lifecycle.start(() -> {
            lifecycle.acquired(resource("thread"));
            lifecycle.acquired(resource("listener"));
            throw thrown;
        }));
        assertSame(thrown, e);
        assertEquals(List.of("listener", "thread"), released);
        assertEquals(ComponentLifecycle.State.CLOSED, lifecycle.state());
        assertEquals("test component 'x' is closed",
                assertThrows(IllegalStateException.class, () -> lifecycle.start(() -> { })).getMessage());
    }

    @Test
    void closeBeforeStartForbidsStart() {
        assertTrue(lifecycle.close());
        assertThrows(IllegalStateException.class, () -> lifecycle.start(() -> released.add("ran")));
        assertEquals(List.of(), released);
    }

    @Test
    void aResourceAcquiredAfterACloseIsReleasedAtOnceAndStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> lifecycle.start(() -> {
            lifecycle.acquired(resource("first"));
            lifecycle.close(); // another thread's close, while start runs
            lifecycle.acquired(resource("late"));
            released.add("not reached");
        }));
        assertEquals("test component 'x' was closed while starting", e.getMessage());
        assertEquals(List.of("first", "late"), released);
    }

    @Test
    void aFailingReleaseDoesNotStopTheOthers() {
        lifecycle.start(() -> {
            lifecycle.acquired(resource("a"));
            lifecycle.acquired(() -> {
                throw new IOException("close failed");
            });
        });
        lifecycle.close();
        assertEquals(List.of("a"), released);
    }
}
