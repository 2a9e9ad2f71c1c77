package io.ha4j.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.ha4j.core.Clock;
import io.ha4j.core.HaStartException;
import io.ha4j.core.internal.RateLimitedLog;
import io.netty.channel.ChannelFuture;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.BindException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: HAProxy's stats page and runtime API over HTTP, on its own listening socket.
 *
 * <pre>
 * GET  /stats                         HTML page (also GET /)
 * GET  /stats.json                    JSON ({@link BalancerStats})
 * GET  /metrics                       Prometheus text format 0.0.4
 * POST /backends/{name}/drain         no new connections, established ones continue
 * POST /backends/{name}/disable       maintenance: no new connections
 * POST /backends/{name}/enable        ready again (slowstart applies)
 * POST /backends/{name}/weight        weight=N (query or form), 0..256
 * POST /backends/{name}/shutdown-sessions   close its established connections
 * POST /backends/{name}/remove        remove it (also DELETE /backends/{name})
 * POST /backends                      add one: name, host, port, weight, backup=1 (query or form)
 * </pre>
 * Actions can be switched off ({@code adminActions(false)}): then every POST or DELETE answers 403.
 * A POST answers {@code 200 OK} with a one-line text body, or {@code 303} back to {@code /stats} when the
 * request carries {@code redirect=1} (the page's buttons do); a bad request answers 400 naming the problem.
 * Stateless and {@code @Sharable}; runs on the balancer's event loops (the actions only flip volatile
 * fields, except add and remove, which start or stop a health checker).
 */
@Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final TcpBalancer balancer;
    private final boolean actions;

    private AdminHandler(TcpBalancer balancer, boolean actions) {
        this.balancer = balancer;
        this.actions = actions;
    }

    /**
     * Binds the admin listener of {@code balancer}. Each connection is closed after
     * {@code adminIdleTimeout} without traffic, and a connection past {@code adminMaxConnections} is closed
     * as soon as it is accepted (counted in the log at a limited rate), so that idle admin clients cannot
     * exhaust the process's file descriptors.
     */
    static Channel bind(TcpBalancer balancer, BalancerConfig config, EventLoopGroup group, NettyTransport transport, Clock clock) {
        AdminHandler handler = new AdminHandler(balancer, config.adminActions());
        AtomicInteger open = new AtomicInteger();
        RateLimitedLog refusedLog = new RateLimitedLog(LOG, clock, TimeUnit.SECONDS.toNanos(10));
        ServerBootstrap sb = new ServerBootstrap()
                .group(group, group)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (open.incrementAndGet() > config.adminMaxConnections()) {
                            open.decrementAndGet();
                            refusedLog.warn("admin-refused", "Balancer '{}': admin connection from {} refused, {} open already (adminMaxConnections)",
                                    config.name(), ch.remoteAddress(), config.adminMaxConnections());
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        ch.pipeline().addLast(
                                new IdleStateHandler(0, 0, config.adminIdleTimeoutNanos(), TimeUnit.NANOSECONDS),
                                new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES), handler);
                    }
                });
        ChannelFuture f = sb.bind(config.adminAddress()).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new HaStartException(config.name(), new BindException("cannot listen on admin address "
                    + RelaySession.format(config.adminAddress()) + ": " + f.cause().getMessage()));
        }
        return f.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        FullHttpResponse resp;
        try {
            resp = handle(ctx, req);
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
            resp = text(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n");
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setContentLength(resp, resp.content().readableBytes());
        if (keepAlive) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(resp);
        } else {
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = uri.path();
        HttpMethod method = req.method();
        if (method.equals(HttpMethod.GET)) {
            switch (path) {
                case "/":
                case "/stats":
                    return body(HttpResponseStatus.OK, "text/html; charset=utf-8", StatsFormat.html(balancer.stats(), actions));
                case "/stats.json":
                case "/stats;json":
                    return body(HttpResponseStatus.OK, "application/json", StatsFormat.json(balancer.stats()));
                case "/metrics":
                    return body(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", StatsFormat.prometheus(balancer.stats()));
                default:
                    return text(HttpResponseStatus.NOT_FOUND, "no such page: " + path + "\n");
            }
        }
        if (!actions) {
            return text(HttpResponseStatus.FORBIDDEN, "admin actions are disabled on this listener (read-only stats)\n");
        }
        Map<String, String> params = params(uri, req);
        boolean redirect = "1".equals(params.get("redirect"));
        String[] parts = path.split("/");
        if (method.equals(HttpMethod.POST) && path.equals("/backends")) {
            Backend.Builder b = Backend.builder(require(params, "name"), require(params, "host"), parseInt("port", require(params, "port")));
            if (params.containsKey("weight") && !params.get("weight").isEmpty()) {
                b.weight(parseInt("weight", params.get("weight")));
            }
            if ("1".equals(params.get("backup")) || "true".equals(params.get("backup"))) {
                b.backup();
            }
            Backend backend = b.build();
            balancer.addBackend(backend);
            return done(redirect, ctx, "added " + backend);
        }
        if (method.equals(HttpMethod.DELETE) && parts.length == 3 && parts[1].equals("backends")) {
            return removed(redirect, ctx, parts[2]);
        }
        if (!method.equals(HttpMethod.POST)) {
            return text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET for pages and POST for actions\n");
        }
        if (parts.length != 4 || !parts[1].equals("backends")) {
            return text(HttpResponseStatus.NOT_FOUND, "no such action: " + path + "\n");
        }
        String name = QueryStringDecoder.decodeComponent(parts[2]);
        switch (parts[3]) {
            case "drain":
                balancer.drain(name);
                break;
            case "disable":
                balancer.disable(name);
                break;
            case "enable":
                balancer.enable(name);
                break;
            case "weight":
                balancer.setWeight(name, parseInt("weight", require(params, "weight")));
                break;
            case "shutdown-sessions":
                balancer.shutdownSessions(name);
                break;
            case "remove":
                return removed(redirect, ctx, name);
            default:
                return text(HttpResponseStatus.NOT_FOUND, "no such action: " + parts[3] + "\n");
        }
        return done(redirect, ctx, parts[3] + " " + name);
    }

    private FullHttpResponse removed(boolean redirect, ChannelHandlerContext ctx, String name) {
        if (!balancer.removeBackend(name)) {
            return text(HttpResponseStatus.NOT_FOUND, "no backend named '" + name + "'\n");
        }
        return done(redirect, ctx, "removed " + name);
    }

    private FullHttpResponse done(boolean redirect, ChannelHandlerContext ctx, String what) {
        LOG.info("Balancer '{}' admin from {}: {}", balancer.name(), ctx.channel().remoteAddress(), what);
        if (redirect) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SEE_OTHER);
            r.headers().set(HttpHeaderNames.LOCATION, "/stats");
            return r;
        }
        return text(HttpResponseStatus.OK, "OK " + what + "\n");
    }

    private static Map<String, String> params(QueryStringDecoder uri, FullHttpRequest req) {
        Map<String, String> out = new HashMap<>();
        uri.parameters().forEach((k, v) -> out.put(k, v.get(0)));
        ByteBuf content = req.content();
        if (content.isReadable()) {
            String body = content.toString(StandardCharsets.UTF_8);
            new QueryStringDecoder(body, false).parameters().forEach((k, v) -> out.putIfAbsent(k, v.get(0)));
        }
        return out;
    }

    private static String require(Map<String, String> params, String name) {
        String v = params.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("parameter '" + name + "' is required");
        }
        return v;
    }

    private static int parseInt(String name, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was '" + v + "'");
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String s) {
        return body(status, "text/plain; charset=utf-8", s);
    }

    private static FullHttpResponse body(HttpResponseStatus status, String type, String s) {
        ByteBuf buf = ByteBufUtil.writeUtf8(io.netty.buffer.ByteBufAllocator.DEFAULT, s);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Admin connection {} failed", ctx.channel(), cause);
        ctx.close();
    }

}
