package io.ha4j.vrrp;

/**
 * What {@link VrrpStateMachine} asks its host to do. Called synchronously from the machine's input methods, in
 * the order the protocol requires (becoming master: advert, VIPs, GARP burst, then the state change).
 */
interface VrrpActions {

    /** Send one advert with {@code priority} (0 on stop or fault) to the group or every unicast peer. */
    void sendAdvert(int priority);

    /** Add the virtual addresses. */
    void addVips();

    /** Remove the virtual addresses. */
    void removeVips();

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
