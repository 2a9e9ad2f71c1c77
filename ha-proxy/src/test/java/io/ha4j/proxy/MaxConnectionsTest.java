package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HealthCheck;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code maxConnections} is exact, measured where it matters: at the backend, which counts a connection from
 * its accept until it has read the balancer's FIN (or reset) and closed, in the order the kernel delivered
 * them. Issue 11 (item 5) reported 12 for a limit of 10 when held and 58 under churn; these tests did not
 * reproduce an overshoot on the code before this change when the backend counts in kernel order, while a
 * backend with a thread per connection (which counts a new connection before another thread has noticed an
 * old one's FIN) showed 11 for the burst and a slowly reading one 41-55 under aborts, with either version.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MaxConnectionsTest {

    private static final int LIMIT = 10;

    /**
     * A backend that greets each connection, then waits for EOF, and records its peak concurrency. One
     * selector thread handles every socket and, in each round, takes the EOFs the kernel has delivered before
     * it accepts new connections, so a FIN that reached the kernel before a new SYN is always counted first
     * (a thread per connection would race the accept thread and count an overshoot that did not happen).
     */
    static final class CountingBackend implements AutoCloseable {
        private final Selector selector;
        private final ServerSocketChannel server;
        final AtomicInteger current = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final AtomicInteger served = new AtomicInteger();
        private final Thread loop;
        private final int readPerRound;
        private final long pauseMillis;
        private volatile boolean running = true;

        CountingBackend() throws IOException {
            this(256, 0);
        }

        /** A backend that reads at most {@code readPerRound} bytes per connection per round, pausing between rounds. */
        CountingBackend(int readPerRound, long pauseMillis) throws IOException {
            this.readPerRound = readPerRound;
            this.pauseMillis = pauseMillis;
            selector = Selector.open();
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            server.configureBlocking(false);
            loop = new Thread(this::run, "counting-backend");
            loop.start();
        }

        private void run() {
            ByteBuffer buf = ByteBuffer.allocate(readPerRound);
            try {
                server.register(selector, 0);
                while (running) {
                    selector.select(50);
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis);
                    }
                    selector.selectedKeys().clear();
                    for (SelectionKey k : selector.keys()) {
                        if (k.channel() instanceof SocketChannel && k.isValid()) {
                            SocketChannel c = (SocketChannel) k.channel();
                            buf.clear();
                            int n;
                            try {
                                n = c.read(buf);
                            } catch (IOException reset) {
                                n = -1;
                            }
                            if (n < 0) {
                                k.cancel();
                                c.close();
                                current.decrementAndGet();
                                served.incrementAndGet();
                            }
                        }
                    }
                    SocketChannel c;
                    while ((c = server.accept()) != null) {
                        peak.accumulateAndGet(current.incrementAndGet(), Math::max);
                        c.configureBlocking(false);
                        c.write(ByteBuffer.wrap("hi\n".getBytes()));
                        c.register(selector, SelectionKey.OP_READ);
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                for (SelectionKey k : selector.keys()) {
                    try {
                        k.channel().close();
                    } catch (IOException ignored) {
                        // closing at the end of the test
                    }
                }
            }
        }

        int port() {
            return server.socket().getLocalPort();
        }

        @Override
        public void close() throws Exception {
            running = false;
            loop.join(10_000);
            server.close();
            selector.close();
        }
    }

    private static TcpBalancer balancer(String name, CountingBackend backend, int ioThreads) {
        return TcpBalancer.builder(name)
                .bind("127.0.0.1", 0)
                .ioThreads(ioThreads)
                .drainTimeout(Duration.ZERO)
                .maxConnections(LIMIT)
                .queueTimeout(Duration.ofSeconds(30))
                .backend(Backend.of("counted", "127.0.0.1", backend.port()))
                .healthCheck(x -> HealthCheck.of("always up", () -> true))
                .build();
    }

    /** Connects, reads the greeting, holds for {@code holdMillis}, closes; true when it was served. */
    private static boolean visit(InetSocketAddress front, long holdMillis) throws IOException, InterruptedException {
        try (Socket s = new Socket()) {
            s.connect(front, 5000);
            s.setSoTimeout(60_000);
            boolean greeted = "hi".equals(TestSupport.readLine(s.getInputStream()));
            if (holdMillis > 0) {
                Thread.sleep(holdMillis);
            }
            return greeted;
        }
    }

    @Test
    void testConcurrentBurstNeverExceedsTheLimit() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(100);
        try (CountingBackend backend = new CountingBackend();
             TcpBalancer balancer = balancer("burst", backend, 4)) {
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            List<Future<Boolean>> visits = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                visits.add(clients.submit(() -> visit(front, 50)));
            }
            int served = 0;
            for (Future<Boolean> v : visits) {
                served += v.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(100, served, "every client is served in turn");
            assertTrue(backend.peak.get() <= LIMIT, "peak at the backend " + backend.peak.get() + " > maxConnections " + LIMIT);
            assertEquals(LIMIT, backend.peak.get(), "the limit was reached (the burst was big enough to test it)");
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void testHeldConnectionsStayAtTheLimit() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (CountingBackend backend = new CountingBackend();
             TcpBalancer balancer = balancer("held", backend, 4)) {
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            for (int i = 0; i < 3 * LIMIT; i++) {
                Socket s = new Socket();
                s.connect(front, 5000); // completes in the kernel backlog past the limit
                held.add(s);
            }
            assertTrue(TestSupport.await(Duration.ofSeconds(10), () -> backend.current.get() == LIMIT));
            // give the balancer every chance to overshoot: wait until it has accepted all it will accept
            assertTrue(TestSupport.await(Duration.ofSeconds(10), () -> balancer.stats().activeConnections() >= LIMIT));
            Thread.sleep(500);
            assertEquals(LIMIT, backend.peak.get(), "backend peak with " + held.size() + " clients held");
            assertTrue(TestSupport.await(Duration.ofSeconds(10), () -> greeted(held).size() == LIMIT));
            List<Socket> first = greeted(held);
            for (Socket s : first) {
                // read the greeting first: closing with it unread sends a reset, which the backend notices only in
                // its next round, after it may have accepted the client admitted in its place (its lag, not ours;
                // testAbortingClientsWithDataInFlightNeverExceedTheLimit counts aborts in the kernel instead)
                assertEquals(3, s.getInputStream().readNBytes(3).length);
                s.close();
            }
            held.removeAll(first);
            assertTrue(TestSupport.await(Duration.ofSeconds(20), () -> greeted(held).size() == LIMIT),
                    "the waiting clients are served as slots free: " + greeted(held).size());
            assertTrue(backend.peak.get() <= LIMIT, "peak " + backend.peak.get());
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void testAbortingClientsWithDataInFlightNeverExceedTheLimit() throws Exception {
        // Each client sends 256 KiB that the slow backend has not read yet, then resets. The backend
        // application notices a reset only after reading what was queued before it (so counted there, the
        // peak was 41-55 for a limit of 10 with this balancer and 50 with the one before this change: the
        // application's lag, not connections), so concurrency is measured in the kernel: the backend's
        // sockets that are ESTABLISHED or CLOSE_WAIT (the peer closed, the backend has not), sampled from
        // /proc/net/tcp, and on the balancer's own per-backend peak.
        ExecutorService clients = Executors.newFixedThreadPool(32);
        byte[] body = new byte[256 * 1024];
        try (CountingBackend backend = new CountingBackend(8 * 1024, 1);
             TcpBalancer balancer = balancer("abort", backend, 4)) {
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            AtomicInteger kernelPeak = new AtomicInteger();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    kernelPeak.accumulateAndGet(openBackendSockets(backend.port()), Math::max);
                }
            }, "kernel-sampler");
            sampler.start();
            List<Future<Integer>> loops = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                loops.add(clients.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 5; i++) { // 32 x 5 = 160 aborted sessions
                        try (Socket s = new Socket()) {
                            s.connect(front, 5000);
                            s.setSoTimeout(60_000);
                            if ("hi".equals(TestSupport.readLine(s.getInputStream()))) {
                                ok++;
                            }
                            s.getOutputStream().write(body);
                            s.setSoLinger(true, 0);
                        }
                    }
                    return ok;
                }));
            }
            int served = 0;
            for (Future<Integer> l : loops) {
                served += l.get(90, TimeUnit.SECONDS);
            }
            assertEquals(160, served);
            sampler.interrupt();
            sampler.join(5000);
            assertTrue(kernelPeak.get() <= LIMIT, "peak of the backend's open sockets in the kernel " + kernelPeak.get()
                    + " > maxConnections " + LIMIT + " (as the backend application saw it: " + backend.peak.get() + ")");
            assertTrue(balancer.stats().backend("counted").peakConnections() <= LIMIT, balancer.stats().backend("counted").toString());
        } finally {
            clients.shutdownNow();
        }
    }

    /** Sockets of the loopback backend on {@code port} that are open in the kernel (ESTABLISHED or CLOSE_WAIT). */
    static int openBackendSockets(int port) {
        String local = String.format(":%04X ", port);
        int n = 0;
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/tcp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && (f[1] + " ").endsWith(local) && (f[3].equals("01") || f[3].equals("08"))) {
                    n++;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return n;
    }

    /** The sockets whose greeting arrived, i.e. those the balancer connected to the backend. */
    private static List<Socket> greeted(List<Socket> sockets) {
        List<Socket> out = new ArrayList<>();
        for (Socket s : sockets) {
            try {
                if (s.getInputStream().available() > 0) {
                    out.add(s);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    @Test
    void testConnectCloseChurnNeverExceedsTheLimit() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(32);
        try (CountingBackend backend = new CountingBackend();
             TcpBalancer balancer = balancer("churn", backend, 4)) {
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            List<Future<Integer>> loops = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                loops.add(clients.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 25; i++) { // 32 x 25 = 800 connect/close cycles
                        ok += visit(front, 0) ? 1 : 0;
                    }
                    return ok;
                }));
            }
            int served = 0;
            for (Future<Integer> l : loops) {
                served += l.get(90, TimeUnit.SECONDS);
            }
            assertEquals(800, served);
            assertTrue(backend.peak.get() <= LIMIT, "peak at the backend " + backend.peak.get() + " > maxConnections " + LIMIT);
        } finally {
            clients.shutdownNow();
        }
    }
}
