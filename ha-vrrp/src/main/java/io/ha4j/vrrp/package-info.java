/**
 * VRRP for ha4j: {@link io.ha4j.vrrp.VrrpInstance} (one virtual router, an {@link io.ha4j.core.HaComponent}),
 * {@link io.ha4j.vrrp.VrrpSyncGroup}, listeners, counters and the {@link io.ha4j.vrrp.VrrpTransport} seam.
 *
 * <p>Behaviour follows keepalived where users depend on it and RFC 5798 / 9568 (v3) and RFC 3768 (v2) otherwise:
 * receive checks in keepalived's order with one counter per {@link io.ha4j.vrrp.DropReason}; both VRRPv3/IPv4
 * checksum conventions accepted; keepalived's timers; priority 0 on stop; GARP/NA bursts on becoming master.
 *
 * <p>Package-private internals: the codec ({@code VrrpPacket}, {@code Checksum}) and the sans-IO state machine
 * ({@code VrrpStateMachine}); they are not API.
 */
package io.ha4j.vrrp;
