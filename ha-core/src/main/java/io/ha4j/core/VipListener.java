package io.ha4j.core;

/**
 * Told when an address on an interface a {@link VipManager} watches disappears without the manager removing
 * it (NetworkManager, systemd-networkd, an operator's {@code ip addr del}), through
 * {@link #onAddressReleasing}, when this node is about to give an address up on purpose, and through
 * {@link #onAddressAdded} and {@link #onAddressReleased} when the manager itself added or removed one. A VRRP master uses the
 * first to notice that it no longer holds its VIP; a balancer uses both to end the client connections that
 * arrived on the address (ha-proxy's {@code TcpBalancer} does).
 *
 * <p>Called through the executor given to {@link VipManager#addListener}; must not block; exceptions are logged and
 * contained.
 */
@FunctionalInterface
public interface VipListener {

    void onAddressRemoved(VirtualAddress address);

    /**
     * This node is about to remove {@code address} ({@link VipManager#releasing}): a VRRP master handing over tells
     * this when it has heard the new master, and removes the address after its {@code handoverLinger}. Until then
     * packets from the address still leave this node, so this is the moment to end connections that use it (a FIN
     * sent after the removal could not get out). Default: nothing.
     */
    default void onAddressReleasing(VirtualAddress address) {
    }

    /**
     * This node's manager added {@code address} ({@link VipManager#add}, also when it was there already): the address
     * is this node's (again), and a release announced by {@link #onAddressReleasing} is off (a VRRP master that took
     * mastership back before letting go). A balancer lets new clients in on it again. Default: nothing.
     */
    default void onAddressAdded(VirtualAddress address) {
    }

    /**
     * This node's manager removed {@code address} on purpose ({@link VipManager#remove}); unlike
     * {@link #onAddressRemoved}, nothing is wrong. Default: nothing.
     */
    default void onAddressReleased(VirtualAddress address) {
    }
}
