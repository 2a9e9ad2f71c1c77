package io.ha4j.examples.demo;

import io.ha4j.core.Clock;
import io.ha4j.core.Scheduler;
import io.ha4j.core.SystemScheduler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Kubernetes client does to the control-plane endpoint, reduced to two things the demo can measure:
 *
 * <ul>
 *   <li>{@code GET /version} every {@code interval} (100 ms by default) on a new connection each, reporting
 *       each request as a {@link DemoEvent.Kind#REQUEST} event (OK with the answering apiserver, or FAILED
 *       with why). Requests start on a fixed rate whether earlier ones have finished or not (up to
 *       {@value #MAX_IN_FLIGHT} at a time), so an outage is measured to about one interval. A failed request is
 *       not retried, so every failure the network or a node causes shows (client-go retries a GET that got
 *       {@code Connection reset}; a reset during a VIP move would not reach a real client's caller).</li>
 *   <li>A watch on pods held open through the endpoint, like a client-go reflector: on a broken stream it
 *       reconnects and resumes from the last resource version it saw; a stream silent for
 *       {@code 3 s} (three missed events) counts as broken, as client-go's HTTP/2 ping would find.</li>
 * </ul>
 *
 * <p>Threads: one scheduler thread ({@code client-timer}) for the rate, a small pool for the requests, one
 * thread for the watch; all stop at {@link #close()}.
 */
final class ClientLoad implements AutoCloseable {

    static final int MAX_IN_FLIGHT = 8;
    /**
     * Just over the kernel's first SYN retransmission (1 s), as a real client waits longer still (client-go: 30 s): a
     * node handing the VIP over drops new SYNs unanswered so that they are retried on the new master, and a client
     * that gave up before the retry would count that as a failure. A crashed master's outage still fails requests.
     */
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(1500);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    static final Duration WATCH_IDLE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration WATCH_RETRY = Duration.ofMillis(200);
    private static final Pattern RESOURCE_VERSION = Pattern.compile("\"resourceVersion\":\"(\\d+)\"");
    private static final Pattern SERVED_BY = Pattern.compile("\"ha4j.io/served-by\":\"([^\"]+)\"");
    private static final Pattern GIT_VERSION = Pattern.compile("\"gitVersion\":\"([^\"]+)\"");

    private final ApiClient client;
    private final Supplier<InetSocketAddress> target;
    private final Consumer<DemoEvent> events;
    private final Clock clock;
    private final long intervalNanos;
    private final SystemScheduler scheduler = Scheduler.newSingleThread("client-timer");
    private final ExecutorService requests;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread watcher;
    private volatile ApiClient.Watch openWatch;
    private long nextRequestNanos;

    /**
     * @param target where to send, asked before every connection (the VIP; in the simulation, the balancer
     *               of the node that holds the VIP)
     */
    ClientLoad(ApiClient client, Supplier<InetSocketAddress> target, Consumer<DemoEvent> events, Duration interval) {
        this.client = client;
        this.target = target;
        this.events = events;
        this.clock = scheduler.clock();
        this.intervalNanos = interval.toNanos();
        AtomicInteger threads = new AtomicInteger();
        this.requests = Executors.newFixedThreadPool(MAX_IN_FLIGHT, r -> {
            Thread t = new Thread(r, "client-request-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.watcher = new Thread(this::watchLoop, "client-watch");
        watcher.setDaemon(true);
    }

    void start() {
        scheduler.execute(() -> {
            nextRequestNanos = clock.nanoTime();
            tick();
        });
        watcher.start();
    }

    private void tick() {
        if (closed.getCount() == 0) {
            return;
        }
        if (inFlight.get() < MAX_IN_FLIGHT) {
            inFlight.incrementAndGet();
            try {
                requests.execute(this::oneRequest);
            } catch (RejectedExecutionException e) {
                inFlight.decrementAndGet(); // closing
                return;
            }
        }
        nextRequestNanos += intervalNanos;
        scheduler.schedule(this::tick, nextRequestNanos - clock.nanoTime());
    }

    private void oneRequest() {
        try {
            InetSocketAddress to = target.get();
            long start = clock.nanoTime();
            ApiClient.Response r = client.get(to, "/version", CONNECT_TIMEOUT, READ_TIMEOUT);
            long end = clock.nanoTime();
            String by = r.header(StandInApiServer.SERVED_BY);
            if (r.status() == 200) {
                Matcher m = GIT_VERSION.matcher(r.body());
                publish(end, DemoEvent.Kind.REQUEST, by, "OK",
                        (m.find() ? m.group(1) : "?") + " in " + Timeline.millis(end - start) + " ms");
            } else {
                publish(end, DemoEvent.Kind.REQUEST, by, "FAILED", "HTTP " + r.status());
            }
        } catch (IOException | RuntimeException e) {
            publish(clock.nanoTime(), DemoEvent.Kind.REQUEST, "", "FAILED", describe(e));
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void watchLoop() {
        long resourceVersion = 0;
        int failedAttempts = 0;
        while (closed.getCount() > 0) {
            String path = StandInApiServer.WATCH_PATH + "?watch=true" + (resourceVersion > 0 ? "&resourceVersion=" + resourceVersion : "");
            try (ApiClient.Watch w = client.watch(target.get(), path, Duration.ofSeconds(1), WATCH_IDLE_TIMEOUT)) {
                openWatch = w;
                publish(clock.nanoTime(), DemoEvent.Kind.WATCH, w.servedBy(), "CONNECTED",
                        (resourceVersion > 0 ? "resuming after rv " + resourceVersion : "from now")
                                + (failedAttempts > 0 ? ", after " + failedAttempts + " failed attempts" : ""));
                failedAttempts = 0;
                while (closed.getCount() > 0) {
                    String line = w.nextLine();
                    if (line.contains("\"type\":\"ERROR\"")) {
                        resourceVersion = 0; // 410 Gone: a real reflector relists; here we start from now
                        throw new IOException("watch expired (410), restarting from now");
                    }
                    Matcher rv = RESOURCE_VERSION.matcher(line);
                    Matcher by = SERVED_BY.matcher(line);
                    if (rv.find()) {
                        resourceVersion = Long.parseLong(rv.group(1));
                        publish(clock.nanoTime(), DemoEvent.Kind.WATCH, by.find() ? by.group(1) : w.servedBy(), "EVENT",
                                Long.toString(resourceVersion));
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (closed.getCount() == 0) {
                    return;
                }
                if (openWatch != null) {
                    publish(clock.nanoTime(), DemoEvent.Kind.WATCH, "", "BROKEN", describe(e));
                } else {
                    failedAttempts++;
                }
            } finally {
                openWatch = null;
            }
            try {
                if (closed.await(WATCH_RETRY.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void publish(long nanos, DemoEvent.Kind kind, String subject, String state, String detail) {
        if (closed.getCount() > 0) {
            events.accept(new DemoEvent(nanos, "client", kind, subject, state, detail));
        }
    }

    static String describe(Throwable e) {
        if (e instanceof SocketTimeoutException) {
            return "timeout: " + e.getMessage();
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        closed.countDown();
        scheduler.close();
        ApiClient.Watch w = openWatch;
        if (w != null) {
            w.close();
        }
        requests.shutdownNow();
        try {
            watcher.join(2000);
            requests.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
