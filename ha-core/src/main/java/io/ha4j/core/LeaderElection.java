package io.ha4j.core;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The one election SPI a host codes against: "am I leader, since when, with which fencing token; tell me when it
 * changes". {@code VrrpInstance} implements it (MASTER is leadership) and so does {@code EtcdElection} (ha-etcd),
 * so the same controller code runs on either; the host picks the backend where it builds its {@link HaCluster}.
 *
 * <p>Semantics follow Curator's {@code LeaderLatch}: {@link #hasLeadership()} is a snapshot, {@link #await}
 * blocks until this node leads or a timeout passes, and {@link LeadershipListener}s hear every change (their
 * threading and race contract is stated there). What the fencing token is depends on the backend:
 * <ul>
 *   <li>VRRP: a local counter of this instance's transitions to MASTER. It only grows on this node, and tells a
 *       resource local to the node which term a write belongs to; VRRP has no shared store to order terms of
 *       different nodes.</li>
 *   <li>etcd: the revision at which the leader's election key was created. It only grows across the whole
 *       cluster, so any resource can fence writes of every node with it.</li>
 * </ul>
 */
public interface LeaderElection {

    /** The election's name (the component's name when it is one). */
    String name();

    /** The current term if this node leads now, or empty. */
    Optional<Leadership> leadership();

    /** Whether this node leads now; a snapshot that may be stale by the time it is used. */
    default boolean hasLeadership() {
        return leadership().isPresent();
    }

    /**
     * Blocks until this node leads, the timeout passes or the election closes.
     *
     * @return the term if this node leads, or empty on timeout or close
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    Optional<Leadership> awaitLeadership(Duration timeout) throws InterruptedException;

    /** Adds {@code listener}, called on the election's thread. */
    void addLeadershipListener(LeadershipListener listener);

    /** Adds {@code listener}, called through {@code executor}. */
    void addLeadershipListener(LeadershipListener listener, Executor executor);

    void removeLeadershipListener(LeadershipListener listener);
}
