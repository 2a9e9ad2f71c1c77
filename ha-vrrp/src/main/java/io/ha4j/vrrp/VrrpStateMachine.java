package io.ha4j.vrrp;

/**
 * The VRRP protocol engine of one instance, free of I/O and threads (Aeron's {@code Election} style): inputs
 * are method calls that carry the current time, outputs are calls on {@link VrrpActions}, and
 * {@link #doWork(long)} fires whatever timer is due. The host calls {@link #nextDeadline()} to know when to
 * call {@code doWork} again. Not thread-safe: one thread at a time (the instance's scheduler thread, or a
 * test).
 *
 * <p>Timers follow keepalived exactly (vrrp.md §1.2), in microseconds like keepalived then scaled to nanos:
 * <ul>
 *   <li>v2 {@code Skew_Time = (256 - prio) / 256 s}; v3 {@code Skew_Time = (256 - prio) * Master_Adver_Interval / 256};</li>
 *   <li>{@code Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time}, where {@code prio} is the effective
 *       priority, or 255 for an address owner;</li>
 *   <li>a v3 backup adopts the master's advert interval and reverts to its own when it becomes master or leaves
 *       FAULT;</li>
 *   <li>a tracking priority change while BACKUP shifts the running down timer by the change in
 *       {@code Master_Down_Interval}.</li>
 * </ul>
 *
 * <p><b>Never packet for packet.</b> A master answers a priority-0 advert (RFC 5798 §6.4.3) and a lower-priority
 * advert (RFC 9568, keepalived without {@code lower_prio_no_advert}) with an advert of its own at once, but at most
 * one such answer per {@code Advertisement_Interval}; further ones in that interval are not sent and reported through
 * {@link VrrpActions#answerSuppressed}. So whatever arrives, a master sends at most two adverts per interval (its timer
 * and one answer), plus one when its state changes. A single stopping or lower-priority master is still answered at
 * once; a host flooding such adverts gets no more than that. The answer to a lower-priority master comes with a
 * gratuitous ARP / NA burst: two masters at once (a backup that took over while a higher one was also taking over)
 * have both announced the VIPs, and the one that yields must not leave neighbours pointing at it.
 *
 * <p><b>Planned moves are make-before-break</b> (see ha-vrrp/README.md, "Planned handover", for the timeline). A
 * master that leaves on purpose &mdash; {@link #beginShutdown}, {@link #stepDown}, or a higher-priority (or equal
 * priority, higher address) master heard while MASTER &mdash; keeps its VIPs, and so keeps answering for them, until
 * the new master has been heard plus {@code handoverLinger} (time for its gratuitous ARP / NA to reach the
 * segment), or until Master_Down_Interval has passed when nobody takes over; only then are they removed and
 * {@link VrrpActions#vipsReleased} reports it. While it holds them it sends no advert, so an RFC 5798 peer that got
 * its priority 0 takes over after Skew_Time exactly as before. A new master adds its VIPs and sends its gratuitous
 * ARP / NA burst before its first advert, so whoever hears that advert and releases does so after the segment was
 * told. With coordinated preemption ({@link VrrpInstance.Builder#coordinatedPreemption}) a router that preempts a
 * lower-priority master does the reverse: advert first, VIPs and burst {@code vipDelay} later, while the old master
 * (ha4j, lingering) still answers for them and its balancer refuses new handshakes; the host is told MASTER when the
 * VIPs are added (until then {@link VrrpActions#stateChanged} is not called, and losing mastership meanwhile reports
 * no transition out of a MASTER the host never saw). A sync-group member that follows such a move leaves the same
 * way, each member waiting for its own new master. Losing MASTER without a choice (FAULT, a VIP removed by someone else, a sync-group move that follows one)
 * still releases at once, and a crash is RFC timing: nothing here runs.
 *
 * <p>A little over ha4j's ~600-line guide: RFC 5798 §6.4, keepalived's timer corrections and the handover rules above
 * are one state machine over the same timers, read best together.
 */
final class VrrpStateMachine {

    static final long NONE = Long.MAX_VALUE;

