package io.ha4j.examples.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.ha4j.core.Clock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * A stand-in kube-apiserver: the endpoints a balancer and a client in front of a control plane touch, over
 * TLS, with the shutdown behaviour that matters to them.
 *
 * <ul>
 *   <li>{@code /readyz} 200 {@code ok} while serving, 503 once shutting down ({@link #shutDown()}), as a
 *       real apiserver does from the moment it gets SIGTERM;</li>
 *   <li>{@code /healthz} and {@code /livez} 200 until stopped (they stay green through
 *       {@code --shutdown-delay-duration}, which is why balancers must probe {@code /readyz});</li>
 *   <li>{@code /version}: the JSON document kube-apiserver returns;</li>
 *   <li>{@code /api/v1/namespaces/default/pods?watch=true[&resourceVersion=N]}: a chunked watch stream with
 *       one {@code MODIFIED} event a second; without {@code watch} a pod list.</li>
 * </ul>
 *
 * <p>Resource versions stand for the shared etcd behind real apiservers: event {@code N} happens at second
 * {@code N} of the host's monotonic clock on every node, so a watch resumed on another apiserver with the
 * last version it saw replays what it missed (up to {@value #WATCH_WINDOW_SECONDS} s back, else {@code 410
 * Gone}, as the watch cache does) and the client can check that nothing was lost. Every response carries
 * the header {@value #SERVED_BY} naming the node, so the demo can show which apiserver answered through the
 * balancer.
 *
 * <p>Threads: the JDK server's dispatcher plus a cached pool of daemon threads, one per open exchange (a
 * watch holds one for its whole life); all end at {@link #close()}.
 */
final class StandInApiServer implements AutoCloseable {

    static final String SERVED_BY = "X-Ha4j-Served-By";
    static final String WATCH_PATH = "/api/v1/namespaces/default/pods";
    static final long WATCH_WINDOW_SECONDS = 300;

    /** What the server is doing. */
    enum Mode { SERVING, SHUTTING_DOWN, STOPPED }

    private final String node;
    private final Clock clock;
    private final Consumer<DemoEvent> events;
    private final HttpsServer server;
    private final ExecutorService exchanges;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.SERVING);

    StandInApiServer(String node, InetSocketAddress bind, SSLContext tls, Clock clock, Consumer<DemoEvent> events)
            throws IOException {
        this.node = node;
        this.clock = clock;
        this.events = events;
        AtomicInteger threads = new AtomicInteger();
        this.exchanges = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "apiserver-" + node + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.server = HttpsServer.create(bind, 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(exchanges);
        server.createContext("/", this::handle);
        server.start();
        publish(Mode.SERVING, "https://" + address().getAddress().getHostAddress() + ":" + address().getPort());
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    /** Starts a graceful shutdown: {@code /readyz} answers 503 from now on, everything else still works. */
    void shutDown() {
        if (mode.compareAndSet(Mode.SERVING, Mode.SHUTTING_DOWN)) {
            publish(Mode.SHUTTING_DOWN, "/readyz now 503, /healthz still 200");
        }
    }

    /** Ends every watch stream, closes every connection and the listener. Idempotent. */
    @Override
    public void close() {
        if (mode.getAndSet(Mode.STOPPED) == Mode.STOPPED) {
            return;
        }
        stopped.countDown();
        server.stop(0);
        exchanges.shutdownNow();
        try {
            exchanges.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publish(Mode.STOPPED, "listener closed, watches ended");
    }

    private void publish(Mode m, String detail) {
        events.accept(new DemoEvent(clock.nanoTime(), node, DemoEvent.Kind.APISERVER, "", m.name(), detail));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set(SERVED_BY, node);
            URI uri = exchange.getRequestURI();
            String path = uri.getPath();
            Map<String, String> query = query(uri.getRawQuery());
            if (!exchange.getRequestMethod().equals("GET")) {
                respond(exchange, 405, "application/json", status(405, "MethodNotAllowed", "only GET in this stand-in"));
                return;
            }
            switch (path) {
                case "/readyz" -> {
                    if (mode.get() == Mode.SERVING) {
                        respond(exchange, 200, "text/plain; charset=utf-8", "ok");
                    } else {
                        respond(exchange, 503, "text/plain; charset=utf-8",
                                "[+]ping ok\n[-]shutdown failed: reason withheld\nreadyz check failed");
                    }
                }
                case "/healthz", "/livez" -> respond(exchange, 200, "text/plain; charset=utf-8", "ok");
                case "/version" -> respond(exchange, 200, "application/json", versionJson());
                case WATCH_PATH -> {
                    if ("true".equals(query.get("watch")) || "1".equals(query.get("watch"))) {
                        watch(exchange, query.get("resourceVersion"));
                    } else {
                        respond(exchange, 200, "application/json", "{\"kind\":\"PodList\",\"apiVersion\":\"v1\","
                                + "\"metadata\":{\"resourceVersion\":\"" + resourceVersionNow() + "\"},\"items\":["
                                + pod(resourceVersionNow()) + "]}");
                    }
                }
                default -> respond(exchange, 404, "application/json", status(404, "NotFound", "the server could not find the requested resource"));
            }
        }
    }

    /**
     * Streams events until the server stops or the client goes away: first the ones after {@code from},
     * then one a second.
     */
    private void watch(HttpExchange exchange, String from) throws IOException {
        long now = resourceVersionNow();
        long next;
        try {
            next = from == null || from.isEmpty() || from.equals("0") ? now + 1 : Long.parseLong(from) + 1;
        } catch (NumberFormatException e) {
            respond(exchange, 400, "application/json", status(400, "BadRequest", "resourceVersion is not a number"));
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
        exchange.sendResponseHeaders(200, 0); // chunked
        OutputStream body = exchange.getResponseBody();
        if (now - next >= WATCH_WINDOW_SECONDS) {
            body.write((status410(next - 1) + "\n").getBytes(StandardCharsets.UTF_8));
            body.flush();
            return;
        }
        try {
            while (mode.get() != Mode.STOPPED) {
                while (next <= resourceVersionNow()) {
                    body.write(("{\"type\":\"MODIFIED\",\"object\":" + pod(next) + "}\n").getBytes(StandardCharsets.UTF_8));
                    next++;
                }
                body.flush();
                long waitNanos = next * 1_000_000_000L - clock.nanoTime();
                if (waitNanos > 0 && stopped.await(waitNanos, TimeUnit.NANOSECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long resourceVersionNow() {
        return clock.nanoTime() / 1_000_000_000L;
    }

    private String pod(long resourceVersion) {
        return "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"demo\",\"namespace\":\"default\","
                + "\"resourceVersion\":\"" + resourceVersion + "\",\"annotations\":{\"ha4j.io/served-by\":\"" + node + "\"}},"
                + "\"status\":{\"phase\":\"Running\"}}";
    }

    private static String versionJson() {
        return "{\"major\":\"1\",\"minor\":\"30\",\"gitVersion\":\"v1.30.0-ha4j-stand-in\",\"gitCommit\":\"0000000\","
                + "\"gitTreeState\":\"clean\",\"buildDate\":\"2026-01-01T00:00:00Z\",\"goVersion\":\"go1.22\","
                + "\"compiler\":\"gc\",\"platform\":\"linux/amd64\"}";
    }

    private static String status(int code, String reason, String message) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
                + message + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
    }

    private static String status410(long resourceVersion) {
        return "{\"type\":\"ERROR\",\"object\":" + status(410, "Expired", "too old resource version: " + resourceVersion) + "}";
    }

    private static void respond(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> result = new HashMap<>();
        if (raw == null) {
            return result;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            result.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
        }
        return result;
    }
}
