package io.ha4j.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;

/**
 * One {@code AF_NETLINK / NETLINK_ROUTE} socket: sends requests to the kernel and reads datagrams with a
 * bounded {@code poll}. Not thread-safe; {@link RouteNetlink} serialises requests and {@link NetlinkMonitor}
 * reads from its own thread.
 */
final class NetlinkSocket implements AutoCloseable {

    static final int NETLINK_ROUTE = 0;
    private static final int BUFFER_SIZE = 64 * 1024;

    private final int fd;
    private final Pointer buffer;
    private final Pointer kernel;
    private final Pointer pollfds;
    private boolean closed;

    NetlinkSocket(int groups) throws IOException {
        this.kernel = SockAddr.netlink(0, 0);
        this.pollfds = Native.allocate(16);
        int socket = Native.socket(Native.AF_NETLINK, Native.SOCK_RAW, NETLINK_ROUTE, "AF_NETLINK, SOCK_RAW, NETLINK_ROUTE");
        try {
            Native.bind(socket, SockAddr.netlink(0, groups), SockAddr.NL_SIZE,
                    "AF_NETLINK groups 0x" + Integer.toHexString(groups));
            this.buffer = Native.malloc(BUFFER_SIZE);
        } catch (IOException | RuntimeException e) {
            Native.close(socket);
            throw e;
        }
        this.fd = socket;
    }

    int fd() {
        return fd;
    }

    void send(ByteBuffer message, String description) throws IOException {
        int length = message.remaining();
        byte[] bytes = new byte[length];
        message.duplicate().get(bytes);
        buffer.put(0, bytes, 0, length);
        Native.sendto(fd, buffer, length, 0, kernel, SockAddr.NL_SIZE, description);
    }

    /**
     * Waits up to {@code timeoutMillis} for a datagram (or for {@code wakeFd} when it is not -1) and reads
     * it. Returns null on timeout or wake-up.
     *
     * @throws NativeException with ENOBUFS when the kernel dropped notifications (receive queue overrun)
     */
    ByteBuffer receive(int timeoutMillis, int wakeFd) throws IOException {
        int[] fds = wakeFd >= 0 ? new int[] {fd, wakeFd} : new int[] {fd};
        int ready = Native.pollReadable(pollfds, fds, timeoutMillis);
        if (ready != 0) {
            return null;
        }
        return receiveNow();
    }

    /** Reads one pending datagram without blocking; null when none is queued. */
    ByteBuffer receiveNow() throws IOException {
        Native.LibC c = Native.libc();
        while (true) {
            long n = c.recv(fd, buffer, BUFFER_SIZE, Native.MSG_DONTWAIT);
            if (n >= 0) {
                byte[] bytes = new byte[(int) n];
                buffer.get(0, bytes, 0, bytes.length);
                return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
            }
            int errno = Native.lastErrno();
            if (errno == Errno.EINTR) {
                continue;
            }
            if (errno == Errno.EAGAIN) {
                return null;
            }
            throw Native.error("recv(AF_NETLINK)", errno);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.close(fd);
            Native.free(buffer);
        }
    }
}