    /** Fault causes: a tracked check or interface with weight 0, the instance's interface, a sync-group member. */
    static final int FAULT_TRACKING = 1;
    static final int FAULT_SYNC_GROUP = 2;

    private static final int DOWN_TIMER_ADVERTS = 3;

    /** The default {@code handoverLinger}: see {@link VrrpInstance.Builder#handoverLinger}. */
    static final long DEFAULT_HANDOVER_LINGER_NS = 300_000_000L;

    private final VrrpActions actions;
    private final int version;
    private final int basePriority;
    private final int advertIntervalCs;
    private final boolean preempt;
    private final long preemptDelayNs;
    private final boolean startAsMaster;
    private final int garpRepeat;
    private final long garpDelayNs;
    private final long garpRefreshNs;
    private final int garpRefreshRepeat;
    private final boolean lowerPrioNoAdvert;
    private final long handoverLingerNs;
    /** Coordinated preemption's delay between the advert and the VIPs; 0 when off. */
    private final long preemptVipDelayNs;

    private final byte[] primaryAddress = new byte[16];
    private int primaryAddressLength;

    private VrrpState state = VrrpState.INITIALIZE;
    private int effectivePriority;
    private int masterAdverIntervalCs;
    private int faults;
    private String faultReason = "";

    private long downDeadline = NONE;
    private long advertDeadline = NONE;
    private long garpDelayDeadline = NONE;
    private long garpRefreshDeadline = NONE;
    private long preemptDeadline = NONE;
    /** When the master last answered a received advert; NONE: not since it became master. */
    private long lastAnswer = NONE;
    private String downReason = "";
    /** The down timer runs out to preempt a lower-priority master (not because no master was heard). */
    private boolean preemptingLowerMaster;

    /** Coordinated preemption: MASTER, advertising, VIPs not added yet; they are at {@link #vipAddDeadline}. */
    private boolean vipsPending;
    private long vipAddDeadline = NONE;
    private VrrpState pendingFrom;
    private String pendingReason;

    /** After a planned move: the VIPs are still ours until {@link #releaseDeadline}. */
    private boolean holdingVips;
    private long releaseDeadline = NONE;
    private boolean newMasterHeard;
    /** {@link VrrpActions#vipsLeaving} was called for the VIPs held now. */
    private boolean leaving;
    /** {@link #beginShutdown} is waiting for the handover before STOP. */
    private String stopReason;
    /** Step-down: no preemption while set and before {@link #noPreemptUntil} (NONE: until {@link #endStepDown}). */
    private boolean stepDownHold;
    private long noPreemptUntil = NONE;

    VrrpStateMachine(VrrpActions actions, VrrpConfig config) {
        this.actions = actions;
        this.version = config.version();
        this.basePriority = config.priority();
        this.advertIntervalCs = config.advertIntervalCs();
        this.preempt = config.preempt();
        this.preemptDelayNs = config.preemptDelay().toNanos();
        this.startAsMaster = config.startAsMaster();
        this.garpRepeat = config.garpMasterRepeat();
        this.garpDelayNs = config.garpMasterDelay().toNanos();
        this.garpRefreshNs = config.garpMasterRefresh().toNanos();
        this.garpRefreshRepeat = config.garpMasterRefreshRepeat();
        this.lowerPrioNoAdvert = config.lowerPrioNoAdvert();
        this.handoverLingerNs = config.handoverLinger().toNanos();
        this.preemptVipDelayNs = config.coordinatedPreemptionVipDelay().toNanos();
        this.effectivePriority = config.priority();
        this.masterAdverIntervalCs = advertIntervalCs;
    }

    /** Our primary address: the advert source, compared on equal priority. */
    void primaryAddress(byte[] address, int length) {
        System.arraycopy(address, 0, primaryAddress, 0, length);
        primaryAddressLength = length;
    }

    // ---------------------------------------------------------------------------------------------- inputs

    /** RFC 5798 §6.4.1 Initialize: the Startup event. */
    void start(long now) {
        if (state != VrrpState.INITIALIZE) {
            return;
        }
        if (faults != 0) {
            enterFault(now, faultReason);
        } else if (isOwner()) {
            becomeMaster(now, "address owner (priority 255)");
        } else if (startAsMaster) {
            // keepalived's state MASTER below 255: wait one interval plus the smallest skew, then take over
            enterBackup(now, masterAdverIntervalNs() + skewNs(255), "start (state MASTER)");
            startPreemptDelay(now);
        } else {
            enterBackup(now, masterDownIntervalNs(), "start");
            startPreemptDelay(now);
        }
    }

