package io.ha4j.proxy;

import io.ha4j.core.CheckResult;
import io.ha4j.core.HealthChecker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Builds the {@link BalancerStats} snapshot of one balancer from its live counters and states. */
final class StatsSnapshot {

    private StatsSnapshot() {
    }

    static BalancerStats of(BalancerConfig config, ServerPool pool, FrontendCounters frontend, List<InetSocketAddress> bound,
                            String transport, Collection<InetAddress> gatedVips) {
        long now = pool.clock().nanoTime();
        List<BackendStats> rows = new ArrayList<>();
        int up = 0;
        for (Server s : pool.servers()) {
            HealthChecker c = s.checker;
            CheckResult last = c == null ? null : c.lastResult();
            long eweight = s.isAvailable() ? s.effectiveWeight(now, pool.slowStartNanos()) : 0;
            if (s.isAvailable() && s.weight > 0) {
                up++;
            }
            rows.add(new BackendStats(
                    s.name,
                    AbstractSession.format(s.address),
                    s.backup,
                    s.status(),
                    s.adminState,
                    s.up,
                    s.weight,
                    (int) ((eweight + Server.WEIGHT_SCALE - 1) / Server.WEIGHT_SCALE),
                    s.active.get(),
                    s.maxActive.get(),
                    s.total.sum(),
                    s.bytesIn.sum(),
                    s.bytesOut.sum(),
                    s.connectErrors.sum(),
                    s.retries.sum(),
                    s.redispatches.sum(),
                    s.killed.sum(),
                    c == null ? 0 : c.health(),
                    c == null ? 0 : c.rise(),
                    c == null ? 0 : c.fall(),
                    c == null ? "" : c.check().description(),
                    last == null ? "" : last.toString(),
                    s.downTransitions.get(),
                    s.lastChangeNanos == 0 ? -1 : TimeUnit.NANOSECONDS.toSeconds(now - s.lastChangeNanos)));
        }
        List<String> fronts = new ArrayList<>();
        for (InetSocketAddress a : bound) {
            fronts.add(AbstractSession.format(a));
        }
        List<String> gated = new ArrayList<>();
        for (InetAddress a : gatedVips) {
            gated.add(a.getHostAddress());
        }
        return new BalancerStats(config.name(), fronts, config.balance(), transport, frontend.active.get(), frontend.maxActive.get(),
                config.maxConnections(), frontend.total.sum(), frontend.bytesIn.sum(), frontend.bytesOut.sum(),
                frontend.refused.sum(), frontend.closedOnVipLeave.sum(), gated, up, rows);
    }
}
