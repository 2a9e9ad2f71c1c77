package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.Clock;
import io.ha4j.core.internal.RateLimitedLog;
import io.ha4j.core.testkit.Await;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@link DirectAcceptor} on a real epoll event loop and real loopback sockets: what accepted sockets inherit from
 * the listener (the relay sets nothing on them), pausing and resuming, and closing.
 */
class DirectAcceptorTest {

    private static final int IPPROTO_TCP = 6;
    private static final int TCP_KEEPIDLE = 4;
    private static final int TCP_KEEPINTVL = 5;
    private static final int TCP_KEEPCNT = 6;

    private MultiThreadIoEventLoopGroup group;
    private IoEventLoop loop;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(DirectAcceptorTest.class),
            Clock.system(), TimeUnit.SECONDS.toNanos(10));

    @BeforeEach
    void startLoop() {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        loop = DirectAcceptor.loops(group).get(0);
    }

    @AfterEach
    void stopLoop() throws IOException {
        for (Socket s : accepted) {
            s.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private DirectAcceptor bind() throws IOException {
        return DirectAcceptor.bind(loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128,
                "test", log, (l, socket, peer, load) -> accepted.add(socket));
    }

    @Test
    void acceptedSocketsInheritNoDelayAndTheKeepaliveSettingsFromTheListener() throws Exception {
        DirectAcceptor acceptor = bind();
        try (java.net.Socket client = new java.net.Socket()) {
            client.connect(acceptor.localAddress(), 2000);
            Await.until(Duration.ofSeconds(5), "the client is accepted", () -> accepted.size() == 1);
            Socket s = accepted.get(0);
            assertTrue(s.isTcpNoDelay(), "TCP_NODELAY");
            assertTrue(s.isKeepAlive(), "SO_KEEPALIVE");
            assertEquals(NettyTransport.KEEPALIVE_IDLE_SECONDS, s.getIntOpt(IPPROTO_TCP, TCP_KEEPIDLE), "TCP_KEEPIDLE");
            assertEquals(NettyTransport.KEEPALIVE_INTERVAL_SECONDS, s.getIntOpt(IPPROTO_TCP, TCP_KEEPINTVL), "TCP_KEEPINTVL");
            assertEquals(NettyTransport.KEEPALIVE_COUNT, s.getIntOpt(IPPROTO_TCP, TCP_KEEPCNT), "TCP_KEEPCNT");
        } finally {
            acceptor.closeAndWait();
        }
    }

    @Test
    void aPausedListenerLeavesClientsQueuedAndAcceptsThemAllWhenResumed() throws Exception {
        DirectAcceptor acceptor = bind();
        loop.submit(() -> acceptor.setAccepting(false)).sync();
        int clients = DirectAcceptor.ACCEPTS_PER_TURN + 6; // more than one turn's worth: the rest must not be stranded
        java.net.Socket[] sockets = new java.net.Socket[clients];
        try {
            for (int i = 0; i < clients; i++) {
                sockets[i] = new java.net.Socket();
                sockets[i].connect(acceptor.localAddress(), 2000); // completes from the kernel's accept queue
            }
            Await.quietPeriod(Duration.ofMillis(300)); // a paused listener must accept nothing in it
            assertEquals(0, accepted.size(), "accepted while paused");
            loop.submit(() -> acceptor.setAccepting(true)).sync();
            Await.until(Duration.ofSeconds(5), "every queued client is accepted", () -> accepted.size() == clients);
        } finally {
            for (java.net.Socket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
            acceptor.closeAndWait();
        }
    }

    /**
     * Two loops serve one listening socket: while one of them is busy, every new client is taken by the other. (With a
     * socket per loop and {@code SO_REUSEPORT}, the kernel would hash some of them to the busy loop's socket, where they
     * would wait.)
     */
    @Test
    void aListenerSharedByTwoLoopsTakesEveryNewClientOnTheLoopThatIsFree() throws Exception {
        MultiThreadIoEventLoopGroup two = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        List<IoEventLoop> loops = DirectAcceptor.loops(two);
        List<IoEventLoop> acceptedOn = new CopyOnWriteArrayList<>();
        CountDownLatch busy = new CountDownLatch(1);
        int clients = 20;
        java.net.Socket[] sockets = new java.net.Socket[clients];
        LinuxSocket listener = DirectAcceptor.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        DirectAcceptor.LoopLoad sessions = new DirectAcceptor.LoopLoad(loops);
        try {
            for (IoEventLoop l : loops) {
                DirectAcceptor.serve(l, listener, DirectAcceptor.gate(listener), sessions, "test", log, (on, socket, peer, load) -> {
                    acceptedOn.add(on);
                    accepted.add(socket);
                    load.ended(on); // sessions that end at once: no loop gets ahead, so none is handed over
                });
            }
            CountDownLatch inside = new CountDownLatch(1);
            loops.get(0).execute(() -> {
                inside.countDown();
                try {
                    busy.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(inside.await(5, TimeUnit.SECONDS), "loop 0 did not start its busy task");
            for (int i = 0; i < clients; i++) {
                sockets[i] = new java.net.Socket();
                sockets[i].connect(listener.localAddress(), 2000);
            }
            Await.until(Duration.ofSeconds(5), "every client is accepted while loop 0 is busy", () -> accepted.size() == clients);
            assertTrue(acceptedOn.stream().allMatch(l -> l == loops.get(1)), "accepted on " + acceptedOn);
            busy.countDown();
            Await.quietPeriod(Duration.ofMillis(200)); // loop 0, free again, must find nothing left to accept
            assertEquals(clients, accepted.size(), "a client accepted twice");
        } finally {
            busy.countDown();
            for (java.net.Socket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
            DirectAcceptor.closeQuietly(listener);
            two.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aClientIsHandedToTheLoopWithTheFewestSessionsOnlyWhenTheAcceptingOneHasTwoMore() {
        MultiThreadIoEventLoopGroup two = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        try {
            List<IoEventLoop> loops = DirectAcceptor.loops(two);
            IoEventLoop a = loops.get(0);
            IoEventLoop b = loops.get(1);
            DirectAcceptor.LoopLoad load = new DirectAcceptor.LoopLoad(loops);
            assertSame(a, load.open(a)); // 1 : 0
            assertSame(a, load.open(a)); // 2 : 0, one more is not enough to move a client
            assertSame(b, load.open(a)); // a has two more than b: b serves it, 2 : 1
            assertSame(a, load.open(a)); // 3 : 1
            assertSame(b, load.open(a)); // 3 : 2
            load.ended(b);
            load.ended(b); // 3 : 0
            assertSame(b, load.open(b));
            assertEquals(3, load.sessionsOn(a));
            assertEquals(1, load.sessionsOn(b));
        } finally {
            two.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void closingReleasesTheAddress() throws Exception {
        DirectAcceptor acceptor = bind();
        InetSocketAddress address = acceptor.localAddress();
        acceptor.closeAndWait();
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(address); // fails with "Address already in use" while the listener is open
        }
    }
}
