package io.ha4j.netlink;

import java.io.IOException;
import jnr.ffi.Pointer;

/**
 * An {@code AF_PACKET / SOCK_RAW} socket with protocol 0: it sends whole Ethernet frames on any interface
 * (chosen per frame by ifindex) and receives nothing, as keepalived's shared GARP socket.
 */
final class PacketSocket implements AutoCloseable {

    private static final int FRAME_SIZE = 1514;

    private final int fd;
    private final Pointer frame;
    private boolean closed;

    PacketSocket() throws IOException {
        this.fd = Native.socket(Native.AF_PACKET, Native.SOCK_RAW, 0, "AF_PACKET, SOCK_RAW, 0");
        try {
            this.frame = Native.malloc(FRAME_SIZE);
        } catch (IOException | RuntimeException e) {
            Native.close(fd);
            throw e;
        }
    }

    synchronized void send(int ifindex, int etherType, byte[] ethernetFrame, String description) throws IOException {
        if (closed) {
            throw new IOException("packet socket is closed");
        }
        io.ha4j.core.internal.Validation.inRange("frame length", ethernetFrame.length, 14, FRAME_SIZE);
        byte[] destination = new byte[6];
        System.arraycopy(ethernetFrame, 0, destination, 0, 6);
        frame.put(0, ethernetFrame, 0, ethernetFrame.length);
        Native.sendto(fd, frame, ethernetFrame.length, 0, SockAddr.link(ifindex, etherType, destination),
                SockAddr.LL_SIZE, description);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.close(fd);
            Native.free(frame);
        }
    }
}
