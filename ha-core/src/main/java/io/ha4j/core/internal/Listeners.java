package io.ha4j.core.internal;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listener registry in the style of Curator's {@code MappingListenerManager}: each listener has its own
 * executor (the calling thread by default), and a listener that throws is logged and contained, so it can
 * never stop the engine that notifies it.
 */
public final class Listeners<L> {

    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final Map<L, Executor> listeners = new ConcurrentHashMap<>();

    /** Adds {@code listener}, called on the notifying thread. */
    public void add(L listener) {
        add(listener, Runnable::run);
    }

    /** Adds {@code listener}, called through {@code executor}. */
    public void add(L listener, Executor executor) {
        listeners.put(Objects.requireNonNull(listener, "listener"), Objects.requireNonNull(executor, "executor"));
    }

    public void remove(L listener) {
        listeners.remove(listener);
    }

    public boolean isEmpty() {
        return listeners.isEmpty();
    }

    public int size() {
        return listeners.size();
    }

    /** Calls {@code call} for every listener on its executor; throwing listeners are logged and contained. */
    public void forEach(Consumer<? super L> call) {
        for (Map.Entry<L, Executor> entry : listeners.entrySet()) {
            L listener = entry.getKey();
            Runnable notification = () -> {
                try {
                    call.accept(listener);
                } catch (Throwable t) {
                    LOG.error("Listener ({}) threw an exception", listener, t);
                }
            };
            try {
                entry.getValue().execute(notification);
            } catch (RejectedExecutionException e) {
                LOG.warn("Executor of listener ({}) rejected a notification", listener, e);
            }
        }
    }
}
