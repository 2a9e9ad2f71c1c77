package io.ha4j.core;

import java.util.Objects;

/**
 * A state change of a component or a health check, as one uniform record for cluster-wide listeners
 * (printing a timeline, metrics), or another milestone of a component that a host acts on ({@link #kind()}).
 * Components also offer typed listeners of their own.
 *
 * <p>States are the component's own names ({@code "MASTER"}, {@code "UP"}, {@code "RUNNING"}, ...);
 * {@code previousState} is empty for the first event of a component.
 */
public final class HaEvent {

    /** What an event reports. */
    public enum Kind {
        /** The source moved from {@link #previousState()} to {@link #state()}. */
        STATE_CHANGE,
        /**
         * A planned handover of the source (a VRRP instance that stopped, stepped down or was preempted) is complete:
         * its VIPs are removed, so the next node serves them. No state change: {@link #previousState()} and
         * {@link #state()} are both the state the source is in, and {@link #reason()} says whether the new master was
         * heard (the VRRP instance's {@code VrrpListener.onHandoverCompleted} is the typed form).
         */
        HANDOVER_COMPLETED
    }

    private final Kind kind;
    private final String source;
    private final String previousState;
    private final String state;
    private final String reason;
    private final long nanoTime;

    /** A {@link Kind#STATE_CHANGE}. */
    public HaEvent(String source, String previousState, String state, String reason, long nanoTime) {
        this(Kind.STATE_CHANGE, source, previousState, state, reason, nanoTime);
    }

    public HaEvent(Kind kind, String source, String previousState, String state, String reason, long nanoTime) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.source = Objects.requireNonNull(source, "source");
        this.previousState = previousState == null ? "" : previousState;
        this.state = Objects.requireNonNull(state, "state");
        this.reason = reason == null ? "" : reason;
        this.nanoTime = nanoTime;
    }

    public Kind kind() {
        return kind;
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
        String what = kind == Kind.HANDOVER_COMPLETED ? "handover completed in " + state
                : (previousState.isEmpty() ? "" : previousState + " -> ") + state;
        return source + ": " + what + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
