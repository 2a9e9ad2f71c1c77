package io.ha4j.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** Loopback servers and helpers shared by the balancer tests. */
final class TestSupport {

    private TestSupport() {
    }

    /**
     * A balancer on an ephemeral loopback port with 2 I/O threads, TCP connect checks every 100 ms
     * (rise 2, fall 2) and no drain at close.
     */
    static TcpBalancer.Builder balancer(String name, EchoServer... servers) {
        TcpBalancer.Builder b = TcpBalancer.builder(name)
                .bind("127.0.0.1", 0)
                .ioThreads(2)
                .drainTimeout(Duration.ZERO);
        for (EchoServer s : servers) {
            b.backend(Backend.of(s.name, "127.0.0.1", s.port()));
        }
        return b;
    }

    static java.util.function.UnaryOperator<io.ha4j.core.HealthChecker.Builder> fastChecks() {
        return t -> t.inter(Duration.ofMillis(100)).rise(2).fall(2).timeout(Duration.ofSeconds(1));
    }

    static java.util.function.Function<Backend, io.ha4j.core.HealthCheck> tcpCheck() {
        return b -> io.ha4j.core.HealthCheck.tcp(b.address());
    }

    /**
     * A loopback port that refuses connections and stays refusing: a socket is bound to it but does not
     * listen, so no other process can start listening there and no client socket can pick it as its own
     * ephemeral port (which would make a connect to it succeed by self-connection).
     */
    static final class DeadPort implements AutoCloseable {
        private final Socket holder;
        final int port;

        DeadPort() throws IOException {
            this(0);
        }

        /**
         * Reserves {@code port}; connections of a server just closed may still hold it for a moment (the
         * kernel refuses the bind until they leave FIN_WAIT), so binding is retried for up to 5 s.
         */
        DeadPort(int port) throws IOException {
            this.holder = reserve(port);
            this.port = holder.getLocalPort();
        }

        private static Socket reserve(int port) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                Socket s = new Socket();
                s.setReuseAddress(true);
                try {
                    s.bind(new InetSocketAddress("127.0.0.1", port));
                    return s;
                } catch (java.net.BindException inUse) {
                    s.close();
                    if (System.nanoTime() > deadline) {
                        throw inUse;
                    }
                    try {
                        Thread.sleep(20); // pace the bind retries while the kernel releases the port
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while reserving port " + port, e);
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            holder.close();
        }
    }

    /** Open file descriptors of this process. */
    static int fdCount() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** Waits up to {@code max} for {@code condition}; returns whether it held. */
    static boolean await(Duration max, BooleanSupplier condition) {
        return io.ha4j.core.testkit.Await.holdsWithin(max, condition);
    }

    static Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 5000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    /** Reads one line (up to '\n', without it) in US-ASCII; null at end of stream. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 1024; i++) {
            int c = in.read();
            if (c < 0) {
                return b.length() == 0 ? null : b.toString();
            }
            if (c == '\n') {
                return b.toString();
            }
            b.append((char) c);
        }
        throw new IOException("line too long");
    }

    static void readFully(InputStream in, byte[] into) throws IOException {
        int off = 0;
        while (off < into.length) {
            int n = in.read(into, off, into.length - off);
            if (n < 0) {
                throw new IOException("EOF after " + off + " of " + into.length + " bytes");
            }
            off += n;
        }
    }

    /**
     * A Netty echo server on loopback that optionally greets each connection with {@code name + "\n"}.
     * It honours backpressure (reads only while writable) and half-close (after the client's FIN it
     * flushes what it echoed and closes).
     */
    static final class EchoServer implements AutoCloseable {
        final String name;
        private final EventLoopGroup group;
        private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        private Channel server;
        final AtomicInteger accepted = new AtomicInteger();
        private final boolean greet;
        private int boundPort;

        EchoServer(String name, boolean greet) {
            this(name, greet, 0);
        }

        EchoServer(String name, boolean greet, int port) {
            this.name = name;
            this.greet = greet;
            this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            bind(port);
            this.boundPort = ((InetSocketAddress) server.localAddress()).getPort();
        }

        private void bind(int port) {
            byte[] greeting = (name + "\n").getBytes(StandardCharsets.US_ASCII);
            server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.incrementAndGet();
                            children.add(ch);
                            ch.pipeline().addLast(new EchoHandler(greet ? greeting : null));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", port)).syncUninterruptibly().channel();
        }

        int port() {
            return boundPort;
        }

        /**
         * Stops listening and kills every connection (as a crashed server would); the port stays reserved
         * (see {@link DeadPort}) so that it really refuses until {@link #restart()}.
         */
        void kill() throws IOException {
            server.close().syncUninterruptibly();
            children.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            dead = new DeadPort(boundPort);
        }

        /** Listens again on the same port. */
        void restart() throws IOException {
            if (dead != null) {
                dead.close();
                dead = null;
            }
            bind(boundPort);
        }

        private DeadPort dead;

        int connections() {
            return children.size();
        }

        @Override
        public void close() {
            if (dead != null) {
                try {
                    dead.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            server.close().syncUninterruptibly();
            children.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static final class EchoHandler extends ChannelInboundHandlerAdapter {
        private final byte[] greeting;

        EchoHandler(byte[] greeting) {
            this.greeting = greeting;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (greeting != null) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(greeting));
            }
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            if (ctx.channel().isWritable()) {
                ctx.read();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.read();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                // our FIN answers theirs; with both directions shut there is nothing left, so close
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ctx.close());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
