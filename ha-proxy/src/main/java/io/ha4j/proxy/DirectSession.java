package io.ha4j.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and its backend connection on the epoll transport, driven straight by the event loop's
 * epoll events (Netty 4.2's {@link EpollIoHandle}): no Netty channel, pipeline, promise or option map per socket.
 * The session rules (slots, server selection, retries, timeouts, VIP leave, the log line) are
 * {@link AbstractSession}'s, shared with {@link RelaySession}; this class moves the bytes. It exists because a connection through Netty's channels cost 45 system calls
 * and 170 µs of CPU against HAProxy's 18 and 105 ({@code benchmarks/RESULTS.md}, issue 12).
 *
 * <p>How the I/O works, in HAProxy's manner:
 * <ul>
 *   <li>Each socket is added to epoll once, edge-triggered, for input, output and peer half-close; its interest
 *       never changes, so a connection costs one {@code epoll_ctl} per socket and none to pause or resume.
 *       Closing the socket removes it from the set.</li>
 *   <li>Reads of up to 64 KiB go into one buffer per event loop ({@link EndOfTurnWrites}). A read shorter than that
 *       means the socket is drained (the next data makes a new edge), unless the peer's half-close came with the
 *       event, which is read to the end. Such a message is written to the other socket at the end of the loop's
 *       turn, after every ready socket was read, as HAProxy does; a full read, part of a stream, is written at once.
 *       Only what the other socket does not take is copied into a buffer of this session for that direction;
 *       reading from the source stops until the output event says that buffer is written. Memory per direction is
 *       bounded by one read, whatever the peers do.</li>
 *   <li>At most {@value #READS_PER_TURN} reads per socket per turn of the loop; a stream with more to read comes
 *       back at the end of the turn, so one bulk transfer cannot starve the others.</li>
 *   <li>The backend connect is made at the end of the turn that accepted the client ({@link #startAdmitted}), and
 *       the client is not read until the backend is connected; what it sent meanwhile waits in its socket.</li>
 *   <li>A half-close is passed on with {@code shutdown(SHUT_WR)}: the end of a stream is only read once what was read
 *       before it is written. The client's at once; the server's at the end of the loop's turn, after reading the
 *       client's own FIN if it came meanwhile ({@link #passServerFin}).</li>
 * </ul>
 *
 * <p>Everything runs on the event loop that accepted the client; the backend socket is registered on the same loop.
 */
final class DirectSession extends AbstractSession {

    private static final Logger LOG = LoggerFactory.getLogger(DirectSession.class);
    static final int READ_BUFFER_SIZE = EndOfTurnWrites.READ_SIZE;
    static final int READS_PER_TURN = 16;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_KEEPIDLE = 4;
    private static final int TCP_KEEPINTVL = 5;
    private static final int TCP_KEEPCNT = 6;
    private static final int EPOLLIN = EpollIoOps.EPOLLIN.value();
    private static final int EPOLLOUT = EpollIoOps.EPOLLOUT.value();
    private static final int EPOLLRDHUP = EpollIoOps.EPOLLRDHUP.value();
    private static final int EPOLLERR = EpollIoOps.EPOLLERR.value();
    /** EPOLLHUP is not among Netty's named flags; it is 0x10 on Linux. */
    private static final int EPOLLHUP = 0x10;
    private static final EpollIoOps INTEREST = EpollIoOps.valueOf(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EpollIoOps.EPOLLET.value());

    private final Side client;
    /** The client's address, kept only when the balance or the log needs it. */
    private final InetSocketAddress clientAddress;
    /** Sessions per loop of a shared listener, told when this one ends; null when the listener is not shared. */
    private final DirectAcceptor.LoopLoad load;

    private Side server;

    private DirectSession(BalancerConfig config, Admission admission, Backends backends, FrontendCounters frontend,
                          IoEventLoop loop, Socket clientSocket, InetSocketAddress clientAddress,
                          DirectAcceptor.LoopLoad load) {
        super(config, admission, backends, frontend, loop, true);
        this.client = new Side(true, clientSocket);
        this.clientAddress = clientAddress;
        this.load = load;
    }

    /**
     * A client was accepted on {@code loop}: registers its socket and asks {@link Admission} for a slot. The
     * socket is closed here if it cannot be registered (then null is returned).
     */
    static DirectSession accepted(BalancerConfig config, Admission admission, Backends backends, FrontendCounters frontend,
                         IoEventLoop loop, Socket socket, byte[] peer, DirectAcceptor.LoopLoad load) {
        InetSocketAddress address = config.logConnections() || config.balance() == Balance.SOURCE
                ? NativeInetAddress.address(peer, 1, peer[0]) : null;
        DirectSession s = new DirectSession(config, admission, backends, frontend, loop, socket, address, load);
        if (!s.client.register()) {
            s.client.closeSocket(false);
            if (load != null) {
                load.ended(loop);
            }
            return null;
        }
        admission.accepted(s);
        return s;
    }

    @Override
    boolean clientReady() {
        return true;
    }

    /**
     * Connects to the backend at the end of the loop's turn, once every ready socket was handled, as HAProxy's
     * stream tasks connect after its I/O: a burst of accepted clients is taken whole before the first connect wakes
     * the backend. Per {@code Connection: close} connection the machine switched context 1.56, 1.62 and 1.88 times
     * with the connect made at accept, and 1.40, 1.73 and 1.47 times with it made here, in alternating runs
     * ({@code benchmarks/RESULTS.md}, issue 12).
     */
    @Override
    void startAdmitted() {
        loop.execute(this::start);
    }

    @Override
    InetSocketAddress clientAddress() {
        return clientAddress;
    }

    @Override
    boolean serverOpen() {
        return server != null;
    }

    @Override
    boolean halfClosed() {
        return client.inputShut || (server != null && server.inputShut);
    }

    @Override
    void openServer(Server s) {
        LinuxSocket socket;
        try {
            socket = LinuxSocket.newSocketStream(
                    s.address.getAddress() instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6);
        } catch (RuntimeException e) { // out of file descriptors: Netty's ChannelException
            connectFailed(e);
            return;
        }
        Side side = new Side(false, socket);
        server = side;
        boolean connected;
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.setIntOpt(IPPROTO_TCP, TCP_KEEPIDLE, NettyTransport.KEEPALIVE_IDLE_SECONDS);
            socket.setIntOpt(IPPROTO_TCP, TCP_KEEPINTVL, NettyTransport.KEEPALIVE_INTERVAL_SECONDS);
            socket.setIntOpt(IPPROTO_TCP, TCP_KEEPCNT, NettyTransport.KEEPALIVE_COUNT);
            connected = socket.connect(s.address);
        } catch (IOException e) {
            connectFailed(e);
            return;
        }
        if (!side.register()) {
            connectFailed(new IOException("cannot add the socket to epoll"));
            return;
        }
        rearmTimer();
        if (connected) {
            serverConnected();
        }
    }

    /** The backend accepted the connection: relay what the client sent meanwhile. */
    private void serverConnected() {
        connected();
        if (client.inputSeen || client.hangupSeen) { // its edge came while we connected: no new one will
            relay(client, client.hangupSeen);
        }
    }

    @Override
    void dropServer() {
        Side s = server;
        server = null;
        if (s != null) {
            s.closeSocket(false);
        }
    }

    /** An epoll event on one of the two sockets. */
    private void onEvent(Side side, int ops) {
        boolean broken = (ops & (EPOLLERR | EPOLLHUP)) != 0;
        if (closed) {
            if (broken) {
                side.closeSocket(false); // a peer that is gone takes nothing more
            } else if ((ops & EPOLLOUT) != 0) {
                flush(side);
            }
            return;
        }
        if (connectedNanos < 0) {
            if (side.client) {
                if (broken) {
                    close('C', 'C'); // the client left before its backend connection was up
                    return;
                }
                // read once the backend is connected; remember what the edge said, there will be no other
                side.inputSeen |= (ops & EPOLLIN) != 0;
                side.hangupSeen |= (ops & EPOLLRDHUP) != 0;
                return;
            }
            if (broken) {
                connectFailed(connectError(side));
                return;
            }
            if ((ops & EPOLLOUT) == 0) {
                return;
            }
            serverConnected();
            if (closed) {
                return;
            }
        }
        if ((ops & EPOLLOUT) != 0 && side.pending != null) {
            flush(side);
            if (closed) {
                return;
            }
        }
        if (side.inputShut) {
            if (broken) {
                failed(side.client, null); // reset after its FIN: what is owed to it cannot arrive
            }
            return;
        }
        if ((ops & (EPOLLIN | EPOLLRDHUP)) != 0 || broken) {
            relay(side, (ops & EPOLLRDHUP) != 0 || broken);
        }
    }

    private static Throwable connectError(Side side) {
        try {
            side.socket.finishConnect(); // reads SO_ERROR and throws it
            return new ConnectException("connection failed");
        } catch (IOException e) {
            return e;
        }
    }

    /**
     * Reads from {@code from} and writes to the other side until {@code from} is drained, the other side stops
     * taking bytes, or this turn's reads are used up. {@code toEnd}: read until EAGAIN or end of stream even after a
     * short read (the event carried the peer's half-close, or no event says how much is there).
     */
    private void relay(Side from, boolean toEnd) {
        Side to = from == client ? server : client;
        if (to == null || from.inputShut) {
            return;
        }
        if (to.pending != null || to.held) {
            from.readSuspended = true; // resumed when to's buffer is written
            return;
        }
        EndOfTurnWrites writes = EndOfTurnWrites.current();
        ByteBuffer buffer = writes.buffer;
        long batch = 0;
        boolean more = false;
        boolean eof = false;
        try {
            for (int reads = 0; ; reads++) {
                if (reads == READS_PER_TURN) {
                    more = true;
                    break;
                }
                int at = writes.readOffset();
                int n = from.socket.recv(buffer, at, at + READ_BUFFER_SIZE);
                if (n == 0) {
                    break; // EAGAIN
                }
                if (n < 0) {
                    eof = true;
                    break;
                }
                batch += n;
                if (reads == 0 && n < READ_BUFFER_SIZE && !toEnd && writes.canHold(at, n)) {
                    to.held = true; // a message: written with the others at the end of the turn
                    writes.hold(loop, to, at, n);
                    break;
                }
                if (!write(to, buffer, at, n)) {
                    from.readSuspended = true;
                    break;
                }
                if (n < READ_BUFFER_SIZE && !toEnd) {
                    break; // drained: new data makes a new edge
                }
            }
        } catch (IOException | NotYetConnectedException e) {
            readDone(from.client, batch);
            failed(from.client, e);
            return;
        }
        readDone(from.client, batch);
        if (closed) {
            return;
        }
        if (eof) {
            inputShutdown(from);
        } else if (more) {
            loop.execute(from); // the rest next turn; edge-triggered, so no event would bring it
        }
    }

    /**
     * Writes {@code n} bytes of {@code buffer} from {@code at} to {@code to}; what it does not take is kept in
     * {@code to.pending}. Returns whether everything was written.
     */
    private boolean write(Side to, ByteBuffer buffer, int at, int n) {
        int written;
        try {
            written = to.socket.send(buffer, at, at + n);
        } catch (IOException | NotYetConnectedException e) {
            if (closed) {
                to.closeSocket(false); // a held write after the session ended: nothing more to fail
            } else {
                failed(to.client, e);
            }
            return false;
        }
        if (written == n) {
            return true;
        }
        ByteBuf rest = PooledByteBufAllocator.DEFAULT.directBuffer(n - written);
        buffer.limit(at + n).position(at + written);
        rest.writeBytes(buffer);
        buffer.clear();
        to.pending = rest;
        return false;
    }

    /** The end of the turn: write what was held for {@code side}, then go on as {@link #flush} does. */
    private void writeHeld(Side side, ByteBuffer buffer, int at, int n) {
        side.held = false;
        if (side.socketClosed || !write(side, buffer, at, n)) {
            return; // aborted meanwhile, failed, or the rest waits in pending for the output event
        }
        written(side);
    }

    /** {@code side} can take bytes again: write what waits for it, then read again from its peer. */
    private void flush(Side side) {
        ByteBuf p = side.pending;
        if (p == null) {
            return;
        }
        try {
            while (p.isReadable()) {
                ByteBuffer nio = p.internalNioBuffer(p.readerIndex(), p.readableBytes());
                int n = side.socket.send(nio, nio.position(), nio.limit());
                if (n == 0) {
                    return; // full again: the next output edge continues
                }
                p.skipBytes(n);
            }
        } catch (IOException | NotYetConnectedException e) {
            if (closed) {
                side.closeSocket(false);
            } else {
                failed(side.client, e);
            }
            return;
        }
        p.release();
        side.pending = null;
        written(side);
    }

    /** Everything read for {@code side} is written: close it if the session ended, else resume its source. */
    private void written(Side side) {
        if (closed) {
            if (side.closeWhenWritten) {
                side.closeSocket(false);
            }
            return;
        }
        Side source = side == client ? server : client;
        if (source != null && source.readSuspended) {
            source.readSuspended = false;
            relay(source, true);
        }
    }

    /**
     * {@code from} sent FIN: pass it on; both done ends the session. Everything {@code from} sent before is written
     * already: its end of stream is only read while the other side has nothing pending ({@link #relay}).
     */
    private void inputShutdown(Side from) {
        from.inputShut = true;
        if (client.inputShut && server != null && server.inputShut) {
            close('-', '-');
            return;
        }
        if (from == server) {
            loop.execute(this::passServerFin);
            return;
        }
        shutdownOutput(server);
        rearmTimer();
    }

    /**
     * The server's FIN, passed on at the end of the loop's turn: by then a client that reads the answer and closes
     * has often sent its own FIN, and reading it first ends the session with a plain close, the client closing
     * first (as with HAProxy, whose stream task runs after the I/O), instead of a FIN of ours that leaves this
     * side in TIME_WAIT.
     */
    private void passServerFin() {
        if (closed) {
            return;
        }
        relay(client, true);
        if (!closed) {
            shutdownOutput(client);
            rearmTimer();
        }
    }

    private void shutdownOutput(Side side) {
        try {
            side.socket.shutdown(false, true);
        } catch (IOException | NotYetConnectedException e) { // ENOTCONN: the peer reset meanwhile
            failed(side.client, e);
        }
    }

    /** Reads the client socket's local address (one {@code getsockname}; only asked when a VIP leaves). */
    @Override
    public boolean arrivedOn(InetAddress address) {
        Socket s = client.socket;
        if (!s.isOpen()) {
            return false;
        }
        InetSocketAddress local = s.localAddress();
        return local != null && address.equals(local.getAddress());
    }

    /**
     * Closes both sockets, each once what is pending to it is written; the client's abort is passed to the backend
     * as a reset instead, as {@link RelaySession} explains.
     */
    @Override
    void closeSockets(char why) {
        Side s = server;
        client.closeAfterWrite();
        if (s != null) {
            if (why == 'C') {
                s.closeSocket(true);
            } else {
                s.closeAfterWrite();
            }
        }
    }

    @Override
    void ended() {
        if (load != null) {
            load.ended(loop);
        }
    }

    @Override
    public String toString() {
        return "DirectSession[" + (clientAddress != null ? format(clientAddress) : "fd " + client.socket.intValue())
                + " -> " + (target == null ? "-" : target.name) + "]";
    }

    /** One of the two sockets: its epoll handle, and the bytes waiting to be written to it. */
    private final class Side implements EpollIoHandle, Runnable, EndOfTurnWrites.Target {
        final boolean client;
        final Socket socket;
        IoRegistration registration;
        /** Bytes read from the other side that this socket has not taken yet; null when none. */
        ByteBuf pending;
        /** A message read from the other side waits in {@link EndOfTurnWrites} to be written to this socket. */
        boolean held;
        boolean inputShut;
        /** Reading from this socket waits until the other side's pending bytes are written. */
        boolean readSuspended;
        /** The session is closed; close this socket once {@link #pending} is written. */
        boolean closeWhenWritten;
        boolean socketClosed;
        /** Input ({@code EPOLLIN}) or the peer's half-close ({@code EPOLLRDHUP}) was reported before it could be read. */
        boolean inputSeen;
        boolean hangupSeen;

        Side(boolean client, Socket socket) {
            this.client = client;
            this.socket = socket;
        }

        /** Adds the socket to the loop's epoll set, once, with the interest it keeps for its whole life. */
        boolean register() {
            Future<IoRegistration> f = ((IoEventLoop) loop).register(this);
            if (!f.isSuccess()) { // registering on the loop's own thread completes at once
                LOG.debug("{}: cannot register {}", config.name(), socket, f.cause());
                return false;
            }
            registration = f.getNow();
            return registration.submit(INTEREST) != -1; // -1: cancelled (the value itself is negative: EPOLLET is bit 31)
        }

        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void handle(IoRegistration r, IoEvent event) {
            try {
                onEvent(this, ((EpollIoEvent) event).ops().value());
            } catch (RuntimeException e) {
                unexpected(e); // never let it reach Netty's loop, which would log it and sleep a second with every other session
            }
        }

        private void unexpected(RuntimeException e) {
            LOG.warn("{}: unexpected failure relaying {}; closing it", config.name(), DirectSession.this, e);
            if (!closed) {
                DirectSession.this.close(this.client ? 'C' : 'S', phase());
            }
        }

        @Override
        public void writeHeld(ByteBuffer buffer, int offset, int length) {
            try {
                DirectSession.this.writeHeld(this, buffer, offset, length);
            } catch (RuntimeException e) {
                unexpected(e); // the writes held for other sessions come after this one
            }
        }

        /** The rest of a read batch cut at {@link #READS_PER_TURN}. */
        @Override
        public void run() {
            if (!closed && !readSuspended) {
                relay(this, true);
            }
        }

        /**
         * Closes at once when nothing is pending, else once it is written, but never later than the client-fin
         * timeout (the connect timeout when there is none) for a peer that does not read.
         */
        void closeAfterWrite() {
            if ((pending == null && !held) || socketClosed) {
                closeSocket(false);
                return;
            }
            closeWhenWritten = true;
            long linger = config.clientFinTimeoutNanos() > 0 ? config.clientFinTimeoutNanos() : config.connectTimeoutNanos();
            try {
                loop.schedule(() -> closeSocket(false), linger, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                closeSocket(false); // the loop is shutting down
            }
        }

        /** Closes the socket now ({@code abort}: with a reset); the last of the two gives the slot back. */
        void closeSocket(boolean abort) {
            if (socketClosed) {
                return;
            }
            socketClosed = true;
            if (pending != null) {
                pending.release();
                pending = null;
            }
            try {
                if (abort) {
                    socket.setSoLinger(0);
                }
            } catch (IOException e) {
                LOG.debug("{}: SO_LINGER on {} failed", config.name(), socket, e);
            }
            try {
                socket.close(); // also leaves the epoll set: no EPOLL_CTL_DEL
            } catch (IOException e) {
                LOG.debug("{}: closing {} failed", config.name(), socket, e);
            }
            IoRegistration r = registration;
            if (r != null) {
                r.cancel();
            }
            if (closed) {
                socketClosed();
            }
        }

        /** The event loop shuts down with this socket still registered: nothing more can be written. */
        @Override
        public void close() {
            if (pending != null) {
                pending.release();
                pending = null;
            }
            if (!closed) {
                DirectSession.this.close('K', phase());
            }
            closeSocket(false);
        }
    }
}
