package io.ha4j.vrrp;

import io.ha4j.netlink.LinkInfo;
import io.ha4j.netlink.NetlinkListener;
import io.ha4j.netlink.NetlinkMonitor;
import io.ha4j.netlink.RouteNetlink;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the link state of one instance's interfaces ({@link TransportSpec#trackedInterfaces()}) through rtnetlink
 * and tells the instance's {@link VrrpTransport.Receiver}, so that an instance on {@link RawSocketTransport} enters
 * FAULT when its interface (or a weight-0 tracked one) loses carrier, on its own, as keepalived does.
 *
 * <p>Up means {@code IFF_UP} and {@code IFF_RUNNING} (administratively up with a carrier), keepalived's test; an
 * interface that does not exist or is removed is down. It subscribes first and lists the links second, so no change
 * falls between the two; the listing reports every interface once, later only changes are reported (a link message
 * that changes nothing the instance cares about, such as an MTU change, is not passed on). Lost notifications
 * (ENOBUFS) make it list again. Events arrive on the monitor's thread ({@code ha4j-vrrp-link-<instance>}); the
 * instance applies them on its scheduler thread.
 *
 * <p>The netlink socket lives in the network namespace of the thread that calls {@link #start}, like the transport's
 * raw sockets. {@link #close()} joins the thread and closes the socket; idempotent.
 */
final class LinkStateWatcher implements NetlinkListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LinkStateWatcher.class);
    /** {@code IFF_RUNNING}: the interface has a carrier (the kernel's operational state is up). */
    private static final int IFF_RUNNING = 0x40;

    private final TransportSpec spec;
    private final VrrpTransport.Receiver receiver;
    /** Last state reported per interface; guarded by {@code this} (the listing and the event thread both report). */
    private final Map<String, Boolean> reported = new HashMap<>();
    private NetlinkMonitor monitor;

    private LinkStateWatcher(TransportSpec spec, VrrpTransport.Receiver receiver) {
        this.spec = spec;
        this.receiver = receiver;
    }

    /**
     * Subscribes to link events and reports the current state of every watched interface before returning.
     *
     * @throws IOException when rtnetlink cannot be opened or listed
     */
    static LinkStateWatcher start(TransportSpec spec, VrrpTransport.Receiver receiver) throws IOException {
        LinkStateWatcher watcher = new LinkStateWatcher(spec, receiver);
        watcher.monitor = NetlinkMonitor.start(watcher, "ha4j-vrrp-link-" + spec.instanceName());
        try {
            watcher.listAll();
        } catch (IOException | RuntimeException e) {
            watcher.close();
            throw e;
        }
        return watcher;
    }

    /** keepalived's test for a usable interface. */
    static boolean isUp(LinkInfo link) {
        return link.isUp() && (link.flags() & IFF_RUNNING) != 0;
    }

    private void listAll() throws IOException {
        List<LinkInfo> links;
        try (RouteNetlink netlink = RouteNetlink.open()) {
            links = netlink.links();
        }
        for (String name : spec.trackedInterfaces()) {
            boolean up = false;
            for (LinkInfo link : links) {
                if (link.name().equals(name)) {
                    up = isUp(link);
                }
            }
            report(name, up);
        }
    }

    private synchronized void report(String name, boolean up) {
        Boolean before = reported.put(name, up);
        if (before != null && before == up) {
            return;
        }
        if (before != null || !up) {
            LOG.info("VRRP instance '{}': interface {} is {}", spec.instanceName(), name, up ? "up" : "down");
        }
        receiver.interfaceStateChanged(name, up);
    }

    @Override
    public void onLinkChanged(LinkInfo link, boolean removed) {
        if (spec.trackedInterfaces().contains(link.name())) {
            report(link.name(), !removed && isUp(link));
        }
    }

    @Override
    public void onEventsLost() {
        try {
            listAll();
        } catch (IOException e) {
            LOG.warn("VRRP instance '{}': listing links after lost notifications failed; states stay as they were: {}",
                    spec.instanceName(), e.toString());
        }
    }

    @Override
    public void close() {
        NetlinkMonitor m = monitor;
        if (m != null) {
            m.close();
        }
    }
}