    /** keepalived's {@code preempt_delay} counts from startup and from leaving FAULT, as well as from the first lower-priority advert. */
    private void startPreemptDelay(long now) {
        if (preemptDelayNs > 0) {
            preemptDeadline = now + preemptDelayNs;
        }
    }

    /**
     * A valid advert (it passed every receive check).
     *
     * @param intervalCs the advert's interval in centiseconds (v2: seconds x 100)
     * @param source     the sender's IP address (compared with ours on equal priority)
     */
    void onAdvert(int priority, int intervalCs, byte[] source, int sourceLength, long now) {
        if (holdingVips && priority > 0) {
            heardNewMaster(now);
        }
        if (stopReason != null) {
            return; // leaving: neither answer nor compete, only wait for the new master
        }
        switch (state) {
            case BACKUP:
                backupReceived(priority, intervalCs, now);
                break;
            case MASTER:
                masterReceived(priority, intervalCs, source, sourceLength, now);
                break;
            default:
                break;
        }
    }

    /** Fires every due timer. */
    void doWork(long now) {
        if (state == VrrpState.BACKUP && now >= downDeadline) {
            if (preemptingLowerMaster && preemptVipDelayNs > 0 && !holdingVips) {
                becomeMasterCoordinated(now, downReason);
            } else {
                becomeMaster(now, holdingVips ? "no other router took over within Master_Down_Interval" : downReason);
            }
            return;
        }
        if (vipsPending && now >= vipAddDeadline) {
            addPendingVips(now);
        }
        if (holdingVips && now >= releaseDeadline) {
            if (leaving) {
                releaseHeldVips();
            } else {
                startLeaving(now); // Master_Down_Interval passed without a new master
            }
            return;
        }
        if (state == VrrpState.MASTER) {
            if (now >= advertDeadline) {
                actions.sendAdvert(effectivePriority);
                advertDeadline = now + advertIntervalNs();
            }
            if (now >= garpDelayDeadline) {
                garpDelayDeadline = NONE;
                actions.announce(garpRepeat);
            }
            if (now >= garpRefreshDeadline) {
                garpRefreshDeadline = now + garpRefreshNs;
                actions.announce(garpRefreshRepeat);
            }
        }
    }

    /** The earliest pending timer, or {@link #NONE}. */
    long nextDeadline() {
        long release = holdingVips ? releaseDeadline : NONE;
        switch (state) {
            case BACKUP:
                return Math.min(downDeadline, release);
            case MASTER:
                return Math.min(Math.min(release, vipAddDeadline),
                        Math.min(advertDeadline, Math.min(garpDelayDeadline, garpRefreshDeadline)));
            default:
                return NONE;
        }
    }

    /**
     * A new effective priority from tracking (already clamped by the caller; an owner's never changes). While
     * BACKUP the running down timer moves by the change in Master_Down_Interval (keepalived).
     */
    void effectivePriority(int priority, long now) {
        if (isOwner() || priority == effectivePriority) {
            return;
        }
        long before = masterDownIntervalNs();
        effectivePriority = priority;
        if (state == VrrpState.BACKUP && downDeadline != NONE) {
            downDeadline += masterDownIntervalNs() - before;
        }
    }

    /** Sets or clears one fault cause; the instance is in FAULT while any is set. */
    void fault(int cause, boolean failed, String reason, long now) {
        int before = faults;
        faults = failed ? faults | cause : faults & ~cause;
        if (failed) {
            faultReason = reason;
        }
        if (state == VrrpState.INITIALIZE || state == VrrpState.STOP) {
            return;
        }
        if (before == 0 && faults != 0) {
            enterFault(now, reason);
        } else if (before != 0 && faults == 0) {
            leaveFault(now, reason);
        }
    }

