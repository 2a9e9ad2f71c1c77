package io.ha4j.core;

/**
 * Told when this node gains or loses leadership in a {@link LeaderElection} (Curator's
 * {@code LeaderLatchListener} shape).
 *
 * <p>Contract:
 * <ul>
 *   <li>Called on the election's own thread (named in each implementation's Javadoc) unless the listener was
 *       added with an executor; it must not block there. Callbacks of one election arrive in order on that
 *       thread or on a single-threaded executor.</li>
 *   <li>By the time a callback runs the state may already have changed: {@link LeaderElection#hasLeadership()}
 *       may be false inside {@link #isLeader}. The opposite callback always follows, so act on the latest call,
 *       not on a snapshot, and guard writes with the {@linkplain Leadership#token() token}.</li>
 *   <li>{@link #notLeader} is called for every {@link #isLeader}, including when the election is closed while
 *       leading (then on the thread that called {@code close()}).</li>
 *   <li>A listener that throws is logged and contained; it never stops the election.</li>
 * </ul>
 */
public interface LeadershipListener {

    /** This node became leader for the term described by {@code leadership}. */
    void isLeader(Leadership leadership);

    /** This node is no longer leader (it lost, stepped down, or the election closed). */
    void notLeader();
}
