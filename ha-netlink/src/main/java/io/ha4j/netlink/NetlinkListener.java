package io.ha4j.netlink;

/**
 * Receives link and address changes from a {@link NetlinkMonitor}.
 *
 * <p>Called on the monitor's one event thread, in the order the kernel sent the notifications; must not
 * block. A listener that throws is logged and the monitor carries on.
 */
public interface NetlinkListener {

    /** A link appeared or changed ({@code removed} false: RTM_NEWLINK) or disappeared (RTM_DELLINK). */
    default void onLinkChanged(LinkInfo link, boolean removed) {
    }

    /** An address was added or changed ({@code removed} false: RTM_NEWADDR) or removed (RTM_DELADDR). */
    default void onAddressChanged(AddressInfo address, boolean removed) {
    }

    /**
     * The kernel dropped notifications because the monitor fell behind (ENOBUFS): list again what you track.
     */
    default void onEventsLost() {
    }
}
