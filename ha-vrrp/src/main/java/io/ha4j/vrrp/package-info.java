/**
 * VRRP for ha4j: {@link io.ha4j.vrrp.VrrpInstance} (one virtual router, an {@link io.ha4j.core.HaComponent}),
 * {@link io.ha4j.vrrp.VrrpSyncGroup}, {@link io.ha4j.vrrp.VrrpListener}, {@link io.ha4j.vrrp.VrrpCounters} and the
 * {@link io.ha4j.vrrp.VrrpTransport} seam. {@link io.ha4j.vrrp.testing.SimulatedLan} runs instances on a virtual
 * LAN for tests.
 *
 * <p><b>What it follows.</b> RFC 5798 / 9568 (VRRPv3, IPv4 and IPv6) and RFC 3768 (VRRPv2, IPv4) on the wire and in
 * the state machine (§6.4), and keepalived wherever users depend on behaviour the RFCs leave open:
 * <ul>
 *   <li>timers: v2 {@code Skew_Time = (256 - prio) / 256 s}, v3 {@code (256 - prio) * Master_Adver_Interval / 256},
 *       {@code Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time} with the effective priority (255 for an
 *       owner), computed in microseconds like keepalived; a v3 backup adopts the master's interval;</li>
 *   <li>receive checks in keepalived's order, each drop counted per {@link io.ha4j.vrrp.DropReason} and logged at
 *       most once per 10 s per reason; an advert whose address list differs from ours is counted and logged, not
 *       dropped; VRRPv2 adverts with another interval are dropped;</li>
 *   <li>VRRPv3 over IPv4: both checksum conventions accepted (and, for unicast, keepalived 1.3.6 and older's pseudo-header
 *       with 224.0.0.18 as destination), the configured one
 *       ({@link io.ha4j.vrrp.ChecksumMode}) sent;</li>
 *   <li>a master answers a lower-priority advert with an advert at once (RFC 9568; {@code lower_prio_no_advert}
 *       turns it off) and a priority-0 advert likewise; a backup takes over Skew_Time after a priority-0 advert;</li>
 *   <li>becoming master: advert, then VIPs, then a GARP/NA burst ({@code garp_master_repeat} 5), a second burst after
 *       {@code garp_master_delay} (5 s), optional refresh; leaving master removes the VIPs, and going to FAULT sends
 *       priority 0 first;</li>
 *   <li>tracking: effective priority clamped to [1, 254], 255 never changes, weight 0 means FAULT; a priority change
 *       while BACKUP moves the running down timer by the change in Master_Down_Interval.</li>
 * </ul>
 *
 * <p><b>Decisions where keepalived differs or is configurable.</b> The default version is 3 (keepalived: 2).
 * With unicast peers the source of every received advert must be one of them (keepalived's
 * {@code check_unicast_src} always on). TTL 255 is required on multicast only. Two priority-255 owners resolve like
 * any equal priorities (higher address wins); keepalived's "rogue owner" demotion is not implemented. An IPv6
 * instance does not require its first VIP to be link-local (keepalived requires it only in strict mode).
 *
 * <p><b>Internals</b> (not API): the codec ({@code io.ha4j.vrrp.internal.VrrpPacket}, {@code Checksum}), and,
 * package-private here, the sans-IO state machine ({@code VrrpStateMachine} with its {@code VrrpActions}) reading the
 * instance's immutable {@code VrrpConfig}, the receive checks ({@code ReceiveChecks}), tracking ({@code Tracking}),
 * the advert sender ({@code AdvertSender}) and the receive queue ({@code RxQueue}).
 */
package io.ha4j.vrrp;

