package io.ha4j.core;

/**
 * When a component starts relative to the others. {@link HaCluster} starts components phase by phase in
 * this order (within a phase, in the order they were added) and stops them in exactly the reverse order.
 *
 * <p>The order is keepalived's and HAProxy's together: leftover VIPs are removed before anything else,
 * health checks run before the balancers that use them, and VRRP starts last so that a node only claims
 * the VIP once its balancer listens; at stop VRRP goes first (priority 0, VIPs released) so that clients
 * move to another node before the balancer stops.
 */
public enum Phase {
    /** Removing VIPs left behind by a crashed run. */
    VIP_CLEANUP,
    /** Health checkers. */
    HEALTH_CHECKS,
    /** TCP balancers and other servers. */
    BALANCERS,
    /** VRRP instances and sync groups. */
    VRRP,
    /** The user's own components that react to mastership (started last, stopped first). */
    APPLICATION
}
