package io.ha4j.proxy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counters of a balancer's frontend (all its listening addresses together). */
final class FrontendCounters {
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger maxActive = new AtomicInteger();
    final LongAdder total = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    /** Clients closed at once because no server was available (or all connect attempts failed). */
    final LongAdder refused = new LongAdder();
    /** Client connections ended because the VIP they arrived on left this node ({@link TcpBalancer.Builder#vipLeaveDrain}). */
    final LongAdder closedOnVipLeave = new LongAdder();
    /** Times accepting was paused because {@code maxConnections} was reached. */
    final LongAdder acceptPauses = new LongAdder();

    int opened() {
        int now = active.incrementAndGet();
        total.increment();
        int max;
        while (now > (max = maxActive.get()) && !maxActive.compareAndSet(max, now)) {
            // raised by another thread; read again
        }
        return now;
    }
}