    /**
     * One of our VIPs was removed by someone else while MASTER: like keepalived, leave MASTER for BACKUP (the
     * other VIPs are removed too) with a full down timer; if nobody else takes over, we become master again
     * after Master_Down_Interval and put the addresses back.
     */
    void vipRemovedExternally(String reason, long now) {
        if (holdingVips) {
            releaseHeldVips(); // leaving anyway: let the others go now too
        } else if (state == VrrpState.MASTER) {
            leaveMasterToBackup(now, masterDownIntervalNs(), reason);
        }
    }

    /** Sync group: a member became master, so do we if we are a backup. */
    void syncMaster(String reason, long now) {
        if (state == VrrpState.BACKUP) {
            becomeMaster(now, reason);
        }
    }

    /**
     * Sync group: {@code member} left master for backup, so do we. When it left on purpose (a step-down, or a
     * higher-priority master: it keeps its VIPs) the group's move is planned too: like {@link #stepDown} we send
     * priority 0 and keep our VIPs until our own new master is heard (plus {@code handoverLinger}), and we take over
     * the member's step-down hold, so that no member preempts back and drags the group along. Otherwise (FAULT, a VIP
     * removed by someone else) our VIPs go at once.
     */
    void syncBackup(String reason, VrrpStateMachine member, long now) {
        if (state != VrrpState.MASTER || stopReason != null) {
            return;
        }
        if (!member.holdingVips || vipsPending) {
            leaveMasterToBackup(now, masterDownIntervalNs(), reason);
            return;
        }
        stepDownHold = member.stepDownHold;
        noPreemptUntil = member.noPreemptUntil;
        actions.sendAdvert(0);
        leaveMasterHolding(now, false, reason);
    }

    /**
     * Shutdown at once (break-before-make): a master sends priority 0 (unless it already did in
     * {@link #beginShutdown}) and removes its VIPs, VIPs still held after a planned move are removed; every state
     * goes to STOP. Also ends a {@link #beginShutdown} that could not wait for the handover.
     */
    void shutdown(String reason, long now) {
        if (state == VrrpState.STOP) {
            return;
        }
        if (holdingVips) {
            if (stopReason == null) {
                stopReason = reason;
            }
            releaseHeldVips();
            return;
        }
        VrrpState from = reportedState();
        if (state == VrrpState.MASTER) {
            actions.sendAdvert(0);
            removeVipsIfAdded();
        }
        clearTimers();
        state = VrrpState.STOP;
        actions.stateChanged(from, VrrpState.STOP, reason);
    }

    /**
     * Graceful stop, make-before-break: a master sends priority 0 at once (an RFC 5798 backup takes over after
     * Skew_Time) but keeps its VIPs, sending nothing more, until it hears the new master (plus
     * {@code handoverLinger}) or Master_Down_Interval passes; then it removes them and goes to STOP. A backup
     * still holding VIPs from a step-down goes to STOP when they are released; any other state goes to STOP at once.
     * {@link #state()} is STOP when the stop is complete.
     */
    void beginShutdown(String reason, long now) {
        if (state == VrrpState.STOP || stopReason != null) {
            return;
        }
        if (state == VrrpState.MASTER && vipsPending) {
            shutdown(reason, now); // no VIPs added yet: nothing to hand over
            return;
        } else if (state == VrrpState.MASTER) {
            actions.sendAdvert(0);
            clearTimers();
            hold(now, masterDownIntervalNs(), false);
        } else if (!holdingVips) {
            shutdown(reason, now);
            return;
        } else {
            downDeadline = NONE; // stopping: never take mastership back
        }
        stopReason = reason;
    }

    /**
     * Step-down: a master sends priority 0 and becomes BACKUP at once, keeping its VIPs until the new master is heard
     * (plus {@code handoverLinger}); if no other router takes over within Master_Down_Interval it becomes master
     * again, so the VIPs are never unserved. For {@code holdNs} (0: not at all, {@link Long#MAX_VALUE}: until
     * {@link #endStepDown}) it does not preempt a lower-priority master, whatever its priority; a backup told to step
     * down only gets that hold.
     */
    void stepDown(String reason, long holdNs, long now) {
        if (stopReason != null) {
            return;
        }
        stepDownHold = holdNs > 0;
        noPreemptUntil = holdNs == Long.MAX_VALUE ? NONE : now + holdNs;
        if (state != VrrpState.MASTER) {
            return;
        }
        actions.sendAdvert(0);
        if (vipsPending) {
            leaveMasterToBackup(now, masterDownIntervalNs(), reason); // no VIPs added yet: nothing to hold
        } else {
            leaveMasterHolding(now, false, reason);
        }
    }

