package io.ha4j.examples.demo;

import io.ha4j.core.Clock;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The demo's record of what happened, printed as it happens with the time since the demo started.
 *
 * <p>Every {@link DemoEvent} of every node and of the client comes through {@link #accept(DemoEvent)} (from
 * any thread); the story adds its own narration with {@link #say(String)}. Client requests arrive ten times a
 * second, so they are printed only when they change from answered to failing and back; the watch is printed
 * when it connects, breaks, and with its first event after each connect. Everything is kept, and the story
 * and the tests query the record ({@link #vrrpState}, {@link #backendState}, {@link #outage}, ...) and wait on
 * it with a deadline ({@link #await}).
 */
final class Timeline implements Consumer<DemoEvent> {

    /** VRRP state recorded for a node whose process was killed. */
    static final String DEAD = "DEAD";
    /** Consecutive failed requests printed as an outage as soon as they happen. */
    static final int FAILING_AFTER = 3;

    private final Clock clock;
    private final long startNanos;
    private final PrintStream out;
    private final List<DemoEvent> events = new ArrayList<>();
    private final Map<String, String> vrrp = new TreeMap<>();
    private final Map<String, String> backends = new HashMap<>();
    private boolean firstAnswerPrinted;
    private String firstFailure = "";
    private long failingSinceNanos;
    private int failedInARow;
    private boolean watchWantsFirstEvent;
    private long watchLastResourceVersion = -1;
    private long watchEvents;
    private long watchEventsLost;
    private String watchServedBy = "";

    Timeline(Clock clock, PrintStream out) {
        this.clock = clock;
        this.startNanos = clock.nanoTime();
        this.out = out;
    }

    Clock clock() {
        return clock;
    }

    /** Narration by the story. */
    void say(String text) {
        print(clock.nanoTime(), "      ", text);
    }

    /** A heading for a step of the story. */
    void step(String text) {
        synchronized (this) {
            out.println();
        }
        print(clock.nanoTime(), "==>   ", text);
    }

    @Override
    public void accept(DemoEvent e) {
        synchronized (this) {
            events.add(e);
            switch (e.kind()) {
                case VRRP -> {
                    vrrp.put(e.origin(), e.state());
                    print(e.nanoTime(), e.origin(), "VRRP " + e.subject() + " -> " + e.state() + reason(e));
                }
                case NODE -> {
                    if (e.state().equals("KILLED") || e.state().equals("STOPPED")) {
                        vrrp.put(e.origin(), DEAD);
                        backends.keySet().removeIf(k -> k.startsWith(e.origin() + "/"));
                    }
                    print(e.nanoTime(), e.origin(), "node " + e.state().toLowerCase(Locale.ROOT) + reason(e));
                }
                case BACKEND -> {
                    String previous = backends.put(e.origin() + "/" + e.subject(), e.state());
                    if (!e.state().equals(previous)) {
                        print(e.nanoTime(), e.origin(), "balancer: backend " + e.subject() + " " + e.state() + reason(e));
                    }
                }
                case APISERVER -> print(e.nanoTime(), e.origin(), "apiserver " + e.state() + reason(e));
                case REQUEST -> onRequest(e);
                case WATCH -> onWatch(e);
                default -> throw new IllegalStateException("unknown kind " + e.kind());
            }
            notifyAll();
        }
    }

    /**
     * Prints a run of failures once it reaches {@value #FAILING_AFTER} requests, and its end; a shorter run is
     * printed in one line when the next request is answered.
     */
    private void onRequest(DemoEvent e) {
        boolean ok = e.state().equals("OK");
        if (!ok) {
            if (failedInARow == 0) {
                failingSinceNanos = e.nanoTime();
                firstFailure = e.detail();
            }
            failedInARow++;
            if (failedInARow == FAILING_AFTER) {
                print(failingSinceNanos, "client", "GET /version via VIP FAILING: " + firstFailure);
            }
        } else if (failedInARow >= FAILING_AFTER) {
            print(e.nanoTime(), "client", "GET /version via VIP answered again by " + e.subject() + " after "
                    + failedInARow + " failed requests (" + millis(e.nanoTime() - failingSinceNanos) + " ms)");
            failedInARow = 0;
        } else if (failedInARow > 0) {
            print(e.nanoTime(), "client", "GET /version via VIP: " + failedInARow + " request(s) failed (" + firstFailure
                    + "), then answered by " + e.subject());
            failedInARow = 0;
        } else if (!firstAnswerPrinted) {
            firstAnswerPrinted = true;
            print(e.nanoTime(), "client", "GET /version via VIP answered by " + e.subject() + ": " + e.detail());
        }
    }

    private void onWatch(DemoEvent e) {
        switch (e.state()) {
            case "CONNECTED" -> {
                watchWantsFirstEvent = true;
                watchServedBy = e.subject();
                print(e.nanoTime(), "client", "watch connected via VIP, served by " + e.subject() + reason(e));
            }
            case "BROKEN" -> print(e.nanoTime(), "client", "watch broken: " + e.detail());
            case "EVENT" -> {
                long rv = Long.parseLong(e.detail());
                long lost = watchLastResourceVersion < 0 ? 0 : Math.max(0, rv - watchLastResourceVersion - 1);
                watchEventsLost += lost;
                watchEvents++;
                if (watchWantsFirstEvent) {
                    watchWantsFirstEvent = false;
                    String continuity = watchLastResourceVersion < 0 ? ""
                            : lost == 0 ? ", continues after rv " + watchLastResourceVersion + " with no event lost"
                            : ", " + lost + " events lost after rv " + watchLastResourceVersion;
                    print(e.nanoTime(), "client", "watch event rv " + rv + " from " + e.subject() + continuity);
                }
                if (rv > watchLastResourceVersion) {
                    watchLastResourceVersion = rv;
                }
            }
            default -> print(e.nanoTime(), "client", "watch " + e.state() + reason(e));
        }
    }

    private static String reason(DemoEvent e) {
        return e.detail().isEmpty() ? "" : " (" + e.detail() + ")";
    }

    private synchronized void print(long nanos, String who, String text) {
        String line = String.format(Locale.ROOT, "%8.3fs  %-6s %s", (nanos - startNanos) / 1e9, who, text);
        out.println(line);
        out.flush();
    }

    static long millis(long nanos) {
        return Math.round(nanos / 1e6);
    }

    /**
     * Waits until {@code condition} holds over the record, at most {@code timeout}; returns whether it held.
     */
    synchronized boolean await(Duration timeout, Predicate<Timeline> condition) throws InterruptedException {
        long deadline = clock.nanoTime() + timeout.toNanos();
        while (!condition.test(this)) {
            long left = deadline - clock.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000), 0);
        }
        return true;
    }

    /** Waits {@code duration} while events keep arriving and printing. */
    void pause(Duration duration) throws InterruptedException {
        await(duration, t -> false);
    }

    /** The last VRRP state a node reported, {@link #DEAD} after it was killed, empty before any report. */
    synchronized Optional<String> vrrpState(String node) {
        return Optional.ofNullable(vrrp.get(node));
    }

    /** The nodes whose last VRRP state is MASTER. */
    synchronized List<String> masters() {
        return vrrp.entrySet().stream().filter(en -> en.getValue().equals("MASTER")).map(Map.Entry::getKey).toList();
    }

    /** The health of {@code backend} as {@code node}'s balancer last reported it. */
    synchronized Optional<String> backendState(String node, String backend) {
        return Optional.ofNullable(backends.get(node + "/" + backend));
    }

    synchronized List<DemoEvent> events() {
        return List.copyOf(events);
    }

    synchronized String watchServedBy() {
        return watchServedBy;
    }

    synchronized long watchLastResourceVersion() {
        return watchLastResourceVersion;
    }

    synchronized long watchEvents() {
        return watchEvents;
    }

    synchronized long watchEventsLost() {
        return watchEventsLost;
    }

    /** Events of {@code kind} and {@code state} since {@code sinceNanos}. */
    synchronized long count(DemoEvent.Kind kind, String state, long sinceNanos) {
        return events.stream().filter(e -> e.kind() == kind && e.state().equals(state) && e.nanoTime() >= sinceNanos).count();
    }

    /** How many client requests each apiserver answered, by node name. */
    synchronized Map<String, Long> answersByApiserver() {
        Map<String, Long> result = new TreeMap<>();
        for (DemoEvent e : events) {
            if (e.kind() == DemoEvent.Kind.REQUEST && e.state().equals("OK")) {
                result.merge(e.subject(), 1L, Long::sum);
            }
        }
        return result;
    }

    /** Whether a client request was answered after {@code sinceNanos}. */
    synchronized boolean answeredSince(long sinceNanos) {
        return lastAnswer().filter(e -> e.nanoTime() > sinceNanos).isPresent();
    }

    synchronized Optional<DemoEvent> lastAnswer() {
        for (int i = events.size() - 1; i >= 0; i--) {
            DemoEvent e = events.get(i);
            if (e.kind() == DemoEvent.Kind.REQUEST && e.state().equals("OK")) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * The outage the client saw between {@code fromNanos} and {@code toNanos}: the longest time between two
     * consecutive answered requests (by completion time), and how many requests failed in that window.
     */
    synchronized Outage outage(long fromNanos, long toNanos) {
        long previousAnswer = Long.MIN_VALUE;
        long longest = 0;
        long gapStart = 0;
        long gapEnd = 0;
        int failed = 0;
        for (DemoEvent e : events) {
            if (e.kind() != DemoEvent.Kind.REQUEST || e.nanoTime() > toNanos) {
                continue;
            }
            if (e.state().equals("OK")) {
                if (previousAnswer != Long.MIN_VALUE && e.nanoTime() >= fromNanos && e.nanoTime() - previousAnswer > longest) {
                    longest = e.nanoTime() - previousAnswer;
                    gapStart = previousAnswer;
                    gapEnd = e.nanoTime();
                }
                previousAnswer = e.nanoTime();
            } else if (e.nanoTime() >= fromNanos) {
                failed++;
            }
        }
        return new Outage(Duration.ofNanos(longest), failed, gapStart, gapEnd);
    }

    /** The longest gap between answered requests, with its ends, and the number of failed requests. */
    record Outage(Duration longestGap, int failedRequests, long gapStartNanos, long gapEndNanos) {
    }
}
