package io.ha4j.proxy;

/**
 * A snapshot of one backend's state and counters (a row of HAProxy's {@code show stat}). Counters count
 * since the backend was added; bytes are {@code bytesIn} client → server and {@code bytesOut} server →
 * client, as HAProxy's {@code bin}/{@code bout}.
 *
 * @param name             backend name
 * @param address          {@code host:port}
 * @param backup           whether it is a backup server
 * @param status           {@code UP}, {@code DOWN}, {@code DRAIN} or {@code MAINT}
 * @param adminState       the state set by the admin API
 * @param up               the health checker's verdict
 * @param weight           the configured (runtime) weight, 0..256
 * @param effectiveWeight  the weight used now, lower than {@code weight} while slowstart ramps it up
 * @param activeConnections current connections ({@code scur})
 * @param peakConnections  highest {@code activeConnections} seen ({@code smax})
 * @param totalConnections connections ever sent here ({@code stot})
 * @param bytesIn          bytes relayed client → server ({@code bin})
 * @param bytesOut         bytes relayed server → client ({@code bout})
 * @param connectErrors    failed connect attempts ({@code econ})
 * @param retries          connect attempts retried after a failure here ({@code wretr})
 * @param redispatches     connections moved to another server after a failure here ({@code wredis})
 * @param killed           connections closed by the balancer: marked down, admin, shutdown deadline
 * @param health           the checker's counter in {@code [0, rise + fall - 1]} ({@code check_health})
 * @param rise             the checker's rise
 * @param fall             the checker's fall
 * @param check            the check's description
 * @param lastCheck        the latest check result in words, or empty before the first one
 * @param downTransitions  times the backend went from UP to DOWN ({@code chkdown})
 * @param secondsSinceChange seconds since the last status change ({@code lastchg}), or -1 if it never changed
 */
public record BackendStats(
        String name,
        String address,
        boolean backup,
        String status,
        BackendState adminState,
        boolean up,
        int weight,
        int effectiveWeight,
        int activeConnections,
        int peakConnections,
        long totalConnections,
        long bytesIn,
        long bytesOut,
        long connectErrors,
        long retries,
        long redispatches,
        long killed,
        int health,
        int rise,
        int fall,
        String check,
        String lastCheck,
        int downTransitions,
        long secondsSinceChange) {
}