    /** Ends a step-down's hold: preemption follows the configuration again from the next advert. */
    void endStepDown() {
        stepDownHold = false;
    }

    /** Whether a step-down's hold keeps this router from preempting now. */
    boolean steppedDown(long now) {
        return stepDownHold && (noPreemptUntil == NONE || now < noPreemptUntil);
    }

    /** Whether VIPs are still held after a planned move (the handover is not complete). */
    boolean handingOver() {
        return holdingVips;
    }

    // ------------------------------------------------------------------------------------------- protocol

    /** MASTER to BACKUP on purpose: the VIPs stay until the new master is heard or Master_Down_Interval passes. */
    private void leaveMasterHolding(long now, boolean heard, String reason) {
        long downIn = masterDownIntervalNs();
        holdingVips = true; // before the transition: sync-group members told of it see a planned move
        enterBackup(now, downIn, reason);
        hold(now, downIn, heard);
    }

    private void hold(long now, long releaseIn, boolean heard) {
        holdingVips = true;
        newMasterHeard = false;
        leaving = false;
        releaseDeadline = now + releaseIn;
        if (heard) {
            heardNewMaster(now);
        }
    }

    private void heardNewMaster(long now) {
        newMasterHeard = true;
        if (!leaving) {
            startLeaving(now);
        }
    }

    /** Tells the VIPs' users, then keeps the VIPs {@code handoverLinger} longer. */
    private void startLeaving(long now) {
        leaving = true;
        actions.vipsLeaving();
        releaseDeadline = now + handoverLingerNs;
    }

    private void releaseHeldVips() {
        boolean heard = newMasterHeard;
        if (!leaving) {
            actions.vipsLeaving();
        }
        holdingVips = false;
        leaving = false;
        releaseDeadline = NONE;
        newMasterHeard = false;
        actions.removeVips();
        actions.vipsReleased(heard);
        if (stopReason != null) {
            VrrpState from = state;
            clearTimers();
            state = VrrpState.STOP;
            actions.stateChanged(from, VrrpState.STOP, stopReason);
        }
    }

    private void backupReceived(int priority, int intervalCs, long now) {
        if (priority == 0) {
            // §6.4.2: the master is stopping; take over after Skew_Time
            downDeadline = now + skewNs(skewPriority());
            downReason = "master sent priority 0";
            preemptingLowerMaster = false;
            return;
        }
        boolean higherOrEqual = priority >= effectivePriority;
        boolean delaying = preemptDelayNs > 0 && (preemptDeadline == NONE || preemptDeadline > now);
        if (!preempt || higherOrEqual || delaying || steppedDown(now)) {
            if (preemptDelayNs > 0) {
                if (higherOrEqual) {
                    preemptDeadline = NONE;
                } else if (preemptDeadline == NONE) {
                    preemptDeadline = now + preemptDelayNs;
                }
            }
            if (version == 3) {
                masterAdverIntervalCs = intervalCs;
            }
            downDeadline = now + masterDownIntervalNs();
            downReason = "no advert for Master_Down_Interval";
            preemptingLowerMaster = false;
        } else {
            downReason = "preempting a lower-priority master";
            preemptingLowerMaster = true;
        }
    }

