package io.ha4j.vrrp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last {@value #KEPT} state transitions of an instance, for the stats page (keepalived keeps none: an operator
 * greps the log). Written with the instance's lock held; read with it held too.
 */
final class VrrpTransitions {

    static final int KEPT = 8;

    private final VrrpState[] from = new VrrpState[KEPT];
    private final VrrpState[] to = new VrrpState[KEPT];
    private final String[] reason = new String[KEPT];
    private final long[] at = new long[KEPT];
    private long count;

    void add(VrrpState from, VrrpState to, String reason, long now) {
        int i = (int) (count % KEPT);
        this.from[i] = from;
        this.to[i] = to;
        this.reason[i] = reason;
        this.at[i] = now;
        count++;
    }

    long count() {
        return count;
    }

    /** Nanoseconds at which the newest transition happened, or -1 without one. */
    long lastAt() {
        return count == 0 ? -1 : at[(int) ((count - 1) % KEPT)];
    }

    /** Newest first: from, to, reason and secondsAgo of each. */
    List<Object> snapshot(long now) {
        List<Object> out = new ArrayList<>(KEPT);
        for (long n = count - 1; n >= 0 && n >= count - KEPT; n--) {
            int i = (int) (n % KEPT);
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("from", from[i].name());
            t.put("to", to[i].name());
            t.put("reason", reason[i]);
            t.put("secondsAgo", Math.max(0, (now - at[i]) / 1_000_000_000L));
            out.add(t);
        }
        return out;
    }
}
