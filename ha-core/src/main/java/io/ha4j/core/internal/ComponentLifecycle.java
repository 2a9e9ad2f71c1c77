package io.ha4j.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle every ha4j component shares (Curator's {@code LeaderLatch} rules): LATENT, then STARTED once,
 * then CLOSED for good.
 *
 * <ul>
 *   <li>{@link #start(StartBody)} runs once, from LATENT; a second call, or a call after {@link #close()}, throws
 *       {@link IllegalStateException} naming the component.</li>
 *   <li>Whatever the start body acquires, it registers with {@link #acquired(AutoCloseable)}; {@link #close()}
 *       releases it in the reverse order. A start body that throws is closed the same way before the exception
 *       goes on, so a failed start leaves nothing behind (threads, sockets, listeners, VIPs).</li>
 *   <li>{@link #close()} is idempotent and allowed from any state and any thread, also while the start body runs
 *       on another thread: what is acquired after that is released at once, and {@link #acquired} throws so that
 *       the start stops there.</li>
 * </ul>
 *
 * <pre>{@code
 * public void start(ComponentContext context) throws IOException {
 *     lifecycle.start(() -> {
 *         transport = lifecycle.acquired(openTransport());
 *         lifecycle.acquired(() -> vipManager.removeListener(vipListener));
 *         ...
 *     });
 * }
 * public void close() { lifecycle.close(); }
 * }</pre>
 *
 * <p>A failure while releasing one resource is logged and the others are still released. Internal: not API.
 */
public final class ComponentLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ComponentLifecycle.class);

    /** Where a component is in its life. */
    public enum State {
        LATENT,
        STARTED,
        CLOSED
    }

    /** The start work of a component; may throw {@code E} (e.g. {@link java.io.IOException}). */
    @FunctionalInterface
    public interface StartBody<E extends Exception> {
        void run() throws E;
    }

    private final String component;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private volatile State state = State.LATENT;

    /**
     * @param component how errors name the component, e.g. {@code "VRRP instance 'VI_1'"}
     */
    public ComponentLifecycle(String component) {
        this.component = Objects.requireNonNull(component, "component");
    }

    /**
     * Moves LATENT to STARTED and runs {@code body}; if {@code body} throws, closes (releasing what it acquired)
     * and rethrows.
     *
     * @throws IllegalStateException if started before or closed
     */
    public <E extends Exception> void start(StartBody<E> body) throws E {
        Objects.requireNonNull(body, "body");
        synchronized (this) {
            if (state == State.CLOSED) {
                throw new IllegalStateException(component + " is closed");
            }
            if (state == State.STARTED) {
                throw new IllegalStateException(component + " can be started once");
            }
            state = State.STARTED;
        }
        try {
            body.run();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Registers {@code resource} to be closed by {@link #close()} (last acquired, first released) and returns it.
     * If the component was closed meanwhile, closes it at once and throws.
     *
     * @throws IllegalStateException if closed (the resource has been released)
     */
    public <T extends AutoCloseable> T acquired(T resource) {
        Objects.requireNonNull(resource, "resource");
        synchronized (this) {
            if (state != State.CLOSED) {
                resources.add(resource);
                return resource;
            }
        }
        release(resource);
        throw new IllegalStateException(component + " was closed while starting");
    }

    /**
     * Moves to CLOSED and releases every acquired resource in reverse order. Idempotent.
     *
     * @return whether this call closed the component (false if it was closed already)
     */
    public boolean close() {
        List<AutoCloseable> toRelease;
        synchronized (this) {
            if (state == State.CLOSED) {
                return false;
            }
            state = State.CLOSED;
            toRelease = new ArrayList<>(resources);
            resources.clear();
        }
        for (int i = toRelease.size() - 1; i >= 0; i--) {
            release(toRelease.get(i));
        }
        return true;
    }

    public State state() {
        return state;
    }

    public boolean isStarted() {
        return state == State.STARTED;
    }

    public boolean isClosed() {
        return state == State.CLOSED;
    }

    private void release(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            LOG.error("{}: releasing {} failed", component, resource, e);
        }
    }

    @Override
    public String toString() {
        return component + " " + state;
    }
}