    private void masterReceived(int priority, int intervalCs, byte[] source, int sourceLength, long now) {
        if (priority == 0) {
            // §6.4.3: another master is stopping; advertise at once so that backups do not take over
            if (answer(priority, now)) {
                advertDeadline = now + advertIntervalNs();
            }
            return;
        }
        int ours = effectivePriority;
        if (priority > ours || (priority == ours && compare(source, sourceLength) > 0)) {
            if (version == 3) {
                masterAdverIntervalCs = intervalCs;
            }
            String reason = priority > ours ? "higher priority advert (" + priority + " > " + ours + ")"
                    : "equal priority advert from a higher address";
            if (vipsPending) {
                leaveMasterToBackup(now, masterDownIntervalNs(), reason); // our VIPs were never added
                return;
            }
            // preempted: the new master has announced its VIPs already, or (coordinated preemption) will once we have
            // had its vipDelay to stop taking new clients; no priority 0 is needed, and ours stay a moment longer for
            // the packets still on their way here
            leaveMasterHolding(now, true, reason);
        } else if (!lowerPrioNoAdvert) {
            // RFC 9568 / keepalived: answer a lower-priority master at once to force the election, and announce the
            // VIPs again (keepalived's garp_lower_prio_repeat): that master may have announced them, and when it
            // lets go of them neighbours must not be left pointing at it
            if (answer(priority, now) && !vipsPending) {
                actions.announce(garpRepeat);
            }
        }
    }

    /** Sends an advert in answer to one received, at most once per advert interval; returns whether it did. */
    private boolean answer(int receivedPriority, long now) {
        if (lastAnswer != NONE && now - lastAnswer < advertIntervalNs()) {
            actions.answerSuppressed(receivedPriority);
            return false;
        }
        lastAnswer = now;
        actions.sendAdvert(effectivePriority);
        return true;
    }

    private void becomeMaster(long now, String reason) {
        VrrpState from = reportedState();
        dropPendingVips();
        startMasterTimers();
        holdingVips = false;
        leaving = false;
        releaseDeadline = NONE;
        newMasterHeard = false;
        // make-before-break: the segment learns the VIPs are here before the old master hears the advert and lets go
        state = VrrpState.MASTER;
        addAndAnnounceVips(now);
        actions.sendAdvert(effectivePriority);
        advertDeadline = now + advertIntervalNs();
        actions.stateChanged(from, VrrpState.MASTER, reason);
    }

    /** What a new master starts from, whether its VIPs come now or after coordinated preemption's delay. */
    private void startMasterTimers() {
        preemptingLowerMaster = false;
        masterAdverIntervalCs = advertIntervalCs;
        preemptDeadline = NONE;
        downDeadline = NONE;
        lastAnswer = NONE;
    }

    /** Adds the VIPs, sends the gratuitous ARP / NA burst and starts the later bursts' timers. */
    private void addAndAnnounceVips(long now) {
        actions.addVips();
        actions.announce(garpRepeat);
        garpDelayDeadline = garpDelayNs > 0 ? now + garpDelayNs : NONE;
        garpRefreshDeadline = garpRefreshNs > 0 ? now + garpRefreshNs : NONE;
    }

    /**
     * Coordinated preemption: MASTER for the protocol at once (the advert goes out now, so the old master starts
     * leaving), but the VIPs, the burst and the host's MASTER come {@code vipDelay} later ({@link #addPendingVips}).
     */
    private void becomeMasterCoordinated(long now, String reason) {
        pendingFrom = reportedState();
        pendingReason = reason;
        startMasterTimers();
        state = VrrpState.MASTER;
        vipsPending = true;
        vipAddDeadline = now + preemptVipDelayNs;
        actions.sendAdvert(effectivePriority);
        advertDeadline = now + advertIntervalNs();
    }

    private void addPendingVips(long now) {
        VrrpState from = pendingFrom;
        String reason = pendingReason;
        dropPendingVips();
        addAndAnnounceVips(now);
        actions.stateChanged(from, VrrpState.MASTER, reason + ", VIPs added after the coordinated-preemption delay");
    }

    private void dropPendingVips() {
        vipsPending = false;
        vipAddDeadline = NONE;
        pendingFrom = null;
        pendingReason = null;
    }

    /** The state the host was last told of: during coordinated preemption's delay, the one before MASTER. */
    private VrrpState reportedState() {
        return vipsPending ? pendingFrom : state;
    }

    /** Removes the VIPs on leaving MASTER, unless coordinated preemption's delay had not added them yet. */
    private void removeVipsIfAdded() {
        if (vipsPending) {
            dropPendingVips();
        } else {
            actions.removeVips();
        }
    }

