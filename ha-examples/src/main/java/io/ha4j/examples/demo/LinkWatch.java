package io.ha4j.examples.demo;

import io.ha4j.netlink.LinkInfo;
import io.ha4j.netlink.NetlinkListener;
import io.ha4j.netlink.NetlinkMonitor;
import io.ha4j.netlink.RouteNetlink;
import java.io.IOException;
import java.util.function.BiConsumer;

/**
 * Tells a node's VRRP instance whether its interface is up, from rtnetlink link events, as keepalived watches
 * the interface of each instance: with the link down (a pulled cable, a dead bridge port) the instance goes
 * FAULT and releases the VIP, and it returns to BACKUP when the link is back. Up means administratively up
 * with a carrier ({@code IFF_UP} and {@code IFF_RUNNING}), keepalived's test.
 *
 * <p>Reports the current state once at start, then every change, on the monitor's thread
 * ({@code demo-link-state}); when the kernel reports lost events it reads the state again.
 */
final class LinkWatch implements NetlinkListener, AutoCloseable {

    private static final int IFF_RUNNING = 0x40;

    private final String interfaceName;
    private final BiConsumer<String, Boolean> report;
    private final NetlinkMonitor monitor;

    private LinkWatch(String interfaceName, BiConsumer<String, Boolean> report) throws IOException {
        this.interfaceName = interfaceName;
        this.report = report;
        this.monitor = NetlinkMonitor.start(this, "demo-link-state");
    }

    /** Starts watching {@code interfaceName}; {@code report} gets (name, up) now and on every change. */
    static LinkWatch start(String interfaceName, BiConsumer<String, Boolean> report) throws IOException {
        LinkWatch watch = new LinkWatch(interfaceName, report);
        try {
            watch.reportCurrent();
        } catch (IOException | RuntimeException e) {
            watch.close();
            throw e;
        }
        return watch;
    }

    private void reportCurrent() throws IOException {
        try (RouteNetlink netlink = RouteNetlink.open()) {
            report.accept(interfaceName, netlink.links().stream().anyMatch(l -> l.name().equals(interfaceName) && isUp(l)));
        }
    }

    private static boolean isUp(LinkInfo link) {
        return link.isUp() && (link.flags() & IFF_RUNNING) != 0;
    }

    @Override
    public void onLinkChanged(LinkInfo link, boolean removed) {
        if (link.name().equals(interfaceName)) {
            report.accept(interfaceName, !removed && isUp(link));
        }
    }

    @Override
    public void onEventsLost() {
        try {
            reportCurrent();
        } catch (IOException e) {
            System.err.println("demo: cannot read the state of " + interfaceName + " after lost link events: " + e);
        }
    }

    @Override
    public void close() {
        monitor.close();
    }
}
