package io.ha4j.proxy;

/**
 * The administrative state of a backend, set through the runtime admin API (HAProxy's
 * {@code set server <b>/<s> state ready|drain|maint}). It is independent of health: a backend takes new
 * connections only when it is {@link #READY}, up, and of weight &gt; 0.
 */
public enum BackendState {

    /** Takes new connections when healthy. */
    READY,

    /** Takes no new connections; established ones continue; still health checked. */
    DRAIN,

    /**
     * Disabled ("maintenance"): takes no new connections; established ones continue. Unlike HAProxy, health
     * checks keep running, so that {@code enable} shows the current health at once instead of starting from
     * an unknown state.
     */
    MAINT
}
