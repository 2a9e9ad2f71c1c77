package io.ha4j.proxy;

import java.util.List;

/**
 * A snapshot of a {@link TcpBalancer}: its frontend counters and one {@link BackendStats} per backend.
 *
 * @param name              the balancer's name
 * @param frontends         bound listening addresses, {@code host:port}
 * @param balance           the selection algorithm
 * @param transport         {@code epoll} or {@code nio}
 * @param activeConnections current client connections ({@code scur} of the frontend)
 * @param peakConnections   highest {@code activeConnections} seen
 * @param maxConnections    the configured limit ({@code maxconn})
 * @param totalConnections  client connections accepted
 * @param bytesIn           bytes received from clients
 * @param bytesOut          bytes sent to clients
 * @param refused           clients closed at once because no server was available or every attempt failed
 * @param closedOnVipLeave  client connections ended because the VIP they arrived on left this node (a VRRP handover)
 * @param handshakesDroppedFor VIPs whose new clients are dropped now (leaving this node in a planned VRRP move; see
 *                          {@link TcpBalancer#handshakesDroppedFor()}), as addresses
 * @param backendsUp        backends that are up and ready
 * @param backends          one entry per backend, in declaration order
 */
public record BalancerStats(
        String name,
        List<String> frontends,
        Balance balance,
        String transport,
        int activeConnections,
        int peakConnections,
        int maxConnections,
        long totalConnections,
        long bytesIn,
        long bytesOut,
        long refused,
        long closedOnVipLeave,
        List<String> handshakesDroppedFor,
        int backendsUp,
        List<BackendStats> backends) {

    public BalancerStats {
        frontends = List.copyOf(frontends);
        handshakesDroppedFor = List.copyOf(handshakesDroppedFor);
        backends = List.copyOf(backends);
    }

    /** The entry of backend {@code name}, or {@code null}. */
    public BackendStats backend(String name) {
        for (BackendStats b : backends) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        return null;
    }
}
