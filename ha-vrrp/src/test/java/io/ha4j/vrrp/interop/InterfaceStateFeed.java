package io.ha4j.vrrp.interop;

import io.ha4j.core.ComponentContext;
import io.ha4j.core.HaComponent;
import io.ha4j.core.Phase;
import io.ha4j.netlink.LinkInfo;
import io.ha4j.netlink.NetlinkListener;
import io.ha4j.netlink.NetlinkMonitor;
import io.ha4j.netlink.RouteNetlink;
import io.ha4j.vrrp.VrrpInstance;
import java.io.IOException;

/**
 * Tells one instance whether its interface is up (IFF_UP and IFF_RUNNING, keepalived's test), from rtnetlink
 * link events in the namespace where the cluster starts. {@link io.ha4j.vrrp.RawSocketTransport} cannot reach the
 * instance to do this itself, so the tests wire it like a user would: added to the cluster after the instance.
 */
final class InterfaceStateFeed implements HaComponent, NetlinkListener {

    private static final int IFF_RUNNING = 0x40;

    private final VrrpInstance instance;
    private NetlinkMonitor monitor;

    InterfaceStateFeed(VrrpInstance instance) {
        this.instance = instance;
    }

    @Override
    public String name() {
        return instance.name() + "-link";
    }

    @Override
    public Phase phase() {
        return Phase.VRRP;
    }

    @Override
    public void start(ComponentContext context) throws IOException {
        monitor = NetlinkMonitor.start(this, "test-link-" + instance.name());
        listAll();
    }

    private void listAll() throws IOException {
        try (RouteNetlink netlink = RouteNetlink.open()) {
            boolean up = false;
            for (LinkInfo link : netlink.links()) {
                if (link.name().equals(instance.interfaceName())) {
                    up = isUp(link);
                }
            }
            instance.interfaceStateChanged(instance.interfaceName(), up);
        }
    }

    private static boolean isUp(LinkInfo link) {
        return link.isUp() && (link.flags() & IFF_RUNNING) != 0;
    }

    @Override
    public void onLinkChanged(LinkInfo link, boolean removed) {
        if (link.name().equals(instance.interfaceName())) {
            instance.interfaceStateChanged(link.name(), !removed && isUp(link));
        }
    }

    @Override
    public void onEventsLost() {
        try {
            listAll();
        } catch (IOException e) {
            throw new IllegalStateException("re-listing links failed", e);
        }
    }

    @Override
    public void close() {
        if (monitor != null) {
            monitor.close();
        }
    }
}
