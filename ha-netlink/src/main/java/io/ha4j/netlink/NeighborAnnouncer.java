package io.ha4j.netlink;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Tells one Ethernet segment that addresses now live behind one interface: gratuitous ARP for IPv4 and
 * unsolicited Neighbor Advertisements for IPv6, from the interface's MAC address, as keepalived does on
 * becoming MASTER (vrrp.md §1.6).
 *
 * <ul>
 *   <li>Gratuitous ARP: an ARP <em>request</em> to ff:ff:ff:ff:ff:ff, sender = target = the VIP, target
 *       hardware address ff:ff:ff:ff:ff:ff. Skipped (returns false) on an {@code IFF_NOARP} interface.</li>
 *   <li>Unsolicited NA: from the VIP to ff02::1 (Ethernet 33:33:00:00:00:01), hop limit 255, Override set,
 *       Router set when IPv6 forwarding is on for the interface, target link-layer address option.</li>
 * </ul>
 *
 * <p>Opening needs CAP_NET_RAW. The interface's index and MAC are read at open (in the caller's network
 * namespace) and the packet socket stays in that namespace. Thread-safe.
 */
public final class NeighborAnnouncer implements AutoCloseable {

    private final String interfaceName;
    private final int ifindex;
    private final byte[] mac;
    private final boolean noArp;
    private final PacketSocket socket;

    private NeighborAnnouncer(String interfaceName, int ifindex, byte[] mac, boolean noArp, PacketSocket socket) {
        this.interfaceName = interfaceName;
        this.ifindex = ifindex;
        this.mac = mac;
        this.noArp = noArp;
        this.socket = socket;
    }

    /**
     * Opens an announcer for {@code interfaceName} (an Ethernet-like interface with a 6-byte MAC).
     *
     * @throws NativeException ENODEV for an unknown interface, EPERM without CAP_NET_RAW
     */
    public static NeighborAnnouncer open(String interfaceName) throws IOException {
        Objects.requireNonNull(interfaceName, "interfaceName");
        LinkInfo link;
        try (RouteNetlink netlink = RouteNetlink.open()) {
            link = netlink.link(interfaceName);
        }
        byte[] mac = link.hardwareAddress();
        if (mac.length != 6) {
            throw new IOException("interface " + interfaceName + " has no Ethernet MAC address (got "
                    + mac.length + " bytes): gratuitous ARP / NA need an Ethernet-like link");
        }
        PacketSocket socket = new PacketSocket();
        return new NeighborAnnouncer(interfaceName, link.index(), mac,
                (link.flags() & LinkInfo.IFF_NOARP) != 0, socket);
    }

    /** Sends a gratuitous ARP or an unsolicited NA for {@code address}, by its family. */
    public boolean announce(InetAddress address) throws IOException {
        if (address instanceof Inet4Address) {
            return gratuitousArp((Inet4Address) address);
        }
        unsolicitedNeighborAdvertisement((Inet6Address) address);
        return true;
    }

    /** Sends one gratuitous ARP; returns false (nothing sent) when the interface is IFF_NOARP. */
    public boolean gratuitousArp(Inet4Address vip) throws IOException {
        if (noArp) {
            return false;
        }
        socket.send(ifindex, NeighborFrames.ETH_P_ARP, NeighborFrames.gratuitousArp(mac, vip),
                "AF_PACKET gratuitous ARP " + vip.getHostAddress() + " dev " + interfaceName);
        return true;
    }

    /** Sends one unsolicited Neighbor Advertisement. */
    public void unsolicitedNeighborAdvertisement(Inet6Address vip) throws IOException {
        byte[] frame = NeighborFrames.unsolicitedNeighborAdvertisement(mac, vip, forwarding(interfaceName));
        socket.send(ifindex, NeighborFrames.ETH_P_IPV6, frame,
                "AF_PACKET unsolicited NA " + vip.getHostAddress() + " dev " + interfaceName);
    }

    /** The MAC address announced. */
    public byte[] macAddress() {
        return mac.clone();
    }

    public int interfaceIndex() {
        return ifindex;
    }

    public String interfaceName() {
        return interfaceName;
    }

    /** keepalived sets the NA Router flag when the interface forwards IPv6. */
    static boolean forwarding(String interfaceName) {
        Path path = Path.of("/proc/sys/net/ipv6/conf", interfaceName, "forwarding");
        try {
            return Files.readString(path, StandardCharsets.US_ASCII).trim().equals("1");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Closes the packet socket. Idempotent. */
    @Override
    public void close() {
        socket.close();
    }
}