    private void leaveMasterToBackup(long now, long downIn, String reason) {
        VrrpState from = reportedState();
        removeVipsIfAdded();
        enterBackup(from, now, downIn, reason);
    }

    private void enterBackup(long now, long downIn, String reason) {
        enterBackup(state, now, downIn, reason);
    }

    /** {@code from}: the state the host was last told of; no transition is reported when it is BACKUP already. */
    private void enterBackup(VrrpState from, long now, long downIn, String reason) {
        clearTimers();
        state = VrrpState.BACKUP;
        downDeadline = now + downIn;
        downReason = "no advert for Master_Down_Interval";
        preemptingLowerMaster = false;
        if (from != VrrpState.BACKUP) {
            actions.stateChanged(from, VrrpState.BACKUP, reason);
        }
    }

    private void enterFault(long now, String reason) {
        if (holdingVips) {
            releaseHeldVips(); // a fault cuts a planned move short
        }
        if (state == VrrpState.FAULT || state == VrrpState.STOP) {
            return;
        }
        VrrpState from = reportedState();
        if (state == VrrpState.MASTER) {
            actions.sendAdvert(0);
            removeVipsIfAdded();
        }
        clearTimers();
        state = VrrpState.FAULT;
        actions.stateChanged(from, VrrpState.FAULT, reason);
    }

    private void leaveFault(long now, String reason) {
        masterAdverIntervalCs = advertIntervalCs;
        if (isOwner()) {
            becomeMaster(now, "address owner (priority 255), " + reason);
        } else {
            enterBackup(now, masterDownIntervalNs(), reason);
            startPreemptDelay(now);
        }
    }

    private void clearTimers() {
        downDeadline = NONE;
        advertDeadline = NONE;
        garpDelayDeadline = NONE;
        garpRefreshDeadline = NONE;
        preemptDeadline = NONE;
        vipAddDeadline = NONE;
    }

    /** Unsigned comparison of {@code source} with our primary address. */
    private int compare(byte[] source, int length) {
        if (length != primaryAddressLength) {
            return Integer.compare(length, primaryAddressLength);
        }
        for (int i = 0; i < length; i++) {
            int c = Integer.compare(source[i] & 0xff, primaryAddress[i] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    // --------------------------------------------------------------------------------------------- timers

    private boolean isOwner() {
        return basePriority == 255;
    }

    private int skewPriority() {
        return isOwner() ? 255 : effectivePriority;
    }

    /** keepalived's VRRP_TIMER_SKEW_CALC for priority {@code prio}, in nanoseconds. */
    long skewNs(int prio) {
        return skewNs(version, prio, masterAdverIntervalCs);
    }

    static long skewNs(int version, int prio, int masterAdverIntervalCs) {
        long p = 256 - prio;
        long micros = version == 3 ? (p * masterAdverIntervalCs * 625) / 16 : (p * 1_000_000L) / 256;
        return micros * 1000;
    }

    /** {@code 3 * Master_Adver_Interval + Skew_Time}. */
    long masterDownIntervalNs() {
        return DOWN_TIMER_ADVERTS * masterAdverIntervalNs() + skewNs(skewPriority());
    }

    static long masterDownIntervalNs(int version, int prio, int masterAdverIntervalCs) {
        return DOWN_TIMER_ADVERTS * masterAdverIntervalCs * 10_000_000L + skewNs(version, prio, masterAdverIntervalCs);
    }

    private long masterAdverIntervalNs() {
        return masterAdverIntervalCs * 10_000_000L;
    }

    private long advertIntervalNs() {
        return advertIntervalCs * 10_000_000L;
    }

    // ----------------------------------------------------------------------------------------------- view

    VrrpState state() {
        return state;
    }

    int effectivePriority() {
        return effectivePriority;
    }

    int masterAdverIntervalCs() {
        return masterAdverIntervalCs;
    }

    int advertIntervalCs() {
        return advertIntervalCs;
    }

    long downDeadline() {
        return downDeadline;
    }

    long advertDeadline() {
        return advertDeadline;
    }

    boolean inFault() {
        return faults != 0;
    }

    boolean hasFault(int cause) {
        return (faults & cause) != 0;
    }
}
