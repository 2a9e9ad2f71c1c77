package io.ha4j.core;

import io.ha4j.core.internal.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a started {@link HaComponent} gets from its cluster: the clock and scheduler every timer must use,
 * the random source for jitter, an executor for blocking work (health checks that run commands or block on
 * sockets), the VIP manager, and the event sink.
 *
 * <p>{@link #standalone(String)} makes one for a component used without a cluster; closing that context
 * stops the threads it created.
 */
public final class ComponentContext implements AutoCloseable {

    private final String clusterName;
    private final Scheduler scheduler;
    private final Random random;
    private final ExecutorService blockingExecutor;
    private final VipManager vipManager;
    private final Consumer<HaEvent> events;
    private final List<AutoCloseable> owned;
    private final Supplier<List<StatsSource>> statsSources;

    private ComponentContext(Builder b) {
        this.clusterName = b.clusterName;
        this.scheduler = b.scheduler;
        this.random = b.random;
        this.blockingExecutor = b.blockingExecutor;
        this.vipManager = b.vipManager;
        this.events = b.events;
        this.owned = List.copyOf(b.owned);
        this.statsSources = b.statsSources;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A context with its own scheduler thread ({@code <name>-timer}) and blocking executor, a VIP manager
     * only if one is set later through {@link #builder()}, and events that go nowhere. Close it after the
     * component.
     */
    public static ComponentContext standalone(String name) {
        SystemScheduler scheduler = Scheduler.newSingleThread(name + "-timer");
        ExecutorService blocking = newBlockingExecutor(name);
        return builder()
                .clusterName(name)
                .scheduler(scheduler)
                .blockingExecutor(blocking)
                .owning(scheduler)
                .owning(blocking::shutdownNow)
                .build();
    }

    /** A cached pool of daemon threads named {@code <name>-blocking-N}, for blocking checks. */
    public static ExecutorService newBlockingExecutor(String name) {
        AtomicInteger counter = new AtomicInteger();
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name + "-blocking-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public String clusterName() {
        return clusterName;
    }

    public Clock clock() {
        return scheduler.clock();
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** The injected random source; use it for every jitter so that tests are repeatable. */
    public Random random() {
        return random;
    }

    /** For work that blocks (a command, a blocking socket); never for timers. */
    public ExecutorService blockingExecutor() {
        return blockingExecutor;
    }

    /** The cluster's VIP manager, if one was configured. */
    public Optional<VipManager> vipManager() {
        return Optional.ofNullable(vipManager);
    }

    /**
     * The {@link StatsSource}s of the cluster this component runs in, in start order (a component that shows the
     * cluster's numbers, like the balancer's admin listener, reads them on each request); empty for a context made
     * without a cluster.
     */
    public List<StatsSource> statsSources() {
        return statsSources.get();
    }

    /** Reports a state change to the cluster's listeners. */
    public void publish(HaEvent event) {
        events.accept(event);
    }

    /** A copy of this context whose events also go to {@code extra} first. */
    public ComponentContext withEventSink(Consumer<HaEvent> extra) {
        Builder b = toBuilder();
        Consumer<HaEvent> original = events;
        b.events = e -> {
            extra.accept(e);
            original.accept(e);
        };
        b.owned.clear();
        return b.build();
    }

    private Builder toBuilder() {
        Builder b = new Builder();
        b.clusterName = clusterName;
        b.scheduler = scheduler;
        b.random = random;
        b.blockingExecutor = blockingExecutor;
        b.vipManager = vipManager;
        b.events = events;
        b.statsSources = statsSources;
        return b;
    }

    /**
     * Closes what this context owns: resources given to {@link Builder#owning}, the threads of a
     * {@link #standalone(String)} context, and the blocking pool {@link Builder#build()} created when none was
     * given. A scheduler or executor passed in from outside is left alone. Waits up to five seconds for an
     * owned blocking pool to finish.
     */
    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing thread pools does not fail in a way the caller could act on
            }
        }
        if (blockingExecutor.isShutdown()) {
            try {
                blockingExecutor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Builds a context; used by {@link HaCluster} and by tests of components. */
    public static final class Builder {
        private String clusterName = "ha4j";
        private Scheduler scheduler;
        private Random random = new Random();
        private ExecutorService blockingExecutor;
        private VipManager vipManager;
        private Consumer<HaEvent> events = e -> { };
        private Supplier<List<StatsSource>> statsSources = List::of;
        private final List<AutoCloseable> owned = new ArrayList<>();

        private Builder() {
        }

        public Builder clusterName(String name) {
            this.clusterName = Objects.requireNonNull(name, "clusterName");
            return this;
        }

        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Validation.notNull("scheduler", scheduler);
            return this;
        }

        public Builder random(Random random) {
            this.random = Validation.notNull("random", random);
            return this;
        }

        public Builder blockingExecutor(ExecutorService executor) {
            this.blockingExecutor = Validation.notNull("blockingExecutor", executor);
            return this;
        }

        public Builder vipManager(VipManager vipManager) {
            this.vipManager = vipManager;
            return this;
        }

        public Builder events(Consumer<HaEvent> sink) {
            this.events = Validation.notNull("events", sink);
            return this;
        }

        /** Resources closed with the context. */
        /** Where {@link ComponentContext#statsSources()} comes from; {@link HaCluster} lists its components. */
        public Builder statsSources(Supplier<List<StatsSource>> sources) {
            this.statsSources = Validation.notNull("statsSources", sources);
            return this;
        }

        public Builder owning(AutoCloseable resource) {
            owned.add(Validation.notNull("resource", resource));
            return this;
        }

        public ComponentContext build() {
            Validation.notNull("scheduler", scheduler);
            if (blockingExecutor == null) {
                ExecutorService pool = newBlockingExecutor(clusterName);
                blockingExecutor = pool;
                owned.add(pool::shutdownNow);
            }
            return new ComponentContext(this);
        }
    }
}
