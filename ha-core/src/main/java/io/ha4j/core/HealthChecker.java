package io.ha4j.core;

import io.ha4j.core.internal.ComponentLifecycle;
import io.ha4j.core.internal.Listeners;
import io.ha4j.core.internal.Validation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link HealthCheck} periodically and turns results into UP/DOWN with HAProxy's counter.
 *
 * <pre>{@code
 * HealthChecker apiserver = HealthChecker.builder("apiserver-1")
 *         .kubernetesDefaults()                       // inter 2s, fastinter 1s, downinter 5s, rise 2, fall 3, timeout 5s
 *         .check(HttpCheck.kubernetesReadyz("198.18.0.11", 6443, TlsOptions.trustAll()))
 *         .build();
 * }</pre>
 *
 * <p><b>Counter</b> (HAProxy {@code src/check.c}, keepalived {@code vrrp_script} behave the same): a health
 * value in {@code [0, rise + fall - 1]}; the target is UP iff {@code health >= rise}. A success increments
 * it and, once it reaches {@code rise}, jumps to {@code rise + fall - 1} (fully up); a failure decrements it
 * and, once it drops below {@code rise}, resets it to 0 (fully down). So a fully-up target goes DOWN after
 * exactly {@code fall} consecutive failures and a fully-down one UP after exactly {@code rise} successes.
 *
 * <p><b>Intervals</b> (HAProxy meaning): the next check starts {@code inter} after the previous one ended
 * while fully up, {@code downinter} while fully down, and {@code fastinter} while in transition (some
 * successes towards UP, or some failures towards DOWN). {@code fastinter} and {@code downinter} default to
 * {@code inter}. With {@link Builder#spreadChecks(int)} each interval is randomised by up to that percent,
 * using the cluster's random source. The first check runs right after start.
 *
 * <p><b>Timeout</b>: {@code timeout} is passed to {@link HealthCheck#run(Duration)}, and the ready-made checks
 * bound themselves by it (connect, TLS handshake and response share one deadline), reporting where the time
 * ran out ({@code "timeout after 5s during TLS handshake"}). As a backstop for checks that do not, a watchdog
 * on the cluster's clock fires a little later (timeout + 10%, at most
 * + 1s, so that the check's own, more precise reason wins a close race), counts the check as timed out and
 * interrupts its thread. Either way a timeout is one failure, and a hanging server never hangs the checker:
 * the next check is scheduled as usual.
 *
 * <p><b>Initial state</b> (HAProxy's {@code init-state}): default {@link InitialState#UP}, i.e. up but one
 * failure away from DOWN, so a balancer can use its backends at once and drops a dead one on the first
 * failed check.
 *
 * <p>Threads: counter and listeners run on the cluster's scheduler thread; the check itself runs on the
 * blocking executor. Passive observations (a real connection that failed) can be fed in with
 * {@link #report(CheckResult)}.
 */
public final class HealthChecker implements HaComponent, StatsSource {

    /** Where the counter starts (HAProxy {@code init-state}). */
    public enum InitialState {
        /** UP, {@code fall} failures from DOWN. */
        FULLY_UP,
        /** UP, one failure from DOWN (HAProxy's default). */
        UP,
        /** DOWN, one success from UP. */
        DOWN,
        /** DOWN, {@code rise} successes from UP. */
        FULLY_DOWN
    }

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final String name;
    private final HealthCheck check;
    private final Duration inter;
    private final Duration fastInter;
    private final Duration downInter;
    private final Duration timeout;
    private final int rise;
    private final int fall;
    private final int spreadPercent;
    private final InitialState initialState;
    private final Listeners<HealthListener> listeners = new Listeners<>();

    private final ComponentLifecycle lifecycle;
    private volatile ComponentContext context;

    // Mutated on the scheduler thread only; volatile so that other threads read a recent value.
    private volatile int health;
    private volatile HealthStatus status;
    private volatile CheckResult lastResult;
    private volatile long lastChangeNanos;
    private final AtomicLong checksRun = new AtomicLong();
    private final AtomicLong checksFailed = new AtomicLong();
    private volatile Attempt current; // also read by close() from other threads
    private ScheduledTask next;

    private HealthChecker(Builder b) {
        this.name = b.name;
        this.check = b.check;
        this.inter = b.inter != null ? b.inter : Duration.ofSeconds(2);
        this.fastInter = b.fastInter != null ? b.fastInter : inter;
        this.downInter = b.downInter != null ? b.downInter : inter;
        this.timeout = b.timeout != null ? b.timeout : inter;
        this.rise = b.rise != null ? b.rise : 2;
        this.fall = b.fall != null ? b.fall : 3;
        this.spreadPercent = b.spreadPercent != null ? b.spreadPercent : 0;
        this.initialState = b.initialState != null ? b.initialState : InitialState.UP;
        switch (initialState) {
            case FULLY_UP: health = rise + fall - 1; break;
            case UP: health = rise; break;
            case DOWN: health = rise - 1; break;
            default: health = 0; break;
        }
        this.status = health >= rise ? HealthStatus.UP : HealthStatus.DOWN;
        this.lifecycle = new ComponentLifecycle("health checker '" + name + "'");
    }

    /** A builder for a checker called {@code name} (unique within its cluster). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Phase phase() {
        return Phase.HEALTH_CHECKS;
    }

    public HealthStatus status() {
        return status;
    }

    public boolean isUp() {
        return status == HealthStatus.UP;
    }

    /** HAProxy's {@code check_health}: the counter in {@code [0, rise + fall - 1]}. */
    public int health() {
        return health;
    }

    public int rise() {
        return rise;
    }

    public int fall() {
        return fall;
    }

    public Duration inter() {
        return inter;
    }

    public Duration fastInter() {
        return fastInter;
    }

    public Duration downInter() {
        return downInter;
    }

    public Duration timeout() {
        return timeout;
    }

    public HealthCheck check() {
        return check;
    }

    /** The latest result, or {@code null} before the first one. */
    public CheckResult lastResult() {
        return lastResult;
    }

    /** When the status last changed, on the cluster's clock; 0 if it never did. */
    public long lastChangeNanos() {
        return lastChangeNanos;
    }

    public long checksRun() {
        return checksRun.get();
    }

    public long checksFailed() {
        return checksFailed.get();
    }

    /**
     * The stats SPI's view (a {@code vrrp_script} or a user's own check on the cluster; a balancer's backend checks
     * are in the balancer's rows): status, health counter, rise/fall, interval, checks run and failed, the last
     * result, and samples {@code ha4j_check_up}, {@code ha4j_check_health}, {@code ha4j_check_runs_total},
     * {@code ha4j_check_failures_total} with the label {@code check}.
     */
    @Override
    public ComponentStats componentStats() {
        CheckResult last = lastResult;
        ComponentContext ctx = context;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("state", status.name());
        f.put("check", check.description());
        f.put("health", health);
        f.put("rise", rise);
        f.put("fall", fall);
        f.put("intervalSeconds", inter.toNanos() / 1e9);
        f.put("checksRun", checksRun());
        f.put("checksFailed", checksFailed());
        f.put("lastResult", last == null ? "" : (last.isPassed() ? "passed: " : "failed: ") + last.reason());
        f.put("secondsSinceChange", ctx == null || lastChangeNanos == 0 ? -1
                : Math.max(0, (ctx.clock().nanoTime() - lastChangeNanos) / 1_000_000_000L));
        Map<String, String> l = Map.of("check", name);
        List<ComponentStats.Metric> m = List.of(
                new ComponentStats.Metric("ha4j_check_up", ComponentStats.MetricType.GAUGE, "1 when the check's status is UP.", l,
                        isUp() ? 1 : 0),
                new ComponentStats.Metric("ha4j_check_health", ComponentStats.MetricType.GAUGE,
                        "Health counter in [0, rise + fall - 1].", l, health),
                new ComponentStats.Metric("ha4j_check_runs_total", ComponentStats.MetricType.COUNTER, "Checks run.", l, checksRun()),
                new ComponentStats.Metric("ha4j_check_failures_total", ComponentStats.MetricType.COUNTER, "Checks failed.", l,
                        checksFailed()));
        return new ComponentStats("check", name, f, m);
    }

    /** Adds a listener called on the scheduler thread. */
    public void addListener(HealthListener listener) {
        listeners.add(listener);
    }

    /** Adds a listener called through {@code executor}. */
    public void addListener(HealthListener listener, Executor executor) {
        listeners.add(listener, executor);
    }

    public void removeListener(HealthListener listener) {
        listeners.remove(listener);
    }

    /**
     * Starts on threads of its own ({@code <name>-timer}, {@code <name>-blocking-N}), for use without a cluster;
     * {@link #close()} stops them.
     *
     * @throws IllegalStateException when started twice or closed
     */
    public void start() {
        lifecycle.start(() -> startOn(lifecycle.acquired(ComponentContext.standalone(name))));
    }

    /**
     * Starts checking on the context's scheduler and blocking executor; the first check runs at once. Called once.
     *
     * @throws IllegalStateException when started twice or closed
     */
    @Override
    public void start(ComponentContext context) {
        Objects.requireNonNull(context, "context");
        lifecycle.start(() -> startOn(context));
    }

    private void startOn(ComponentContext context) {
        this.context = context;
        lifecycle.acquired(this::stopChecking);
        context.scheduler().execute(this::runCheck);
    }

    /**
     * Feeds in a result observed outside the periodic check (HAProxy's {@code observe layer4}: a real
     * connection to the target failed). It counts like a check result and is applied on the scheduler thread.
     */
    public void report(CheckResult result) {
        Objects.requireNonNull(result, "result");
        ComponentContext ctx = context;
        if (ctx == null || isClosed()) {
            return;
        }
        ctx.scheduler().execute(() -> {
            if (!isClosed()) {
                apply(result);
            }
        });
    }

    private boolean isClosed() {
        return lifecycle.isClosed();
    }

    private void runCheck() {
        if (isClosed()) {
            return;
        }
        Scheduler scheduler = context.scheduler();
        Attempt attempt = new Attempt(scheduler.clock().nanoTime());
        current = attempt;
        attempt.timeoutTask = scheduler.schedule(() -> finish(attempt, CheckResult.timedOut(timeout)), watchdogDelay(timeout));
        try {
            attempt.future = context.blockingExecutor().submit(() -> {
                CheckResult result;
                try {
                    result = Objects.requireNonNull(check.run(timeout), "check returned null");
                } catch (InterruptedException e) {
                    return; // cancelled by timeout or close; the timeout path reports
                } catch (Throwable t) {
                    result = CheckResult.failed(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
                }
                CheckResult r = result;
                scheduler.execute(() -> finish(attempt, r));
            });
        } catch (RejectedExecutionException e) {
            if (!isClosed()) {
                finish(attempt, CheckResult.failed("check executor rejected the check"));
            }
        }
    }

    private void finish(Attempt attempt, CheckResult result) {
        if (attempt.done || isClosed()) {
            return;
        }
        attempt.done = true;
        attempt.timeoutTask.cancel();
        Future<?> f = attempt.future;
        if (result.timedOut() && f != null) {
            f.cancel(true);
        }
        long now = context.scheduler().clock().nanoTime();
        CheckResult measured = result.withDuration(Duration.ofNanos(now - attempt.startNanos));
        apply(measured);
        if (!isClosed()) {
            next = context.scheduler().schedule(this::runCheck, nextIntervalNanos());
        }
    }

    private void apply(CheckResult result) {
        lastResult = result;
        checksRun.incrementAndGet();
        int max = rise + fall - 1;
        int h = health;
        if (result.isPassed()) {
            if (h < max) {
                h++;
                if (h >= rise) {
                    h = max;
                }
            }
        } else {
            checksFailed.incrementAndGet();
            if (h > 0) {
                h--;
                if (h < rise) {
                    h = 0;
                }
            }
        }
        health = h;
        HealthStatus newStatus = h >= rise ? HealthStatus.UP : HealthStatus.DOWN;
        HealthStatus old = status;
        if (newStatus != old) {
            status = newStatus;
            long now = context.scheduler().clock().nanoTime();
            lastChangeNanos = now;
            String why = newStatus == HealthStatus.UP ? "check passed: " + result.reason() : "check failed: " + result.reason();
            LOG.info("Health check '{}' ({}) is now {}: {}", name, check.description(), newStatus, result);
            listeners.forEach(l -> l.onHealthChanged(this, newStatus, result));
            context.publish(new HaEvent(name, old.name(), newStatus.name(), why, now));
        }
    }

    /**
     * When the watchdog declares a check that ignores its timeout as timed out: {@code timeout} plus 10%, at most
     * plus one second.
     */
    static Duration watchdogDelay(Duration timeout) {
        Duration grace = timeout.dividedBy(10);
        return timeout.plus(grace.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : grace);
    }

    long nextIntervalNanos() {
        int h = health;
        Duration base = h == rise + fall - 1 ? inter : h == 0 ? downInter : fastInter;
        long nanos = base.toNanos();
        if (spreadPercent > 0) {
            long span = nanos * spreadPercent / 100;
            nanos += (long) ((context.random().nextDouble() * 2 - 1) * span);
        }
        return nanos;
    }

    /** Stops checking; a running check is interrupted. Idempotent, callable from any thread. */
    @Override
    public void close() {
        lifecycle.close();
    }

    /** Released by the lifecycle: cancels the next check and interrupts a running one. */
    private void stopChecking() {
        ComponentContext ctx = context;
        Runnable stop = () -> {
            if (next != null) {
                next.cancel();
            }
            Attempt a = current;
            if (a != null && a.future != null) {
                a.future.cancel(true);
            }
            if (a != null && a.timeoutTask != null) {
                a.timeoutTask.cancel();
            }
        };
        if (ctx.scheduler().inSchedulerThread()) {
            stop.run();
        } else {
            ctx.scheduler().execute(stop);
            Attempt a = current; // best effort from this thread too, so a hanging check stops now
            if (a != null && a.future != null) {
                a.future.cancel(true);
            }
        }
    }

    @Override
    public String toString() {
        return "HealthChecker[" + name + ", " + check.description() + ", " + status + " " + health + "/" + (rise + fall - 1) + "]";
    }

    private static final class Attempt {
        final long startNanos;
        volatile Future<?> future;
        ScheduledTask timeoutTask;
        boolean done;

        Attempt(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    /**
     * Builds a {@link HealthChecker}. Each option is set at most once (a second call throws
     * {@link IllegalStateException}); a value out of range throws {@link IllegalArgumentException} naming the option
     * and its range at once; a required option that was never set ({@link #check}) throws
     * {@link IllegalStateException} naming it at {@link #build()}.
     */
    public static final class Builder {
        private final String name;
        private HealthCheck check;
        private Duration inter;
        private Duration fastInter;
        private Duration downInter;
        private Duration timeout;
        private Integer rise;
        private Integer fall;
        private Integer spreadPercent;
        private InitialState initialState;

        private static final Duration MIN_INTERVAL = Duration.ofMillis(10);
        private static final Duration MAX_INTERVAL = Duration.ofHours(1);

        private Builder(String name) {
            Validation.notNull("name", name);
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
        }

        /** What to run. Required. */
        public Builder check(HealthCheck check) {
            Validation.setOnce("check", this.check);
            this.check = Validation.notNull("check", check);
            return this;
        }

        /** Interval while fully up, in [10ms, 1h]; default 2s (HAProxy). */
        public Builder inter(Duration inter) {
            Validation.setOnce("inter", this.inter);
            this.inter = Validation.inRange("inter", inter, MIN_INTERVAL, MAX_INTERVAL);
            return this;
        }

        /** Interval while in transition, in [10ms, 1h]; default {@code inter}. */
        public Builder fastInter(Duration fastInter) {
            Validation.setOnce("fastInter", this.fastInter);
            this.fastInter = Validation.inRange("fastInter", fastInter, MIN_INTERVAL, MAX_INTERVAL);
            return this;
        }

        /** Interval while fully down, in [10ms, 1h]; default {@code inter}. */
        public Builder downInter(Duration downInter) {
            Validation.setOnce("downInter", this.downInter);
            this.downInter = Validation.inRange("downInter", downInter, MIN_INTERVAL, MAX_INTERVAL);
            return this;
        }

        /** How long one check may take, in [1ms, 1h]; default {@code inter} (HAProxy without {@code timeout check}). */
        public Builder timeout(Duration timeout) {
            Validation.setOnce("timeout", this.timeout);
            this.timeout = Validation.inRange("timeout", timeout, Duration.ofMillis(1), MAX_INTERVAL);
            return this;
        }

        /** Consecutive successes to go UP, in [1, 1000]; default 2. */
        public Builder rise(int rise) {
            Validation.setOnce("rise", this.rise);
            this.rise = Validation.inRange("rise", rise, 1, 1000);
            return this;
        }

        /** Consecutive failures to go DOWN, in [1, 1000]; default 3. */
        public Builder fall(int fall) {
            Validation.setOnce("fall", this.fall);
            this.fall = Validation.inRange("fall", fall, 1, 1000);
            return this;
        }

        /** Randomise each interval by up to this percent, in [0, 50]; default 0 (HAProxy {@code spread-checks}). */
        public Builder spreadChecks(int percent) {
            Validation.setOnce("spreadChecks", this.spreadPercent);
            this.spreadPercent = Validation.inRange("spreadChecks", percent, 0, 50);
            return this;
        }

        /** Where the counter starts; default {@link InitialState#UP}. */
        public Builder initialState(InitialState state) {
            Validation.setOnce("initialState", this.initialState);
            this.initialState = Validation.notNull("initialState", state);
            return this;
        }

        /**
         * The timers for a kube-apiserver backend: inter 2s, fastinter 1s, downinter 5s, rise 2, fall 3, timeout
         * 5s. Pair with {@link HttpCheck#kubernetesReadyz}: {@code /readyz} turns 503 as soon as an apiserver
         * starts shutting down, while {@code /healthz} stays 200 through {@code --shutdown-delay-duration}.
         */
        public Builder kubernetesDefaults() {
            return inter(Duration.ofSeconds(2))
                    .fastInter(Duration.ofSeconds(1))
                    .downInter(Duration.ofSeconds(5))
                    .rise(2)
                    .fall(3)
                    .timeout(Duration.ofSeconds(5));
        }

        /**
         * @throws IllegalStateException when {@link #check} was not set
         */
        public HealthChecker build() {
            Validation.required("check", check, "");
            return new HealthChecker(this);
        }
    }
}
