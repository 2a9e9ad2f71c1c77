package io.ha4j.vrrp;

/**
 * What {@link VrrpStateMachine} asks its host to do. Called synchronously from the machine's input methods, in
 * the order the protocol requires (becoming master: VIPs, GARP burst, advert, then the state change).
 */
interface VrrpActions {

    /** Send one advert with {@code priority} (0 on stop or fault) to the group or every unicast peer. */
    void sendAdvert(int priority);

    /** Add the virtual addresses. */
    void addVips();

    /** Remove the virtual addresses. */
    void removeVips();

    /**
     * The VIPs will be removed shortly ({@code handoverLinger} after the new master was heard, or just before a
     * removal without a choice): tell whoever uses them ({@code VipManager.releasing}) while they still work.
     */
    void vipsLeaving();

    /**
     * After a planned move (stop, step-down, preemption) the VIPs kept meanwhile were removed: the handover is
     * complete. {@code newMasterHeard}: a new master's advert was heard; false when Master_Down_Interval passed
     * without one, or the wait was cut short.
     */
    void vipsReleased(boolean newMasterHeard);

    /** One gratuitous ARP / unsolicited NA burst ({@code repeat} announcements per VIP). */
    void announce(int repeat);

    /**
     * A master did not answer an advert of {@code priority} (lower than ours, or 0) because it already answered one
     * within the last advert interval: what it sends stays bounded by its own timers whatever arrives.
     */
    void answerSuppressed(int priority);

    /** The state changed; {@code reason} says why in words. */
    void stateChanged(VrrpState from, VrrpState to, String reason);
}
