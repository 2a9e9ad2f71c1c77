package io.ha4j.proxy;

/**
 * How a {@link TcpBalancer} picks the backend for a new client connection (HAProxy's {@code balance}).
 * Every algorithm honours weights (0 = drain: no new connections), skips servers that are down, drained or
 * disabled, and uses backup servers only when no primary server can take the connection.
 */
public enum Balance {

    /**
     * Weighted round robin, smooth (a server of weight 3 next to one of weight 1 gets A A B A, not A A A B),
     * dynamic: runtime weight changes and slowstart take effect at the next pick. HAProxy's {@code roundrobin};
     * the default.
     */
    ROUND_ROBIN,

    /**
     * The server with the fewest active connections relative to its weight ({@code active / weight}); ties go
     * round robin. HAProxy's {@code leastconn}: best for long-lived connections (watches, HTTP/2), because it
     * evens load out again after a server returns.
     */
    LEAST_CONNECTIONS,

    /**
     * A hash of the client's IP address over the weighted set of available servers, so that a client keeps
     * reaching the same server while the set does not change (HAProxy's {@code source} with
     * {@code hash-type map-based}).
     */
    SOURCE,

    /**
     * Two servers drawn at random in proportion to their weights; the one with fewer active connections
     * relative to its weight wins (HAProxy's {@code random(2)}, "power of two choices").
     */
    RANDOM_OF_TWO
}
