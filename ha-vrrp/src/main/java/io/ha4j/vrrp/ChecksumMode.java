package io.ha4j.vrrp;

/**
 * How a VRRPv3 advert over IPv4 computes its checksum. The two conventions exist in the field (vrrp.md §2.2);
 * an instance sends the configured one and accepts either on receive. VRRPv2 (no pseudo-header) and IPv6
 * (always the IPv6 pseudo-header) are not affected.
 */
public enum ChecksumMode {
    /** Sum over an IPv4 pseudo-header (source, destination, 0, 112, length) and the message: keepalived's and FRR's default. */
    WITH_PSEUDO_HEADER,
    /** Sum over the message only, like VRRPv2: RFC 9568, Cisco, Juniper; keepalived's {@code v3_checksum_as_v2}. */
    MESSAGE_ONLY
}
