package io.ha4j.proxy;

import io.ha4j.core.Clock;
import io.ha4j.core.ComponentContext;
import io.ha4j.core.ComponentStats;
import io.ha4j.core.HaStartException;
import io.ha4j.core.StatsSource;
import io.ha4j.core.internal.RateLimitedLog;
import io.ha4j.core.internal.StatsText;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: HAProxy's stats page and runtime API over HTTP, on its own listening socket, showing every
 * {@link StatsSource} of the balancer's cluster (every balancer and VRRP instance of an {@code HaCluster}; the
 * balancer alone without a cluster).
 *
 * <pre>
 * GET  {uri}                          HTML page ({uri} is adminUri, default /stats; GET / redirects there)
 * GET  {uri};json  {uri}.json         JSON: {"cluster", "version", "components": [{"kind", "name", ...}]}
 * GET  /metrics                       Prometheus text format 0.0.4, every component's samples
 * POST /backends/{name}/drain         no new connections, established ones continue
 * POST /backends/{name}/disable       maintenance: no new connections
 * POST /backends/{name}/enable        ready again (slowstart applies)
 * POST /backends/{name}/weight        weight=N, 0..256
 * POST /backends/{name}/shutdown-sessions   close its established connections
 * POST /backends/{name}/remove        remove it (also DELETE /backends/{name})
 * POST /backends                      add one: name, host, port, weight, backup=1
 * </pre>
 * Parameters come from the query string or a URL-encoded body; {@code proxy=NAME} picks another balancer of the
 * cluster (default this one). A POST answers {@code 200 OK} with a one-line text body, or {@code 303} back to the
 * page when it carries {@code redirect=1} (the page's buttons do); a bad request answers 400 naming the problem.
 *
 * <p><b>Access</b>, in this order, as HAProxy's {@code stats auth}/{@code stats admin} do and beyond:
 * <ol>
 *   <li>With {@code adminUser}s every request needs HTTP basic credentials (compared in constant time), else
 *       401 with a {@code WWW-Authenticate} challenge naming the realm.</li>
 *   <li>Actions answer 403 when the page is read-only ({@code adminActions(false)}: HaAgent's default without
 *       {@code stats admin}), or when they are for loopback clients only ({@code stats admin if LOCALHOST}) and the
 *       client is not.</li>
 *   <li>Actions refuse what a web page in the operator's browser could forge: an {@code Origin} other than the
 *       {@code Host} requested, a {@code Sec-Fetch-Site} other than same-origin, and, without authentication, a
 *       {@code Host} that is not an IP literal or {@code localhost} (DNS rebinding). They then need either this
 *       listener's token (the page's forms carry it) or a content type a browser cannot send cross-origin without a
 *       preflight this listener never grants (not form, multipart or text/plain): scripts use e.g.
 *       {@code curl -X POST -H 'Content-Type: application/x-ha4j-admin' 'http://127.0.0.1:9000/backends/a/drain'}.</li>
 * </ol>
 * Stateless apart from its token and {@code @Sharable}; runs on the balancer's event loops (the actions only flip
 * volatile fields, except add and remove, which start or stop a health checker).
 */
@Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final Set<String> SIMPLE_TYPES = Set.of("application/x-www-form-urlencoded", "multipart/form-data", "text/plain");
    private static final String VERSION = Optional.ofNullable(TcpBalancer.class.getPackage().getImplementationVersion())
            .orElse("(development build)");

    private final TcpBalancer balancer;
    private final BalancerConfig config;
    private final AdminPage page;
    private final ComponentContext context;
    private final String token;
    private final byte[][] credentials;

    private AdminHandler(TcpBalancer balancer, BalancerConfig config, ComponentContext context) {
        this.balancer = balancer;
        this.config = config;
        this.page = config.adminPage();
        this.context = context;
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.token = ByteBufUtil.hexDump(random);
        this.credentials = page.credentials().stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    /**
     * Binds the admin listener of {@code balancer}. Each connection is closed after
     * {@code adminIdleTimeout} without traffic, and a connection past {@code adminMaxConnections} is closed
     * as soon as it is accepted (counted in the log at a limited rate), so that idle admin clients cannot
     * exhaust the process's file descriptors.
     */
    static Channel bind(TcpBalancer balancer, BalancerConfig config, EventLoopGroup group, NettyTransport transport, ComponentContext context) {
        AdminHandler handler = new AdminHandler(balancer, config, context);
        Clock clock = context.clock();
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
                    + AbstractSession.format(config.adminAddress()) + ": " + f.cause().getMessage()));
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
        resp.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        resp.headers().set("X-Frame-Options", "DENY");
        resp.headers().set("X-Content-Type-Options", "nosniff");
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
        if (credentials.length > 0 && !authenticated(req)) {
            FullHttpResponse r = text(HttpResponseStatus.UNAUTHORIZED, "authentication required\n");
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"" + page.realm() + "\", charset=\"UTF-8\"");
            return r;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = uri.path();
        HttpMethod method = req.method();
        boolean mayAct = config.adminActions() && (!page.actionsFromLoopbackOnly() || fromLoopback(ctx));
        if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
            String target = req.uri();
            if (isPage(target, "")) {
                FullHttpResponse r = body(HttpResponseStatus.OK, "text/html; charset=utf-8", html(mayAct));
                if (page.refreshSeconds() > 0) {
                    r.headers().set("Refresh", page.refreshSeconds());
                }
                return r;
            }
            if (isPage(target, ";json") || isPage(target, ".json")) {
                return body(HttpResponseStatus.OK, "application/json", json());
            }
            if (path.equals("/metrics")) {
                return body(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", StatsText.prometheus(snapshots()));
            }
            if (path.equals("/")) {
                return redirect();
            }
            return text(HttpResponseStatus.NOT_FOUND, "no such page: " + path + " (the stats page is at " + page.uri() + ")\n");
        }
        if (!mayAct) {
            return text(HttpResponseStatus.FORBIDDEN, config.adminActions()
                    ? "admin actions are taken from loopback clients only on this listener\n"
                    : "admin actions are disabled on this listener (read-only stats)\n");
        }
        Map<String, String> params = params(uri, req);
        String forged = forgeryCheck(req, params);
        if (forged != null) {
            LOG.warn("Balancer '{}': admin request {} {} from {} refused: {}", balancer.name(), method, path,
                    ctx.channel().remoteAddress(), forged);
            return text(HttpResponseStatus.FORBIDDEN, "refused: " + forged + "\n");
        }
        TcpBalancer target = target(params.get("proxy"));
        if (target == null) {
            return text(HttpResponseStatus.NOT_FOUND, "no balancer named '" + params.get("proxy") + "'\n");
        }
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
            target.addBackend(backend);
            return done(redirect, ctx, target, "added " + backend);
        }
        if (method.equals(HttpMethod.DELETE) && parts.length == 3 && parts[1].equals("backends")) {
            return removed(redirect, ctx, target, QueryStringDecoder.decodeComponent(parts[2]));
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
                target.drain(name);
                break;
            case "disable":
                target.disable(name);
                break;
            case "enable":
                target.enable(name);
                break;
            case "weight":
                target.setWeight(name, parseInt("weight", require(params, "weight")));
                break;
            case "shutdown-sessions":
                target.shutdownSessions(name);
                break;
            case "remove":
                return removed(redirect, ctx, target, name);
            default:
                return text(HttpResponseStatus.NOT_FOUND, "no such action: " + parts[3] + "\n");
        }
        return done(redirect, ctx, target, parts[3] + " " + name);
    }

    /** Whether the request target is the page's uri with {@code suffix}, perhaps with more query parameters. */
    private boolean isPage(String target, String suffix) {
        String at = page.uri() + suffix;
        if (!target.startsWith(at)) {
            return false;
        }
        if (target.length() == at.length()) {
            return true;
        }
        char next = target.charAt(at.length());
        return next == '&' ? at.indexOf('?') >= 0 : next == '?' && at.indexOf('?') < 0;
    }

    /** Constant time in the credentials presented: every configured entry is compared in full. */
    private boolean authenticated(FullHttpRequest req) {
        String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] presented;
        try {
            presented = Base64.getDecoder().decode(header.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        boolean match = false;
        for (byte[] c : credentials) {
            match |= MessageDigest.isEqual(c, presented);
        }
        return match;
    }

    private static boolean fromLoopback(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null && a.getAddress().isLoopbackAddress();
    }

    /** Why this state-changing request may have been forged by a web page, or null when it may not. */
    private String forgeryCheck(FullHttpRequest req, Map<String, String> params) {
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null || host.isEmpty()) {
            return "no Host header";
        }
        String fetchSite = req.headers().get("Sec-Fetch-Site");
        if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
            return "Sec-Fetch-Site is " + fetchSite + " (a cross-origin request)";
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !sameOrigin(origin, host)) {
            return "Origin " + origin + " is not this listener (Host " + host + ")";
        }
        if (credentials.length == 0 && !literalHost(host)) {
            return "Host " + host + " is a name, not an IP address or localhost (a listener without authentication takes "
                    + "actions only for addresses, against DNS rebinding)";
        }
        String presented = params.get("token");
        if (presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        String essence = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (essence.isEmpty() || SIMPLE_TYPES.contains(essence)) {
            return "no page token and a content type a browser sends cross-origin (" + (essence.isEmpty() ? "none" : essence)
                    + "); send e.g. Content-Type: application/x-ha4j-admin";
        }
        return null;
    }

    private static boolean sameOrigin(String origin, String host) {
        int scheme = origin.indexOf("://");
        if (scheme < 0) {
            return false;
        }
        String authority = origin.substring(scheme + 3);
        String expected = host.toLowerCase(Locale.ROOT);
        String port = origin.startsWith("https") ? ":443" : ":80";
        authority = authority.toLowerCase(Locale.ROOT);
        return authority.equals(expected) || authority.equals(stripPort(expected, port)) || (authority + port).equals(expected);
    }

    private static String stripPort(String host, String defaultPort) {
        return host.endsWith(defaultPort) ? host.substring(0, host.length() - defaultPort.length()) : host;
    }

    private static boolean literalHost(String host) {
        String h = host;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close > 0 && NetUtil.isValidIpV6Address(h.substring(1, close));
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        return h.equalsIgnoreCase("localhost") || NetUtil.isValidIpV4Address(h);
    }

    private List<StatsSource> sources() {
        List<StatsSource> sources = new ArrayList<>(context.statsSources());
        if (!sources.contains(balancer)) {
            sources.add(0, balancer);
        }
        return sources;
    }

    private List<ComponentStats> snapshots() {
        List<ComponentStats> out = new ArrayList<>();
        for (StatsSource s : sources()) {
            out.add(s.componentStats());
        }
        return out;
    }

    private TcpBalancer target(String proxy) {
        if (proxy == null || proxy.isEmpty() || proxy.equals(balancer.name())) {
            return balancer;
        }
        for (StatsSource s : sources()) {
            if (s instanceof TcpBalancer b && b.name().equals(proxy)) {
                return b;
            }
        }
        return null;
    }

    private String html(boolean mayAct) {
        List<BalancerStats> balancers = new ArrayList<>();
        List<ComponentStats> others = new ArrayList<>();
        for (StatsSource s : sources()) {
            if (s instanceof TcpBalancer b) {
                try {
                    balancers.add(b.stats());
                } catch (IllegalStateException notStarted) {
                    others.add(b.componentStats());
                }
            } else {
                others.add(s.componentStats());
            }
        }
        return new StatsPage(context.clusterName(), page.hideVersion() ? null : VERSION, page.refreshSeconds(), page.uri(), token,
                mayAct, balancers, others).html();
    }

    private String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("cluster", context.clusterName());
        if (!page.hideVersion()) {
            root.put("version", VERSION);
        }
        List<Object> components = new ArrayList<>();
        for (ComponentStats c : snapshots()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", c.kind());
            m.put("name", c.name());
            m.putAll(c.fields());
            components.add(m);
        }
        root.put("components", components);
        return StatsText.json(new StringBuilder(4096), root).toString();
    }

    private FullHttpResponse redirect() {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SEE_OTHER);
        r.headers().set(HttpHeaderNames.LOCATION, page.uri());
        return r;
    }

    private FullHttpResponse removed(boolean redirect, ChannelHandlerContext ctx, TcpBalancer target, String name) {
        if (!target.removeBackend(name)) {
            return text(HttpResponseStatus.NOT_FOUND, "no backend named '" + name + "'\n");
        }
        return done(redirect, ctx, target, "removed " + name);
    }

    private FullHttpResponse done(boolean redirect, ChannelHandlerContext ctx, TcpBalancer target, String what) {
        LOG.info("Balancer '{}' admin from {}: {}", target.name(), ctx.channel().remoteAddress(), what);
        if (redirect) {
            return redirect();
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
        ByteBuf buf = ByteBufUtil.writeUtf8(ByteBufAllocator.DEFAULT, s);
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
