package io.ha4j.netlink;

import java.io.IOException;
import jnr.ffi.Pointer;

/**
 * An eventfd that a blocked {@code poll} watches beside its socket, so another thread can wake the receiver
 * without closing the socket under it (which would race with fd reuse). No spinning anywhere.
 */
final class WakeupFd implements AutoCloseable {

    private final int fd;
    private final Pointer scratch;
    private boolean closed;

    WakeupFd() throws IOException {
        this.fd = Native.eventfd();
        Pointer memory;
        try {
            memory = Native.malloc(16);
        } catch (IOException | RuntimeException e) {
            Native.close(fd);
            throw e;
        }
        this.scratch = memory;
    }

    int fd() {
        return fd;
    }

    /**
     * Makes the fd readable until {@link #drain()}. Safe from any thread until {@link #close()}; owners
     * guarantee no signal races the close.
     */
    synchronized void signal() {
        if (closed) {
            return;
        }
        try {
            scratch.putLong(0, 1L);
            Native.libc().write(fd, scratch, 8);
        } catch (IOException e) {
            throw new IllegalStateException("libc is bound whenever a WakeupFd exists", e);
        }
    }

    /** Consumes pending signals (non-blocking). */
    synchronized void drain() throws IOException {
        if (!closed) {
            Native.libc().read(fd, Native.view(scratch, 8, 8), 8);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.close(fd);
            Native.free(scratch);
        }
    }
}
