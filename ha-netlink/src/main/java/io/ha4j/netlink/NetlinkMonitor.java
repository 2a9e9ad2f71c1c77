package io.ha4j.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription to rtnetlink link and address notifications ({@code RTMGRP_LINK}, {@code RTMGRP_IPV4_IFADDR},
 * {@code RTMGRP_IPV6_IFADDR}), delivered to one {@link NetlinkListener} from one daemon thread.
 *
 * <p>The thread blocks in {@code poll} on the netlink socket and an eventfd; {@link #close()} signals the
 * eventfd, so the thread leaves promptly without spinning and without racing the socket's close. The socket
 * is opened in the network namespace of the thread that calls {@link #start}.
 */
public final class NetlinkMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NetlinkMonitor.class);
    static final int GROUPS = RtMessages.RTMGRP_LINK | RtMessages.RTMGRP_IPV4_IFADDR | RtMessages.RTMGRP_IPV6_IFADDR;

    private final NetlinkSocket socket;
    private final WakeupFd wakeup;
    private final NetlinkListener listener;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;

    private NetlinkMonitor(NetlinkSocket socket, WakeupFd wakeup, NetlinkListener listener, String threadName) {
        this.socket = socket;
        this.wakeup = wakeup;
        this.listener = listener;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /**
     * Subscribes and starts the event thread (named {@code threadName}). Events that happen after this
     * returns are delivered.
     */
    public static NetlinkMonitor start(NetlinkListener listener, String threadName) throws IOException {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(threadName, "threadName");
        NetlinkSocket socket = new NetlinkSocket(GROUPS);
        WakeupFd wakeup;
        try {
            wakeup = new WakeupFd();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        NetlinkMonitor monitor = new NetlinkMonitor(socket, wakeup, listener, threadName);
        monitor.thread.start();
        return monitor;
    }

    /** Starts a monitor for a listener; lets an owner create its listener before the monitor exists. */
    @FunctionalInterface
    interface Starter {
        NetlinkMonitor start(NetlinkListener listener) throws IOException;
    }

    private void run() {
        try {
            while (!closing) {
                ByteBuffer datagram;
                try {
                    datagram = socket.receive(-1, wakeup.fd());
                } catch (NativeException e) {
                    if (e.errno() == Errno.ENOBUFS) {
                        LOG.warn("rtnetlink notifications were dropped (receive queue overrun); listeners resync");
                        deliverEventsLost();
                        continue;
                    }
                    throw e;
                }
                if (datagram != null) {
                    RtMessages.forEach(datagram, this::dispatch);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                LOG.error("rtnetlink monitor thread stopped", e);
            }
        } finally {
            stopped.countDown();
        }
    }

    private boolean dispatch(int type, int flags, int seq, ByteBuffer body) {
        try {
            switch (type) {
                case RtMessages.RTM_NEWLINK:
                case RtMessages.RTM_DELLINK: {
                    LinkInfo link = RtMessages.parseLink(body);
                    if (link != null) {
                        listener.onLinkChanged(link, type == RtMessages.RTM_DELLINK);
                    }
                    break;
                }
                case RtMessages.RTM_NEWADDR:
                case RtMessages.RTM_DELADDR: {
                    AddressInfo address = RtMessages.parseAddress(body);
                    if (address != null) {
                        listener.onAddressChanged(address, type == RtMessages.RTM_DELADDR);
                    }
                    break;
                }
                default:
                    break;
            }
        } catch (RuntimeException e) {
            LOG.error("NetlinkListener ({}) threw an exception", listener, e);
        }
        return true;
    }

    private void deliverEventsLost() {
        try {
            listener.onEventsLost();
        } catch (RuntimeException e) {
            LOG.error("NetlinkListener ({}) threw an exception", listener, e);
        }
    }

    /**
     * Stops the thread (waiting up to 5 s for it, never from the event thread itself) and closes the socket.
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        wakeup.signal();
        if (Thread.currentThread() != thread) {
            try {
                if (!stopped.await(5, TimeUnit.SECONDS)) {
                    LOG.warn("rtnetlink monitor thread {} did not stop within 5s", thread.getName());
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            socket.close();
            wakeup.close();
        } else {
            // Called from a listener: the loop ends after this dispatch; the thread closes nothing it still
            // uses, so hand the fds to a short-lived closer once the loop has returned.
            Thread closer = new Thread(() -> {
                try {
                    stopped.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                socket.close();
                wakeup.close();
            }, thread.getName() + "-close");
            closer.setDaemon(true);
            closer.start();
        }
    }
}
