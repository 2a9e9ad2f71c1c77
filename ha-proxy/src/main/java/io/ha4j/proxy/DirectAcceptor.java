package io.ha4j.proxy;

import io.ha4j.core.internal.RateLimitedLog;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening socket served straight from its event loop's epoll set (edge-triggered), without a Netty server
 * channel: each accepted socket goes to a {@link DirectSession} on the same loop, with no channel, pipeline or
 * option map made for it.
 *
 * <p>What an accepted socket needs is set once here, on the listener, because Linux copies it to every socket
 * that {@code accept} returns: {@code TCP_NODELAY}, {@code SO_KEEPALIVE} and the keepalive timing
 * ({@code TCP_KEEPIDLE}, {@code TCP_KEEPINTVL}, {@code TCP_KEEPCNT}). That saves five {@code setsockopt} calls per
 * client connection ({@code DirectAcceptorTest} reads them back from an accepted socket).
 *
 * <p>Several loops may serve one listening socket ({@link #serve}, {@code shared}): each adds it to its own epoll
 * set with {@code EPOLLEXCLUSIVE}, so a new client wakes one loop that waits in epoll rather than all of them, and
 * the idle loops take new clients first. Closing the socket (by the first of them to close) removes it from every
 * set.
 *
 * <p>At most {@value #ACCEPTS_PER_TURN} clients are accepted per turn of the loop (HAProxy's {@code tune.maxaccept}
 * default); the rest wait for the next turn, so a burst of new clients cannot starve established ones. When
 * {@code accept} fails for lack of file descriptors or memory, the failure is logged at a limited rate and the
 * listener tries again {@value #RETRY_MILLIS} ms later, as HAProxy does; the waiting clients stay in the
 * kernel's accept queue.
 */
final class DirectAcceptor implements EpollIoHandle, Runnable, Admission.Acceptor {

    /** Accepted sockets per listener per turn of the event loop. */
    static final int ACCEPTS_PER_TURN = 64;
    private static final long RETRY_MILLIS = 100;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_KEEPIDLE = 4;
    private static final int TCP_KEEPINTVL = 5;
    private static final int TCP_KEEPCNT = 6;
    private static final EpollIoOps INTEREST = EpollIoOps.valueOf(EpollIoOps.EPOLLIN.value() | EpollIoOps.EPOLLET.value());
    /** EPOLLEXCLUSIVE (Linux 4.5): a new client wakes one waiting loop, not every loop that shares the socket. */
    private static final int EPOLLEXCLUSIVE = 1 << 28;
    private static final EpollIoOps SHARED_INTEREST = EpollIoOps.valueOf(INTEREST.value() | EPOLLEXCLUSIVE);
    private static final Logger LOG = LoggerFactory.getLogger(DirectAcceptor.class);

    /** What to do with an accepted socket (on the listener's loop). */
    interface Accepted {
        /** {@code load}: the sessions per loop of a shared listener, told when the session ends; null otherwise. */
        void accepted(IoEventLoop loop, Socket socket, byte[] address, LoopLoad load);
    }

    /**
     * Sessions per event loop of one balancer whose loops share a listener: a client accepted by a loop that holds at
     * least two sessions more than another is handed to the one with the fewest (HAProxy hands accepted connections
     * to its least loaded thread the same way). Without it, a burst of long-lived connections is taken by whichever
     * loop wakes first and stays uneven for their whole life.
     */
    static final class LoopLoad {
        private final List<IoEventLoop> loops;
        private final AtomicIntegerArray sessions;

        LoopLoad(List<IoEventLoop> loops) {
            this.loops = List.copyOf(loops);
            this.sessions = new AtomicIntegerArray(loops.size());
        }

        /** The loop to serve a client accepted on {@code accepting}, counted as opened there. */
        IoEventLoop open(IoEventLoop accepting) {
            int best = loops.indexOf(accepting);
            int fewest = sessions.get(best) - 1;
            for (int i = 0; i < loops.size(); i++) {
                int n = sessions.get(i);
                if (n < fewest) {
                    fewest = n;
                    best = i;
                }
            }
            sessions.incrementAndGet(best);
            return loops.get(best);
        }

        /** A session on {@code loop} ended. */
        void ended(EventLoop loop) {
            sessions.decrementAndGet(loops.indexOf(loop));
        }

        int sessionsOn(EventLoop loop) {
            return sessions.get(loops.indexOf(loop));
        }
    }

    private final IoEventLoop loop;
    private final LinuxSocket socket;
    private final SynGate gate;
    private final Accepted onAccepted;
    private final LoopLoad load;
    private final String name;
    private final RateLimitedLog failures;
    /** accept(2)'s peer address: length at [0], then the address and the port (Netty's layout). */
    private final byte[] peer = new byte[26];
    private final InetSocketAddress localAddress;
    private IoRegistration registration;
    private boolean accepting = true;
    private boolean retryScheduled;

    private DirectAcceptor(IoEventLoop loop, LinuxSocket socket, SynGate gate, LoopLoad load, Accepted onAccepted,
                           String name, RateLimitedLog failures) {
        this.loop = loop;
        this.socket = socket;
        this.gate = gate;
        this.load = load;
        this.onAccepted = onAccepted;
        this.name = name;
        this.failures = failures;
        this.localAddress = socket.localAddress();
    }

    /** Whether every loop of {@code group} can serve direct sockets (an epoll {@link IoEventLoop}). */
    static boolean supports(EventLoopGroup group) {
        for (EventExecutor e : group) {
            if (!(e instanceof IoEventLoop) || !((IoEventLoop) e).isCompatible(DirectAcceptor.class)) {
                return false;
            }
        }
        return true;
    }

    /** The loops of {@code group}, in order. */
    static List<IoEventLoop> loops(EventLoopGroup group) {
        List<IoEventLoop> loops = new ArrayList<>();
        for (EventExecutor e : group) {
            loops.add((IoEventLoop) e);
        }
        return loops;
    }

    /** Binds and listens on {@code address} and starts accepting on {@code loop} alone. */
    static DirectAcceptor bind(IoEventLoop loop, InetSocketAddress address, int backlog, String balancer,
                               RateLimitedLog failures, Accepted onAccepted) throws IOException {
        LinuxSocket s = listen(address, backlog);
        try {
            return serve(loop, s, gate(s), null, balancer, failures, onAccepted);
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    /**
     * A listening socket on {@code address} with what accepted sockets inherit set on it.
     *
     * @throws IOException when it cannot be made or bound (the message names the call)
     */
    static LinuxSocket listen(InetSocketAddress address, int backlog) throws IOException {
        LinuxSocket s = LinuxSocket.newSocketStream(
                address.getAddress() instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6);
        try {
            s.setReuseAddress(true);
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.setIntOpt(IPPROTO_TCP, TCP_KEEPIDLE, NettyTransport.KEEPALIVE_IDLE_SECONDS);
            s.setIntOpt(IPPROTO_TCP, TCP_KEEPINTVL, NettyTransport.KEEPALIVE_INTERVAL_SECONDS);
            s.setIntOpt(IPPROTO_TCP, TCP_KEEPCNT, NettyTransport.KEEPALIVE_COUNT);
            s.bind(address);
            s.listen(backlog);
            return s;
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    /** The {@link SynGate} of a listening socket from {@link #listen}; one per socket, shared by its acceptors. */
    static SynGate gate(LinuxSocket socket) {
        return new SynGate(socket);
    }

    /**
     * Starts accepting from {@code socket} on {@code loop}. With {@code load}, other loops accept from the same
     * socket: a new client wakes one of those waiting in epoll (an idle one), and is served by the loop with the
     * fewest sessions when the accepting one has two more ({@link LoopLoad}). {@code gate}: the socket's, shared
     * by every loop that serves it.
     */
    static DirectAcceptor serve(IoEventLoop loop, LinuxSocket socket, SynGate gate, LoopLoad load, String balancer,
                                RateLimitedLog failures, Accepted onAccepted) throws IOException {
        DirectAcceptor a = new DirectAcceptor(loop, socket, gate, load, onAccepted, balancer, failures);
        Future<Void> started = loop.submit(a::register).awaitUninterruptibly();
        if (!started.isSuccess()) {
            throw new IOException("cannot register the listening socket of " + a.localAddress + " with epoll: "
                    + started.cause(), started.cause());
        }
        return a;
    }

    static void closeQuietly(LinuxSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // the caller's error is the one to report
        }
    }

    private Void register() throws Exception {
        registration = loop.register(this).sync().getNow();
        registration.submit(load != null ? SHARED_INTEREST : INTEREST);
        run(); // clients that connected between listen and registration make no edge of their own
        return null;
    }

    InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        run();
    }

    /** Accepts up to {@link #ACCEPTS_PER_TURN} clients; comes back next turn when more may wait. */
    @Override
    public void run() {
        if (!accepting || !socket.isOpen()) {
            return;
        }
        for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
            int fd;
            try {
                fd = socket.accept(peer);
            } catch (IOException e) {
                failures.warn("accept " + localAddress, "Balancer '{}': accept on {} failed ({}); trying again in {} ms", name, localAddress, e.getMessage(), RETRY_MILLIS);
                retryLater();
                return;
            }
            if (fd < 0) {
                return; // queue empty: the next client makes a new edge
            }
            try {
                gate.accepted(fd);
            } catch (IOException e) {
                failures.warn("filter " + localAddress, "Balancer '{}': a client accepted on {} may keep the listener's socket"
                        + " filter ({})", name, localAddress, e.getMessage());
            }
            Socket accepted = new Socket(fd);
            try {
                IoEventLoop target = load == null ? loop : load.open(loop);
                if (target == loop) {
                    onAccepted.accepted(loop, accepted, peer, load);
                } else {
                    handOver(target, accepted, peer.clone());
                }
            } catch (RuntimeException e) {
                // never into Netty's loop, which would sleep a second with every session on it
                failures.warn("session " + localAddress, "Balancer '{}': a client accepted on {} could not be served ({})", name, localAddress, e.toString());
                LOG.debug("Serving an accepted client failed", e);
            }
            if (!accepting) {
                return;
            }
        }
        loop.execute(this); // edge-triggered: the clients still queued would make no new event
    }

    private void handOver(IoEventLoop target, Socket accepted, byte[] address) {
        try {
            target.execute(() -> onAccepted.accepted(target, accepted, address, load));
        } catch (RuntimeException e) { // the target loop is shutting down
            load.ended(target);
            closeQuietly(accepted);
            throw e;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing was sent on it
        }
    }

    private void retryLater() {
        if (!retryScheduled) {
            retryScheduled = true;
            loop.schedule(() -> {
                retryScheduled = false;
                run();
            }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public void setAccepting(boolean accepting) {
        boolean resumed = accepting && !this.accepting;
        this.accepting = accepting;
        if (resumed) {
            run(); // clients queued while paused made their edge then
        }
    }

    @Override
    public void closeAndWait() {
        if (loop.inEventLoop()) {
            close();
        } else if (!loop.isShuttingDown()) {
            loop.submit(this::close).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Closes the listening socket (also called by the event loop when it shuts down). */
    @Override
    public void close() {
        try {
            gate.close(); // closing removes it from the epoll set: no EPOLL_CTL_DEL
        } catch (IOException e) {
            LOG.debug("Closing the listening socket {} failed", localAddress, e);
        }
        IoRegistration r = registration;
        if (r != null) {
            r.cancel();
        }
    }

    @Override
    public String toString() {
        return "DirectAcceptor[" + localAddress + "]";
    }
}
