package io.ha4j.proxy;

import io.ha4j.core.Clock;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The set of servers and the selection algorithms. Selection happens once per client connection (not per
 * message), under this pool's lock, so that the round-robin state stays consistent across event loops;
 * the lock is held for one pass over the servers.
 *
 * <p>Candidates: available primary servers with an effective weight &gt; 0. When there are none, backup
 * servers are used instead: the first available one in declaration order, or all of them with
 * {@code allBackups} (HAProxy's {@code option allbackups}).
 */
final class ServerPool {

    private final Balance balance;
    private final Clock clock;
    private final Random random;
    private final long slowStartNanos;
    private final boolean allBackups;

    private volatile Server[] servers = new Server[0];
    private long[] scratchWeights = new long[0];
    private int cursor;

    ServerPool(Balance balance, Clock clock, Random random, long slowStartNanos, boolean allBackups) {
        this.balance = balance;
        this.clock = clock;
        this.random = random;
        this.slowStartNanos = slowStartNanos;
        this.allBackups = allBackups;
    }

    Balance balance() {
        return balance;
    }

    long slowStartNanos() {
        return slowStartNanos;
    }

    Clock clock() {
        return clock;
    }

    List<Server> servers() {
        return List.of(servers);
    }

    Server find(String name) {
        for (Server s : servers) {
            if (s.name.equals(name)) {
                return s;
            }
        }
        return null;
    }

    synchronized void add(Server server) {
        if (find(server.name) != null) {
            throw new IllegalArgumentException("backend '" + server.name + "' already exists");
        }
        Server[] next = Arrays.copyOf(servers, servers.length + 1);
        next[next.length - 1] = server;
        servers = next;
        scratchWeights = new long[next.length];
    }

    synchronized Server remove(String name) {
        Server found = find(name);
        if (found == null) {
            return null;
        }
        List<Server> rest = new ArrayList<>(List.of(servers));
        rest.remove(found);
        servers = rest.toArray(new Server[0]);
        scratchWeights = new long[servers.length];
        found.removed = true;
        return found;
    }

    /** Whether any server could take a new connection now. */
    boolean anyAvailable() {
        long now = clock.nanoTime();
        for (Server s : servers) {
            if (s.isAvailable() && s.effectiveWeight(now, slowStartNanos) > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Picks a server for a client, or {@code null} when none is available. Servers in {@code avoid} (those a
     * connection already failed to reach) are skipped; pass {@code null} to consider all.
     */
    Server select(InetAddress client, List<Server> avoid) {
        long now = clock.nanoTime();
        synchronized (this) {
            Server[] all = servers;
            long[] w = scratchWeights;
            boolean primaries = fillWeights(all, w, now, false, avoid);
            if (!primaries && !fillWeights(all, w, now, true, avoid)) {
                return null;
            }
            switch (balance) {
                case LEAST_CONNECTIONS:
                    return leastConnections(all, w);
                case SOURCE:
                    return sourceHash(all, w, client);
                case RANDOM_OF_TWO:
                    return randomOfTwo(all, w);
                default:
                    return roundRobin(all, w);
            }
        }
    }

    /** Writes each server's weight into {@code w} (0 = not a candidate); returns whether any is positive. */
    private boolean fillWeights(Server[] all, long[] w, long now, boolean backups, List<Server> avoid) {
        boolean any = false;
        for (int i = 0; i < all.length; i++) {
            Server s = all[i];
            long weight = 0;
            if (s.backup == backups && s.isAvailable() && (avoid == null || !avoid.contains(s))) {
                weight = s.effectiveWeight(now, slowStartNanos);
            }
            if (backups && any && !allBackups) {
                weight = 0; // only the first available backup
            }
            w[i] = weight;
            any |= weight > 0;
        }
        return any;
    }

    /** Smooth weighted round robin (as nginx): every candidate earns its weight, the richest pays the total. */
    private Server roundRobin(Server[] all, long[] w) {
        long totalWeight = 0;
        Server best = null;
        for (int i = 0; i < all.length; i++) {
            if (w[i] == 0) {
                continue;
            }
            Server s = all[i];
            s.rrCurrent += w[i];
            totalWeight += w[i];
            if (best == null || s.rrCurrent > best.rrCurrent) {
                best = s;
            }
        }
        best.rrCurrent -= totalWeight;
        return best;
    }

    /** Fewest {@code active / weight}; the scan starts one further each time so that ties rotate. */
    private Server leastConnections(Server[] all, long[] w) {
        int n = all.length;
        int start = Math.floorMod(cursor++, n);
        Server best = null;
        long bestActive = 0;
        long bestWeight = 1;
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            if (w[i] == 0) {
                continue;
            }
            long a = all[i].active.get();
            if (best == null || a * bestWeight < bestActive * w[i]) {
                best = all[i];
                bestActive = a;
                bestWeight = w[i];
            }
        }
        return best;
    }

    private Server sourceHash(Server[] all, long[] w, InetAddress client) {
        long totalWeight = 0;
        for (long x : w) {
            totalWeight += x;
        }
        int h = client == null ? 0 : mix(Arrays.hashCode(client.getAddress()));
        long point = Integer.toUnsignedLong(h) % totalWeight;
        return byCumulativeWeight(all, w, point);
    }

    private Server randomOfTwo(Server[] all, long[] w) {
        long totalWeight = 0;
        for (long x : w) {
            totalWeight += x;
        }
        Server a = byCumulativeWeight(all, w, (long) (random.nextDouble() * totalWeight));
        Server b = byCumulativeWeight(all, w, (long) (random.nextDouble() * totalWeight));
        if (a == b) {
            return a;
        }
        long wa = weightOf(all, w, a);
        long wb = weightOf(all, w, b);
        // fewer active per unit of weight wins; a tie keeps the first draw
        return (long) b.active.get() * wa < (long) a.active.get() * wb ? b : a;
    }

    private static long weightOf(Server[] all, long[] w, Server s) {
        for (int i = 0; i < all.length; i++) {
            if (all[i] == s) {
                return w[i];
            }
        }
        return 1;
    }

    private static Server byCumulativeWeight(Server[] all, long[] w, long point) {
        long acc = 0;
        Server last = null;
        for (int i = 0; i < all.length; i++) {
            if (w[i] == 0) {
                continue;
            }
            acc += w[i];
            last = all[i];
            if (point < acc) {
                return all[i];
            }
        }
        return last;
    }

    /** Murmur3's finaliser: spreads addresses that differ only in their last bits. */
    static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
