package io.ha4j.etcd;

import io.ha4j.core.VirtualAddress;
import java.io.IOException;

/**
 * Tells the network that a virtual address now lives on this node. The default, when an {@link EtcdElection} has
 * virtual addresses and no announcer, is the VIP manager's own {@link io.ha4j.core.VipManager#announce}
 * (gratuitous ARP or unsolicited Neighbor Advertisement on the Linux manager, as VRRP does). Where L2
 * announcements do not reach the clients (a routed fabric, a cloud), give one that announces the address
 * another way: a routing daemon's API, a cloud provider's secondary-IP call.
 *
 * <p>Called on the election's thread right after the address was added, {@code EtcdElection.Builder#announceRepeat}
 * times; it must not block for long. An exception is logged at a limited rate and the node stays leader.
 */
@FunctionalInterface
public interface VipAnnouncer {

    void announce(VirtualAddress vip) throws IOException;
}
