package io.ha4j.examples.agent;

import io.ha4j.core.ComponentContext;
import io.ha4j.core.HaComponent;
import io.ha4j.core.Phase;
import io.ha4j.netlink.LinkInfo;
import io.ha4j.netlink.NetlinkListener;
import io.ha4j.netlink.NetlinkMonitor;
import io.ha4j.netlink.RouteNetlink;
import io.ha4j.vrrp.VrrpInstance;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the VRRP instances when their interfaces go down or up, from rtnetlink link events: each instance's
 * own interface (FAULT while it is down, as keepalived without {@code dont_track_primary}) and its
 * {@code track_interface}s. Up means {@code IFF_UP} and {@code IFF_RUNNING} (administratively up with a
 * carrier), keepalived's test; a removed interface is down.
 *
 * <p>Starts after the instances (same phase, added after them): it lists the links once, reports the
 * current state of every interface it watches, then follows events on the monitor's thread
 * ({@code ha-agent-links}); lost events make it list again. Closes first.
 */
final class LinkStateFeed implements HaComponent, NetlinkListener {

    private static final Logger LOG = LoggerFactory.getLogger(LinkStateFeed.class);
    private static final int IFF_RUNNING = 0x40;

    private final List<VrrpInstance> instances;
    private final Set<String> watched;
    private NetlinkMonitor monitor;

    LinkStateFeed(List<VrrpInstance> instances, Set<String> trackedInterfaces) {
        this.instances = List.copyOf(instances);
        Set<String> names = new TreeSet<>(trackedInterfaces);
        instances.forEach(i -> names.add(i.interfaceName()));
        this.watched = Set.copyOf(names);
    }

    @Override
    public String name() {
        return "ha-agent-link-state";
    }

    @Override
    public Phase phase() {
        return Phase.VRRP;
    }

    @Override
    public void start(ComponentContext context) throws IOException {
        monitor = NetlinkMonitor.start(this, "ha-agent-links");
        listAll();
    }

    private void listAll() {
        try (RouteNetlink netlink = RouteNetlink.open()) {
            List<LinkInfo> links = netlink.links();
            for (String name : watched) {
                boolean up = links.stream().anyMatch(l -> l.name().equals(name) && isUp(l));
                report(name, up);
            }
        } catch (IOException e) {
            LOG.warn("Listing links failed; interface states are not refreshed: {}", e.toString());
        }
    }

    static boolean isUp(LinkInfo link) {
        return link.isUp() && (link.flags() & IFF_RUNNING) != 0;
    }

    private void report(String name, boolean up) {
        for (VrrpInstance i : instances) {
            i.interfaceStateChanged(name, up);
        }
    }

    @Override
    public void onLinkChanged(LinkInfo link, boolean removed) {
        if (watched.contains(link.name())) {
            report(link.name(), !removed && isUp(link));
        }
    }

    @Override
    public void onEventsLost() {
        listAll();
    }

    @Override
    public void close() {
        NetlinkMonitor m = monitor;
        if (m != null) {
            m.close();
        }
    }
}
