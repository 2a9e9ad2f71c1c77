package io.ha4j.netlink;

import io.ha4j.core.Clock;
import io.ha4j.core.VipListener;
import io.ha4j.core.VipManager;
import io.ha4j.core.VirtualAddress;
import io.ha4j.core.internal.Listeners;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Linux {@link VipManager}: addresses through rtnetlink, announcements through an {@code AF_PACKET}
 * socket (gratuitous ARP / unsolicited NA), and removals by others through an rtnetlink subscription.
 *
 * <p>Decisions, following keepalived (vrrp.md §1.7):
 * <ul>
 *   <li>{@link #add}: {@code RTM_NEWADDR} with create+exclusive; EEXIST means it was already there, which is
 *       success. IPv4 with the VIP's label if it has one. IPv6 always with {@code IFA_F_NODAD} (a VIP must not
 *       go "dadfailed" after a transient split brain), and /128 IPv6 VIPs with preferred lifetime 0 (valid
 *       forever) so the kernel never picks them as a source address.</li>
 *   <li>{@link #remove}: EADDRNOTAVAIL (absent) and ENODEV (interface gone, so the address too) are
 *       success.</li>
 *   <li>{@link #announce}: one frame per call, from the interface's current MAC; nothing on an
 *       {@code IFF_NOARP} IPv4 interface.</li>
 *   <li>Listeners hear of an address this manager added (and has not removed) when an {@code RTM_DELADDR}
 *       for it arrives. It stays in {@link #managed()} (as with {@code InMemoryVipManager}): the manager did
 *       not remove it, and the owner decides whether to add it again or {@link #remove} it. After a
 *       notification overrun the manager re-lists and reports every managed address that is gone (possibly
 *       again).</li>
 * </ul>
 *
 * <p>Threads: all methods are thread-safe. Listeners are called through their executor from the manager's
 * event thread ({@code ha4j-vip-events}).
 *
 * <p>Namespaces: {@link #open()} creates the manager's sockets in the network namespace of the calling thread;
 * every later call acts on that namespace, whichever thread makes it.
 *
 * <p>Needs CAP_NET_ADMIN and CAP_NET_RAW; without them {@link #open()} throws a {@link NativeException} that
 * says so.
 */
public final class LinuxVipManager implements VipManager {

    private static final Logger LOG = LoggerFactory.getLogger(LinuxVipManager.class);

    private final RouteNetlink netlink;
    private final PacketSocket packets;
    private final NetlinkMonitor monitor;
    private final Listeners<VipListener> listeners = new Listeners<>();
    /** What we added, with the interface index it was added on. Guarded by {@code this}. */
    private final Map<VirtualAddress, Integer> managed = new LinkedHashMap<>();
    private volatile boolean closed;

    private LinuxVipManager(RouteNetlink netlink, PacketSocket packets, NetlinkMonitor.Starter monitor) throws IOException {
        this.netlink = netlink;
        this.packets = packets;
        this.monitor = monitor.start(new Events());
    }

    /** Opens a manager with the system clock and {@link RouteNetlink#DEFAULT_TIMEOUT} per netlink request. */
    public static LinuxVipManager open() throws IOException {
        return open(Clock.system(), RouteNetlink.DEFAULT_TIMEOUT);
    }

    /** Opens a manager whose netlink requests wait at most {@code requestTimeout} on {@code clock}. */
    public static LinuxVipManager open(Clock clock, Duration requestTimeout) throws IOException {
        RouteNetlink netlink = RouteNetlink.open(clock, requestTimeout);
        PacketSocket packets = null;
        try {
            packets = new PacketSocket();
            return new LinuxVipManager(netlink, packets, listener -> NetlinkMonitor.start(listener, "ha4j-vip-events"));
        } catch (IOException | RuntimeException e) {
            netlink.close();
            if (packets != null) {
                packets.close();
            }
            throw e;
        }
    }

    @Override
    public void add(VirtualAddress vip) throws IOException {
        ensureOpen();
        int ifindex = netlink.link(vip.interfaceName()).index();
        boolean ipv6 = vip.isIpv6();
        boolean added = netlink.addAddress(vip.address(), vip.prefixLength(), ifindex, RouteNetlink.SCOPE_UNIVERSE,
                vip.label().orElse(null), ipv6 ? AddressInfo.IFA_F_NODAD : 0, ipv6 && vip.prefixLength() == 128);
        synchronized (this) {
            managed.put(vip, ifindex);
        }
        LOG.debug("{} {}", added ? "added" : "already present:", vip);
        listeners.forEach(l -> l.onAddressAdded(vip));
    }

    @Override
    public void remove(VirtualAddress vip) throws IOException {
        ensureOpen();
        Integer known;
        synchronized (this) {
            known = managed.remove(vip);
        }
        try {
            Integer ifindex = known != null ? known : ifindexOrNull(vip.interfaceName());
            if (ifindex != null) {
                netlink.deleteAddress(vip.address(), vip.prefixLength(), ifindex);
            }
        } catch (NativeException e) {
            if (e.errno() == Errno.ENODEV) {
                listeners.forEach(l -> l.onAddressReleased(vip));
                return;
            }
            restore(vip, known);
            throw e;
        } catch (IOException | RuntimeException e) {
            restore(vip, known);
            throw e;
        }
        listeners.forEach(l -> l.onAddressReleased(vip));
    }

    private synchronized void restore(VirtualAddress vip, Integer ifindex) {
        if (ifindex != null) {
            managed.put(vip, ifindex);
        }
    }

    private Integer ifindexOrNull(String interfaceName) throws IOException {
        try {
            return netlink.link(interfaceName).index();
        } catch (NativeException e) {
            if (e.errno() == Errno.ENODEV) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public List<VirtualAddress> list(String interfaceName) throws IOException {
        ensureOpen();
        int ifindex = netlink.link(interfaceName).index();
        List<VirtualAddress> result = new ArrayList<>();
        for (AddressInfo a : netlink.addresses(ifindex)) {
            result.add(a.toVirtualAddress(interfaceName));
        }
        return result;
    }

    @Override
    public void announce(VirtualAddress vip) throws IOException {
        ensureOpen();
        LinkInfo link = netlink.link(vip.interfaceName());
        byte[] mac = link.hardwareAddress();
        if (mac.length != 6) {
            throw new IOException("cannot announce " + vip + ": " + vip.interfaceName()
                    + " has no Ethernet MAC address");
        }
        if (vip.address() instanceof Inet4Address) {
            if ((link.flags() & LinkInfo.IFF_NOARP) != 0) {
                return;
            }
            packets.send(link.index(), NeighborFrames.ETH_P_ARP,
                    NeighborFrames.gratuitousArp(mac, (Inet4Address) vip.address()), "gratuitous ARP " + vip);
        } else {
            packets.send(link.index(), NeighborFrames.ETH_P_IPV6,
                    NeighborFrames.unsolicitedNeighborAdvertisement(mac, (Inet6Address) vip.address(),
                            NeighborAnnouncer.forwarding(vip.interfaceName())), "unsolicited NA " + vip);
        }
    }

    @Override
    public synchronized Set<VirtualAddress> managed() {
        return Set.copyOf(managed.keySet());
    }

    @Override
    public int cleanUp(Collection<VirtualAddress> expected) throws IOException {
        ensureOpen();
        int removed = 0;
        for (VirtualAddress vip : expected) {
            synchronized (this) {
                managed.remove(vip);
            }
            Integer ifindex = ifindexOrNull(vip.interfaceName());
            if (ifindex != null && netlink.deleteAddress(vip.address(), vip.prefixLength(), ifindex)) {
                LOG.info("removed leftover VIP {}", vip);
                removed++;
            }
        }
        return removed;
    }

    @Override
    public void releasing(VirtualAddress vip) {
        listeners.forEach(l -> l.onAddressReleasing(vip));
    }

    @Override
    public void addListener(VipListener listener, Executor executor) {
        listeners.add(listener, executor);
    }

    @Override
    public void removeListener(VipListener listener) {
        listeners.remove(listener);
    }

    /** Stops the event thread and closes the sockets; the addresses stay. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        monitor.close();
        netlink.close();
        packets.close();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("LinuxVipManager is closed");
        }
    }

    private final class Events implements NetlinkListener {
        @Override
        public void onAddressChanged(AddressInfo address, boolean removed) {
            if (!removed) {
                return;
            }
            VirtualAddress gone = null;
            synchronized (LinuxVipManager.this) {
                for (Map.Entry<VirtualAddress, Integer> e : managed.entrySet()) {
                    VirtualAddress vip = e.getKey();
                    if (address.sameAddress(vip.address(), vip.prefixLength(), e.getValue())) {
                        gone = vip;
                        break;
                    }
                }
            }
            if (gone != null) {
                VirtualAddress vip = gone;
                LOG.warn("VIP {} was removed by someone else", vip);
                listeners.forEach(l -> l.onAddressRemoved(vip));
            }
        }

        @Override
        public void onEventsLost() {
            if (closed) {
                return;
            }
            List<VirtualAddress> gone = new ArrayList<>();
            try {
                List<AddressInfo> present = netlink.addresses();
                synchronized (LinuxVipManager.this) {
                    for (Map.Entry<VirtualAddress, Integer> e : managed.entrySet()) {
                        VirtualAddress vip = e.getKey();
                        if (present.stream().noneMatch(
                                a -> a.sameAddress(vip.address(), vip.prefixLength(), e.getValue()))) {
                            gone.add(vip);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not re-list addresses after a netlink overrun", e);
                return;
            }
            for (VirtualAddress vip : gone) {
                LOG.warn("VIP {} was removed by someone else (found after a netlink overrun)", vip);
                listeners.forEach(l -> l.onAddressRemoved(vip));
            }
        }
    }
}
