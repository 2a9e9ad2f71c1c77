package io.ha4j.core.internal;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listener registry in the style of Curator's {@code MappingListenerManager}: each listener has its own
 * executor (the calling thread by default), and a listener that throws is logged and contained, so it can
 * never stop the engine that notifies it. Listeners are called in the order they were added; adding one
 * again replaces its executor and keeps its place.
 */
public final class Listeners<L> {

    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final CopyOnWriteArrayList<Registration<L>> listeners = new CopyOnWriteArrayList<>();

    /** Adds {@code listener}, called on the notifying thread. */
    public void add(L listener) {
        add(listener, Runnable::run);
    }

    /** Adds {@code listener}, called through {@code executor}. */
    public synchronized void add(L listener, Executor executor) {
        Registration<L> registration = new Registration<>(Objects.requireNonNull(listener, "listener"),
                Objects.requireNonNull(executor, "executor"));
        for (int i = 0; i < listeners.size(); i++) {
            if (listeners.get(i).listener.equals(listener)) {
                listeners.set(i, registration);
                return;
            }
        }
        listeners.add(registration);
    }

    public synchronized void remove(L listener) {
        listeners.removeIf(r -> r.listener.equals(listener));
    }

    public boolean isEmpty() {
        return listeners.isEmpty();
    }

    public int size() {
        return listeners.size();
    }

    /** Calls {@code call} for every listener on its executor; throwing listeners are logged and contained. */
    public void forEach(Consumer<? super L> call) {
        for (Registration<L> registration : listeners) {
            L listener = registration.listener;
            Runnable notification = () -> {
                try {
                    call.accept(listener);
                } catch (Throwable t) {
                    LOG.error("Listener ({}) threw an exception", listener, t);
                }
            };
            try {
                registration.executor.execute(notification);
            } catch (RejectedExecutionException e) {
                LOG.warn("Executor of listener ({}) rejected a notification", listener, e);
            }
        }
    }

    private static final class Registration<L> {
        final L listener;
        final Executor executor;

        Registration(L listener, Executor executor) {
            this.listener = listener;
            this.executor = executor;
        }
    }
}
