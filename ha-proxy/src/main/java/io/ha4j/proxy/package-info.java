/**
 * An L4 TCP balancer on Netty, HAProxy's {@code mode tcp} inside a Java process: {@link io.ha4j.proxy.TcpBalancer}
 * (frontends, the relay, balancing, health-checked backends, timeouts, stats and runtime admin),
 * {@link io.ha4j.proxy.Backend} (one server), {@link io.ha4j.proxy.Balance} (algorithms) and the stats
 * snapshots. Classes not public here are internal.
 */
package io.ha4j.proxy;
