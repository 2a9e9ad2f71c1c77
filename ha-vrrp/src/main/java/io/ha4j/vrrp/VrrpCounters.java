package io.ha4j.vrrp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Live counters of one instance (keepalived's {@code stats} in its JSON dump). Readable from any thread;
 * incremented without allocation on the scheduler thread and, for {@link DropReason#QUEUE_FULL}, on the
 * transport's thread.
 */
public final class VrrpCounters {

    private static final DropReason[] REASONS = DropReason.values();

    private final AtomicLong advertsSent = new AtomicLong();
    private final AtomicLong advertsReceived = new AtomicLong();
    private final AtomicLong priorityZeroSent = new AtomicLong();
    private final AtomicLong priorityZeroReceived = new AtomicLong();
    private final AtomicLong becameMaster = new AtomicLong();
    private final AtomicLong releasedMaster = new AtomicLong();
    private final AtomicLong addressListMismatch = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong answersSuppressed = new AtomicLong();
    private final AtomicLong handovers = new AtomicLong();
    private final AtomicLong handoversUnheard = new AtomicLong();
    private final AtomicLongArray dropped = new AtomicLongArray(REASONS.length);

    VrrpCounters() {
    }

    /** Adverts handed to the transport (one per unicast peer). */
    public long advertsSent() {
        return advertsSent.get();
    }

    /** Adverts that passed every receive check. */
    public long advertsReceived() {
        return advertsReceived.get();
    }

    public long priorityZeroSent() {
        return priorityZeroSent.get();
    }

    public long priorityZeroReceived() {
        return priorityZeroReceived.get();
    }

    /** Transitions into MASTER. */
    public long becameMaster() {
        return becameMaster.get();
    }

    /** Transitions out of MASTER. */
    public long releasedMaster() {
        return releasedMaster.get();
    }

    /** Accepted adverts whose address list differs from ours (logged, not dropped, as keepalived). */
    public long addressListMismatch() {
        return addressListMismatch.get();
    }

    /** Sends the transport refused. */
    public long sendErrors() {
        return sendErrors.get();
    }

    /**
     * Lower-priority or priority-0 adverts a master did not answer because it had answered one within the last advert
     * interval (a flood, or a misconfigured peer); see {@code VrrpStateMachine}'s "never packet for packet" rule.
     */
    public long answersSuppressed() {
        return answersSuppressed.get();
    }

    public long dropped(DropReason reason) {
        return dropped.get(reason.ordinal());
    }

    /** Sum of all drop reasons. */
    public long droppedTotal() {
        long total = 0;
        for (int i = 0; i < REASONS.length; i++) {
            total += dropped.get(i);
        }
        return total;
    }

    /** A copy of the drop counters, reasons with zero omitted. */
    public Map<DropReason, Long> droppedByReason() {
        Map<DropReason, Long> copy = new EnumMap<>(DropReason.class);
        for (DropReason reason : REASONS) {
            long n = dropped.get(reason.ordinal());
            if (n > 0) {
                copy.put(reason, n);
            }
        }
        return copy;
    }

    void sent(int priority) {
        advertsSent.incrementAndGet();
        if (priority == 0) {
            priorityZeroSent.incrementAndGet();
        }
    }

    void received(int priority) {
        advertsReceived.incrementAndGet();
        if (priority == 0) {
            priorityZeroReceived.incrementAndGet();
        }
    }

    void drop(DropReason reason) {
        dropped.incrementAndGet(reason.ordinal());
    }

    void countBecameMaster() {
        becameMaster.incrementAndGet();
    }

    void countReleasedMaster() {
        releasedMaster.incrementAndGet();
    }

    void countAddressListMismatch() {
        addressListMismatch.incrementAndGet();
    }

    /**
     * Planned moves (stop, step-down, preemption) completed make-before-break: VIPs kept until the new master was
     * heard, then released.
     */
    public long handovers() {
        return handovers.get();
    }

    /** Planned moves whose VIPs were released without a new master heard (none within Master_Down_Interval, or cut short). */
    public long handoversUnheard() {
        return handoversUnheard.get();
    }

    void countHandover(boolean newMasterHeard) {
        (newMasterHeard ? handovers : handoversUnheard).incrementAndGet();
    }

    void countAnswerSuppressed() {
        answersSuppressed.incrementAndGet();
    }

    void sendError() {
        sendErrors.incrementAndGet();
    }

    @Override
    public String toString() {
        return "VrrpCounters{sent=" + advertsSent() + ", received=" + advertsReceived() + ", dropped="
                + droppedByReason() + ", becameMaster=" + becameMaster() + ", releasedMaster=" + releasedMaster()
                + ", answersSuppressed=" + answersSuppressed() + ", handovers=" + handovers() + "/" + handoversUnheard() + "}";
    }
}
