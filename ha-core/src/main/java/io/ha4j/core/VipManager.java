package io.ha4j.core;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Adds, removes, lists and announces virtual addresses on network interfaces.
 *
 * <p>Implementations: the Linux one in ha-netlink (rtnetlink + gratuitous ARP / unsolicited NA, needs
 * CAP_NET_ADMIN and CAP_NET_RAW) and {@link InMemoryVipManager} for tests and users without root. Both pass
 * the same compatibility kit.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #add} is idempotent: adding an address already present succeeds and does not duplicate it.</li>
 *   <li>{@link #remove} of an absent address is not an error.</li>
 *   <li>The manager remembers what it added ({@link #managed()}) so that {@link #close()} can be told to
 *       release it, and {@link #cleanUp} removes leftovers of a crashed run.</li>
 *   <li>Methods are thread-safe.</li>
 * </ul>
 */
public interface VipManager extends AutoCloseable {

    /** Adds {@code vip} to its interface. Idempotent. */
    void add(VirtualAddress vip) throws IOException;

    /** Removes {@code vip} from its interface; absent is fine. */
    void remove(VirtualAddress vip) throws IOException;

    /** Every address currently on {@code interfaceName} (ours and others), as the kernel sees it. */
    List<VirtualAddress> list(String interfaceName) throws IOException;

    /** Whether {@code vip} is present on its interface now. */
    default boolean isPresent(VirtualAddress vip) throws IOException {
        return list(vip.interfaceName()).contains(vip);
    }

    /**
     * Tells the segment that {@code vip} is here: one gratuitous ARP (IPv4) or unsolicited Neighbor
     * Advertisement (IPv6) from the interface's MAC address.
     */
    void announce(VirtualAddress vip) throws IOException;

    /** The addresses this manager added and has not removed since. */
    Set<VirtualAddress> managed();

    /**
     * Removes each of {@code expected} that is present: keepalived's start-up cleanup of VIPs left behind by
     * a crashed run (which could not remove them). Returns how many were removed.
     */
    int cleanUp(Collection<VirtualAddress> expected) throws IOException;

    /**
     * Tells the listeners ({@link VipListener#onAddressReleasing}) that this node will remove {@code vip} shortly, on
     * purpose; the address stays until {@link #remove}. Whoever removes an address calls this first (VRRP does, a
     * moment before). Never fails. The default tells nobody, for a manager without listeners; both managers that ship
     * tell theirs.
     */
    default void releasing(VirtualAddress vip) {
    }

    /** Watches for addresses removed by someone else and released on purpose; see {@link VipListener}. */
    void addListener(VipListener listener, Executor executor);

    void removeListener(VipListener listener);

    /**
     * Releases the manager's resources. Addresses it added are left in place unless removed before; callers
     * (VRRP) remove their VIPs when leaving MASTER. Idempotent.
     */
    @Override
    void close();
}
