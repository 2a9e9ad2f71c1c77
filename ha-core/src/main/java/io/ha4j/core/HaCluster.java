package io.ha4j.core;

import io.ha4j.core.internal.Listeners;
import io.ha4j.core.internal.Validation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: a set of {@link HaComponent}s (VRRP instances, TCP balancers, health checkers, the
 * user's own) that start and stop together.
 *
 * <pre>{@code
 * try (HaCluster cluster = HaCluster.builder()
 *         .name("apiserver-front")
 *         .add(HealthChecker.builder("self").check(HealthCheck.tcp("127.0.0.1", 6443)).build())
 *         .listener(event -> System.out.println(event))
 *         .build()) {
 *     cluster.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>Lifecycle (Curator's {@code LeaderLatch} rules): {@link #start()} once; {@link #close()} idempotent and
 * allowed before {@code start}. Components start phase by phase ({@link Phase}) in the order they were added
 * and stop in exactly the reverse order. If one fails to start, it and every component already started are
 * closed, and {@code start} throws {@link HaStartException} carrying close failures as suppressed errors.
 *
 * <p>Threads: unless {@link Builder#scheduler(Scheduler)} is given, the cluster owns one platform thread
 * ({@code ha4j-<name>-timer}) for timers and one cached pool for blocking work (health checks); both stop at
 * {@link #close()}. Listeners run on the thread that made the change unless added with an executor.
 */
public final class HaCluster implements AutoCloseable {

    /** Lifecycle of a cluster. */
    public enum State { LATENT, STARTED, CLOSED }

    private static final Logger LOG = LoggerFactory.getLogger(HaCluster.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final String name;
    private final Scheduler givenScheduler;
    private final Random random;
    private final VipManager vipManager;
    private final List<HaComponent> components;
    private final Listeners<HaListener> listeners = new Listeners<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Object lifecycleLock = new Object();
    private final List<HaComponent> started = new ArrayList<>();
    private ComponentContext context;

    private HaCluster(Builder b) {
        this.name = b.name;
        this.givenScheduler = b.scheduler;
        this.random = b.random != null ? b.random : new Random();
        this.vipManager = b.vipManager;
        List<HaComponent> sorted = new ArrayList<>(b.components);
        sorted.sort(Comparator.comparing(HaComponent::phase)); // stable: keeps add order within a phase
        this.components = List.copyOf(sorted);
        b.listeners.forEach((l, e) -> listeners.add(l, e));
    }

    public static Builder builder() {
        return new Builder();
    }

    public String name() {
        return name;
    }

    public State state() {
        return state.get();
    }

    /** The components in start order. */
    public List<HaComponent> components() {
        return components;
    }

    /** The component called {@code name}, if it has type {@code type}. */
    public <T extends HaComponent> Optional<T> component(String name, Class<T> type) {
        return components.stream()
                .filter(c -> c.name().equals(name) && type.isInstance(c))
                .map(type::cast)
                .findFirst();
    }

    /** The components that report numbers ({@link StatsSource}), in start order. */
    public List<StatsSource> statsSources() {
        List<StatsSource> out = new ArrayList<>();
        for (HaComponent c : components) {
            if (c instanceof StatsSource s) {
                out.add(s);
            }
        }
        return out;
    }

    public Optional<VipManager> vipManager() {
        return Optional.ofNullable(vipManager);
    }

    /** Adds a listener called on the thread that made the change. */
    public void addListener(HaListener listener) {
        listeners.add(listener);
    }

    /** Adds a listener called through {@code executor} (a single-threaded one keeps events in order). */
    public void addListener(HaListener listener, Executor executor) {
        listeners.add(listener, executor);
    }

    public void removeListener(HaListener listener) {
        listeners.remove(listener);
    }

    /**
     * Starts every component, phase by phase.
     *
     * @throws IllegalStateException if called more than once or after {@link #close()}, or if {@link #close()}
     *         was called from inside this call (by a component's {@code start} or a listener on this thread)
     * @throws HaStartException if a component failed to start; the cluster is then closed
     */
    public void start() {
        synchronized (lifecycleLock) {
            if (!state.compareAndSet(State.LATENT, State.STARTED)) {
                throw new IllegalStateException("start() may be called once, on a LATENT cluster; cluster '" + name
                        + "' is " + state.get());
            }
            context = newContext();
            publish(new HaEvent(name, "", "STARTING", "", context.clock().nanoTime()));
            for (HaComponent component : components) {
                ensureNotClosedDuringStart();
                try {
                    started.add(component); // closed on failure too, even half-started
                    component.start(context);
                } catch (Throwable t) {
                    HaStartException failure = new HaStartException(component.name(), t);
                    closeStarted(failure);
                    state.set(State.CLOSED);
                    publish(new HaEvent(name, "STARTING", "CLOSED", failure.getMessage(), context.clock().nanoTime()));
                    closeContext();
                    throw failure;
                }
            }
            ensureNotClosedDuringStart();
            publish(new HaEvent(name, "STARTING", "STARTED", "", context.clock().nanoTime()));
        }
    }

    /**
     * A component or a listener on the starting thread may call {@link #close()} from inside {@code start()}
     * (the lock is re-entrant); that close already stopped what had started, so starting must not go on.
     */
    private void ensureNotClosedDuringStart() {
        if (state.get() != State.STARTED) {
            throw new IllegalStateException("cluster '" + name + "' was closed during start(); the components"
                    + " started so far have been closed");
        }
    }

    /**
     * Stops every started component in reverse start order, then the cluster's own threads. Idempotent;
     * allowed before {@link #start()}. Failures of components while closing are logged, and the others
     * are still closed.
     */
    @Override
    public void close() {
        synchronized (lifecycleLock) {
            State previous = state.getAndSet(State.CLOSED);
            if (previous != State.STARTED) {
                return;
            }
            closeStarted(null);
            publish(new HaEvent(name, "STARTED", "CLOSED", "", context.clock().nanoTime()));
            closeContext();
        }
    }

    private void closeStarted(Throwable collectInto) {
        for (int i = started.size() - 1; i >= 0; i--) {
            HaComponent component = started.get(i);
            try {
                component.close();
            } catch (Throwable t) {
                LOG.error("Cluster '{}': component '{}' failed to close", name, component.name(), t);
                if (collectInto != null) {
                    collectInto.addSuppressed(t);
                }
            }
        }
        started.clear();
    }

    private ComponentContext newContext() {
        ComponentContext.Builder b = ComponentContext.builder()
                .clusterName(name)
                .random(random)
                .vipManager(vipManager)
                .events(this::publish)
                .statsSources(this::statsSources);
        if (givenScheduler != null) {
            b.scheduler(givenScheduler);
        } else {
            SystemScheduler own = Scheduler.newSingleThread("ha4j-" + name + "-timer");
            b.scheduler(own).owning(own);
        }
        ExecutorService blocking = ComponentContext.newBlockingExecutor("ha4j-" + name);
        return b.blockingExecutor(blocking).owning(blocking::shutdownNow).build();
    }

    private void closeContext() {
        if (context != null) {
            context.close();
        }
    }

    private void publish(HaEvent event) {
        listeners.forEach(l -> l.onEvent(event));
    }

    @Override
    public String toString() {
        return "HaCluster[" + name + ", " + state.get() + ", " + components.size() + " components]";
    }

    /**
     * Builds an {@link HaCluster}. Options are set once (a second call throws {@link IllegalStateException});
     * everything is validated at {@link #build()}, with messages that name the option.
     */
    public static final class Builder {
        private String name;
        private Scheduler scheduler;
        private Random random;
        private VipManager vipManager;
        private final List<HaComponent> components = new ArrayList<>();
        private final java.util.LinkedHashMap<HaListener, Executor> listeners = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        /** Name used in thread names, events and logs: 1–64 of {@code [A-Za-z0-9._-]}. Default {@code ha4j}. */
        public Builder name(String name) {
            Validation.setOnce("name", this.name);
            Validation.notNull("name", name);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "name must be 1-64 characters of [A-Za-z0-9._-] starting with a letter or digit, was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * The scheduler (and so the clock) for every timer of every component. Default: a dedicated platform
         * thread owned by the cluster. Tests pass a {@link io.ha4j.core.testing.ManualScheduler}. A given
         * scheduler is not closed by the cluster.
         */
        public Builder scheduler(Scheduler scheduler) {
            Validation.setOnce("scheduler", this.scheduler);
            this.scheduler = Validation.notNull("scheduler", scheduler);
            return this;
        }

        /** The random source for every jitter (health-check spreading). Default: {@code new Random()}. */
        public Builder random(Random random) {
            Validation.setOnce("random", this.random);
            this.random = Validation.notNull("random", random);
            return this;
        }

        /** How VIPs are added and removed: the Linux one from ha-netlink, or {@link InMemoryVipManager}. */
        public Builder vipManager(VipManager vipManager) {
            Validation.setOnce("vipManager", this.vipManager);
            this.vipManager = Validation.notNull("vipManager", vipManager);
            return this;
        }

        /** Adds a component; names must be unique within the cluster. */
        public Builder add(HaComponent component) {
            components.add(Validation.notNull("component", component));
            return this;
        }

        /** A listener for every event, called on the thread that made the change. */
        public Builder listener(HaListener listener) {
            return listener(listener, Runnable::run);
        }

        /** A listener for every event, called through {@code executor}. */
        public Builder listener(HaListener listener, Executor executor) {
            listeners.put(Validation.notNull("listener", listener), Validation.notNull("executor", executor));
            return this;
        }

        public HaCluster build() {
            if (name == null) {
                name = "ha4j";
            }
            Set<String> names = new HashSet<>();
            for (HaComponent c : components) {
                String n = Validation.notNull("component name", c.name());
                if (!names.add(n)) {
                    throw new IllegalArgumentException("component names must be unique; '" + n + "' was added twice");
                }
                Validation.notNull("phase of component '" + n + "'", c.phase());
            }
            return new HaCluster(this);
        }
    }
}
