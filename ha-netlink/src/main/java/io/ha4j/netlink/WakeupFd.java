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

    WakeupFd() throws IOException {
        this.scratch = Native.allocate(8);
        this.fd = Native.eventfd();
    }

    int fd() {
        return fd;
    }

    /** Makes the fd readable until {@link #drain()}. Safe from any thread. */
    void signal() {
        try {
            scratch.putLong(0, 1L);
            Native.libc().write(fd, scratch, 8);
        } catch (IOException e) {
            throw new IllegalStateException("libc is bound whenever a WakeupFd exists", e);
        }
    }

    /** Consumes pending signals (non-blocking). */
    void drain() throws IOException {
        Pointer buffer = Native.allocate(8);
        Native.libc().read(fd, buffer, 8);
    }

    @Override
    public void close() {
        Native.close(fd);
    }
}
