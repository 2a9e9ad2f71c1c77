package io.ha4j.core;

/**
 * Receives every {@link HaEvent} of a cluster.
 *
 * <p>Contract: called on the thread that made the change (a scheduler thread or a Netty event loop) unless
 * the listener was added with an executor. It must return quickly and must not block; anything it throws
 * is logged and contained. Events of one source arrive in order when the listener runs on the calling
 * thread or on a single-threaded executor. By the time it runs the state may already have moved on; a
 * later event will say so.
 */
@FunctionalInterface
public interface HaListener {

    void onEvent(HaEvent event);
}
