package io.ha4j.vrrp;

/**
 * Why a received packet was not accepted as an advert, in the order the checks run (keepalived's
 * {@code vrrp_check_packet} order, vrrp.md §1.4). Each drop is counted ({@link VrrpCounters#dropped}) and
 * logged at a limited rate, except {@link #OTHER_VRID}, which is normal on a shared segment and only counted.
 */
public enum DropReason {
    /** The transport or the receive queue cut the packet short, or it is shorter than the 8-byte header. */
    TRUNCATED,
    /** Another virtual router's advert (not logged). */
    OTHER_VRID,
    /** The instance is in FAULT, INITIALIZE or STOP and ignores adverts (keepalived's dispatcher does too). */
    NOT_LISTENING,
    /** The receive queue between the transport thread and the scheduler thread was full. */
    QUEUE_FULL,
    /** Length does not match the header's address count (Ethernet minimum-frame padding is tolerated). */
    LENGTH,
    /** TTL / hop limit is not 255 on a multicast advert. */
    TTL,
    /** Version differs from the configured one. */
    VERSION,
    /** VRRPv2 auth type is not 0, 1 or 2. */
    INVALID_AUTH_TYPE,
    /** VRRPv2 auth type differs from the configured one. */
    AUTH_TYPE_MISMATCH,
    /** VRRPv2 {@code PASS} password differs. */
    AUTH_FAILURE,
    /** VRRPv2 advert interval differs from ours (keepalived drops it "to prevent concurrent VRID"). */
    INTERVAL_MISMATCH,
    /** Type is not 1 (ADVERTISEMENT). */
    TYPE,
    /** Checksum wrong (for VRRPv3 over IPv4: wrong under both conventions). */
    CHECKSUM,
    /** Sent to the multicast group while we use unicast peers, or the reverse. */
    DESTINATION,
    /** A unicast advert from an address that is not one of the configured peers. */
    UNICAST_SOURCE
}
