package io.ha4j.core;

import java.util.Objects;

/**
 * A state change of a component or a health check, as one uniform record for cluster-wide listeners
 * (printing a timeline, metrics). Components also offer typed listeners of their own.
 *
 * <p>States are the component's own names ({@code "MASTER"}, {@code "UP"}, {@code "RUNNING"}, ...);
 * {@code previousState} is empty for the first event of a component.
 */
public final class HaEvent {

    private final String source;
    private final String previousState;
    private final String state;
    private final String reason;
    private final long nanoTime;

    public HaEvent(String source, String previousState, String state, String reason, long nanoTime) {
        this.source = Objects.requireNonNull(source, "source");
        this.previousState = previousState == null ? "" : previousState;
        this.state = Objects.requireNonNull(state, "state");
        this.reason = reason == null ? "" : reason;
        this.nanoTime = nanoTime;
    }

    /** Name of the component or health check that changed. */
    public String source() {
        return source;
    }

    public String previousState() {
        return previousState;
    }

    public String state() {
        return state;
    }

    /** Why, in words (e.g. {@code "3 consecutive failures: connect refused"}); may be empty. */
    public String reason() {
        return reason;
    }

    /** When, on the cluster's {@link Clock}. */
    public long nanoTime() {
        return nanoTime;
    }

    @Override
    public String toString() {
        return source + ": " + (previousState.isEmpty() ? "" : previousState + " -> ") + state
                + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
