package io.ha4j.vrrp;

import io.ha4j.core.VipManager;
import io.ha4j.core.VirtualAddress;
import io.ha4j.netlink.VrrpSocket;
import io.ha4j.vrrp.internal.VrrpPacket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * The settings of one {@link VrrpInstance}, resolved and validated by {@link VrrpInstance.Builder} (defaults filled
 * in, ranges and combinations checked) and never changed after. The state machine, the receive checks, tracking and
 * the advert sender each read what they need from it; nothing calls back into the instance for a setting.
 *
 * @param trackedInterfaces the {@code track_interface}s and the instance's own interface (weight 0, keepalived
 *     without {@code dont_track_primary}), in that order
 * @param authPass {@code auth_pass}, or null without authentication
 * @param unicastSource {@code unicast_src_ip}, or null for the interface's own address
 * @param vipManager the builder's VIP manager, used when the cluster has none; may be null
 * @param coordinatedPreemptionVipDelay {@link VrrpInstance.Builder#coordinatedPreemption}; zero when off
 */
record VrrpConfig(
        String name,
        String interfaceName,
        int virtualRouterId,
        int priority,
        int version,
        Duration advertInterval,
        boolean ipv6,
        List<VirtualAddress> virtualAddresses,
        String authPass,
        ChecksumMode checksumMode,
        InetAddress unicastSource,
        List<InetAddress> unicastPeers,
        VrrpState initialState,
        boolean preempt,
        Duration preemptDelay,
        int garpMasterRepeat,
        Duration garpMasterDelay,
        Duration garpMasterRefresh,
        int garpMasterRefreshRepeat,
        boolean lowerPrioNoAdvert,
        List<Tracking.TrackedCheck> trackedChecks,
        List<Tracking.TrackedInterface> trackedInterfaces,
        VrrpTransport.Factory transportFactory,
        VipManager vipManager,
        Duration handoverLinger,
        Duration coordinatedPreemptionVipDelay) {

    VrrpConfig {
        virtualAddresses = List.copyOf(virtualAddresses);
        unicastPeers = List.copyOf(unicastPeers);
        trackedChecks = List.copyOf(trackedChecks);
        trackedInterfaces = List.copyOf(trackedInterfaces);
    }

    /** 4 (IPv4) or 16 (IPv6). */
    int addressLength() {
        return ipv6 ? 16 : 4;
    }

    int advertIntervalCs() {
        return (int) (advertInterval.toMillis() / 10);
    }

    /** The advert's interval field: seconds (v2) or centiseconds (v3). */
    int intervalField() {
        return version == 2 ? (int) advertInterval.toSeconds() : advertIntervalCs();
    }

    int authType() {
        return authPass == null ? VrrpPacket.AUTH_NONE : VrrpPacket.AUTH_PASS;
    }

    /** keepalived's {@code state MASTER} below 255; ignored with {@code nopreempt}. */
    boolean startAsMaster() {
        return initialState == VrrpState.MASTER && preempt;
    }

    /** Multicast to the group unless there are unicast peers. */
    boolean multicast() {
        return unicastPeers.isEmpty();
    }

    InetAddress group() {
        return ipv6 ? VrrpSocket.IPV6_GROUP : VrrpSocket.IPV4_GROUP;
    }
}
