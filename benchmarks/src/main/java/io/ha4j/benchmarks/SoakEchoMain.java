package io.ha4j.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The backend of {@code benchmarks/soak.sh}: an echo server that first sends one line naming itself
 * ({@code --id n1} sends {@code "n1\n"}), so that the soak client knows which node served a connection, and then
 * returns every byte it receives. It closes a connection when the client's side ends. The soak kills it with
 * SIGKILL (a backend crash) and starts it again.
 *
 * <pre>
 * ip netns exec NS java -cp benchmarks/target/benchmarks.jar io.ha4j.benchmarks.SoakEchoMain --listen 127.0.0.1:7001 --id n1
 * </pre>
 */
public final class SoakEchoMain {

    private SoakEchoMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        InetSocketAddress listen = null;
        String id = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--listen": listen = BalancerMain.Options.address(args[i + 1]); break;
                case "--id": id = args[i + 1]; break;
                default:
                    System.err.println("SoakEchoMain: unknown option " + args[i] + " (known: --listen host:port --id NAME)");
                    System.exit(2);
            }
        }
        if (listen == null || id == null || id.isEmpty() || id.length() > 16 || args.length % 2 != 0) {
            System.err.println("SoakEchoMain: needs --listen host:port and --id NAME (1 to 16 characters)");
            System.exit(2);
            return;
        }
        byte[] greeting = (id + "\n").getBytes(StandardCharsets.US_ASCII);
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("echo", false),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Greeting(greeting), EchoServer.Echo.INSTANCE);
                    }
                })
                .bind(listen)
                .syncUninterruptibly()
                .channel();
        System.out.println("LISTENING " + server.localAddress() + " id " + id);
        System.out.flush();
        server.closeFuture().sync();
    }

    /** Writes the greeting when the connection opens, then steps aside. */
    static final class Greeting extends ChannelInboundHandlerAdapter {
        private final byte[] greeting;

        Greeting(byte[] greeting) {
            this.greeting = greeting;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(greeting)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
        }
    }
}
