package io.ha4j.core;

/**
 * Told when an address on an interface a {@link VipManager} watches disappears without the manager removing
 * it (NetworkManager, systemd-networkd, an operator's {@code ip addr del}). A VRRP master uses this to notice
 * that it no longer holds its VIP.
 *
 * <p>Called on the manager's event thread; must not block; exceptions are logged and contained.
 */
@FunctionalInterface
public interface VipListener {

    void onAddressRemoved(VirtualAddress address);
}
