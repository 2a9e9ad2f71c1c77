package io.ha4j.netlink;

import io.ha4j.core.internal.Validation;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import jnr.ffi.Pointer;

/**
 * Raw IP sockets for VRRP (IP protocol 112) on one interface, IPv4 or IPv6, set up as keepalived sets up its
 * own (vrrp.md §1.5). Two sockets: a send socket bound to the source address and a receive socket.
 *
 * <p><b>IPv4.</b> The kernel builds the IP header (no {@code IP_HDRINCL}): TTL 255 ({@code IP_TTL} and
 * {@code IP_MULTICAST_TTL}), TOS 0xC0, source = {@link Options#sourceAddress()} (bound, so the VRRP layer knows
 * the source it must put in its checksum pseudo-header), {@code IP_MULTICAST_IF} and {@code SO_BINDTODEVICE}
 * on the interface, multicast loop off, {@code IP_MULTICAST_ALL} off. The receive socket joins 224.0.0.18 on
 * the interface ({@code ip_mreqn} with its index) and {@link #receive} strips the IPv4 header.
 *
 * <p><b>IPv6.</b> ff02::12, hop limit 255 for multicast and unicast, traffic class 0xC0, {@code IPV6_CHECKSUM}
 * at offset 6 (the kernel computes the VRRP checksum on send and drops packets whose checksum is wrong on
 * receive), {@code IPV6_RECVHOPLIMIT} and {@code IPV6_RECVPKTINFO}, loop off, bound to the device. The source
 * defaults to the interface's link-local address (RFC 5798 §5.1.2.1); which address when there are several (VIPs
 * of other instances among them) is on {@link Options.Builder#sourceAddress}.
 *
 * <p><b>Unicast.</b> With {@link Options.Builder#multicast(boolean) multicast(false)} the receive socket is bound
 * to the source address instead of joining the group (keepalived's {@code unicast_peer} mode), and
 * {@link #send} goes to each peer address. Sending to a unicast peer works in either mode.
 *
 * <p><b>Several instances.</b> Every socket on an interface receives a copy of every advert (raw sockets do), so
 * several VRRP instances may each open their own socket and filter by VRID, or share one and dispatch.
 *
 * <p><b>Threads.</b> One thread receives at a time ({@link #receive} blocks in {@code poll} on the socket and
 * an eventfd, never spins); any thread may {@link #send}. {@link #wakeup()} or {@link #close()} from another
 * thread returns a blocked receiver promptly with null.
 *
 * <p><b>Namespaces.</b> The sockets are created in the network namespace of the thread that calls
 * {@link #open} and keep it whichever thread uses them later.
 *
 * <p><b>Allocation.</b> The native buffers are allocated once per socket and freed by {@link #close()}; a
 * receive allocates nothing (the caller's buffer and {@link ReceivedPacket} are filled), nor does a send.
 *
 * <p>Needs CAP_NET_RAW; without it {@link #open} throws a {@link NativeException} (EPERM) that says so.
 *
 * <p>The file is a little over ha4j's ~600-line guide because it keeps one socket's whole native life together: the
 * option sequence for both families, {@code recvmsg} with its control messages, and the nested public {@link Options}
 * builder that names each of those options.
 */
public final class VrrpSocket implements AutoCloseable {

    /** IP protocol number of VRRP; ha4j's one definition (the codec's pseudo-header uses it too). */
    public static final int PROTOCOL = 112;
    /** The IPv4 VRRP multicast group, 224.0.0.18; ha4j's one definition. */
    public static final InetAddress IPV4_GROUP = address(new byte[] {(byte) 224, 0, 0, 18});
    /** The IPv6 VRRP multicast group, ff02::12; ha4j's one definition. */
    public static final InetAddress IPV6_GROUP =
            address(new byte[] {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12});

    /**
     * Largest VRRP packet handled: a VRRPv3 IPv6 advert with 255 addresses is 8 + 255 * 16 = 4088 bytes;
     * bigger packets are reported truncated.
     */
    private static final int BUFFER_SIZE = 8192;
    private static final int CONTROL_BUFFER = 256;
    private static final int MSGHDR_SIZE = 56;
    // One malloc'ed block per socket, freed by close().
    private static final int SEND_OFFSET = 0;
    private static final int DATA_OFFSET = SEND_OFFSET + BUFFER_SIZE;
    private static final int CONTROL_OFFSET = DATA_OFFSET + BUFFER_SIZE;
    private static final int MESSAGE_OFFSET = CONTROL_OFFSET + CONTROL_BUFFER;
    private static final int NAME_OFFSET = MESSAGE_OFFSET + 64;
    private static final int DESTINATION_OFFSET = NAME_OFFSET + 32;
    private static final int IOV_OFFSET = DESTINATION_OFFSET + 32;
    private static final int POLL_OFFSET = IOV_OFFSET + 16;
    private static final int MEMORY_SIZE = POLL_OFFSET + 16;

    private final Options options;
    private final int ifindex;
    private final InetAddress source;
    private final boolean ipv6;
    private final int sendFd;
    private final int receiveFd;
    private final WakeupFd wakeup;
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Pointer memory;
    private final Pointer sendBuffer;
    private final Pointer destination;
    private final Pointer message;
    private final Pointer name;
    private final Pointer iov;
    private final Pointer control;
    private final Pointer data;
    private final Pointer pollfds;
    private final byte[] scratch = new byte[BUFFER_SIZE];
    private final int[] pollSet;
    private volatile boolean closed;

    private VrrpSocket(Options options, int ifindex, InetAddress source, int sendFd, int receiveFd, WakeupFd wakeup,
                       Pointer memory) throws IOException {
        this.options = options;
        this.ifindex = ifindex;
        this.source = source;
        this.ipv6 = options.ipv6;
        this.sendFd = sendFd;
        this.receiveFd = receiveFd;
        this.wakeup = wakeup;
        this.memory = memory;
        this.sendBuffer = Native.view(memory, SEND_OFFSET, BUFFER_SIZE);
        this.data = Native.view(memory, DATA_OFFSET, BUFFER_SIZE);
        this.control = Native.view(memory, CONTROL_OFFSET, CONTROL_BUFFER);
        this.message = Native.view(memory, MESSAGE_OFFSET, MSGHDR_SIZE);
        this.name = Native.view(memory, NAME_OFFSET, 32);
        this.destination = Native.view(memory, DESTINATION_OFFSET, 32);
        this.iov = Native.view(memory, IOV_OFFSET, 16);
        this.pollfds = Native.view(memory, POLL_OFFSET, 16);
        this.pollSet = new int[] {receiveFd, wakeup.fd()};
        iov.putAddress(0, data.address());
        iov.putLong(8, BUFFER_SIZE);
    }

    /**
     * Opens the send and receive sockets on {@code options.interfaceName()}.
     *
     * @throws NativeException EPERM without CAP_NET_RAW, ENODEV for an unknown interface
     * @throws IOException when no source address was given and the interface has none of the family
     */
    public static VrrpSocket open(Options options) throws IOException {
        Objects.requireNonNull(options, "options");
        if (Native.runtime().addressSize() != 8) {
            throw new IOException("VrrpSocket supports 64-bit Linux only (struct msghdr layout)");
        }
        int ifindex;
        InetAddress source = options.sourceAddress;
        try (RouteNetlink netlink = RouteNetlink.open()) {
            ifindex = netlink.link(options.interfaceName).index();
            if (source == null) {
                source = defaultSource(netlink, ifindex, options);
            }
        }
        int sendFd = -1;
        int receiveFd = -1;
        WakeupFd wakeup = null;
        Pointer memory = null;
        try {
            sendFd = openSendSocket(options, ifindex, source);
            receiveFd = openReceiveSocket(options, ifindex, source);
            wakeup = new WakeupFd();
            memory = Native.malloc(MEMORY_SIZE);
            return new VrrpSocket(options, ifindex, source, sendFd, receiveFd, wakeup, memory);
        } catch (IOException | RuntimeException e) {
            Native.close(sendFd);
            Native.close(receiveFd);
            if (wakeup != null) {
                wakeup.close();
            }
            Native.free(memory);
            throw e;
        }
    }

    private static InetAddress defaultSource(RouteNetlink netlink, int ifindex, Options options) throws IOException {
        InetAddress source = defaultSource(netlink.addresses(ifindex), options.ipv6);
        if (source == null) {
            throw new IOException("interface " + options.interfaceName + " has no "
                    + (options.ipv6 ? "IPv6 link-local" : "IPv4") + " address to send VRRP from; set sourceAddress");
        }
        return source;
    }

    /**
     * The interface's own address of the family among {@code addresses} (in the kernel's order), or null: see
     * {@link Options.Builder#sourceAddress}. Ranked: a plain address first; then one that looks like another
     * router's VIP or is not fit as a source (IPv6 {@code NODAD}, deprecated or tentative, IPv4 secondary); a
     * DAD-failed one last.
     */
    static InetAddress defaultSource(List<AddressInfo> addresses, boolean ipv6) {
        InetAddress best = null;
        int bestRank = Integer.MAX_VALUE;
        for (AddressInfo a : addresses) {
            if (a.isIpv6() != ipv6 || (ipv6 && !a.address().isLinkLocalAddress())) {
                continue;
            }
            int rank = sourceRank(a);
            if (rank < bestRank) {
                best = a.address();
                bestRank = rank;
            }
        }
        return best;
    }

    private static int sourceRank(AddressInfo a) {
        int flags = a.flags();
        if ((flags & AddressInfo.IFA_F_DADFAILED) != 0) {
            return 2;
        }
        boolean notOwn = a.isIpv6()
                ? (flags & (AddressInfo.IFA_F_NODAD | AddressInfo.IFA_F_DEPRECATED | AddressInfo.IFA_F_TENTATIVE)) != 0
                        || a.preferredLifetime() == 0
                : (flags & AddressInfo.IFA_F_SECONDARY) != 0;
        return notOwn ? 1 : 0;
    }

    private static int openSendSocket(Options o, int ifindex, InetAddress source) throws IOException {
        int family = o.ipv6 ? Native.AF_INET6 : Native.AF_INET;
        int fd = Native.socket(family, Native.SOCK_RAW, o.protocol,
                (o.ipv6 ? "AF_INET6" : "AF_INET") + ", SOCK_RAW, " + o.protocol);
        try {
            Native.bindToDevice(fd, o.interfaceName);
            if (o.ipv6) {
                Native.setsockopt(fd, Native.IPPROTO_IPV6, Native.IPV6_CHECKSUM, 6, "IPV6_CHECKSUM 6");
                Native.setsockopt(fd, Native.IPPROTO_IPV6, Native.IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF");
                Native.setsockopt(fd, Native.IPPROTO_IPV6, Native.IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS 255");
                Native.setsockopt(fd, Native.IPPROTO_IPV6, Native.IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS 255");
                Native.setsockopt(fd, Native.IPPROTO_IPV6, Native.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP 0");
                Native.setsockopt(fd, Native.IPPROTO_IPV6, Native.IPV6_TCLASS, o.trafficClass, "IPV6_TCLASS");
                Native.setsockoptIfSupported(fd, Native.IPPROTO_IPV6, Native.IPV6_FREEBIND, 1, "IPV6_FREEBIND");
            } else {
                Native.setsockopt(fd, Native.IPPROTO_IP, Native.IP_MULTICAST_IF, mreqn(null, ifindex), 12, "IP_MULTICAST_IF");
                Native.setsockopt(fd, Native.IPPROTO_IP, Native.IP_MULTICAST_TTL, 255, "IP_MULTICAST_TTL 255");
                Native.setsockopt(fd, Native.IPPROTO_IP, Native.IP_TTL, 255, "IP_TTL 255");
                Native.setsockopt(fd, Native.IPPROTO_IP, Native.IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP 0");
                Native.setsockoptIfSupported(fd, Native.IPPROTO_IP, Native.IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL 0");
                Native.setsockopt(fd, Native.IPPROTO_IP, Native.IP_TOS, o.trafficClass, "IP_TOS");
                Native.setsockopt(fd, Native.IPPROTO_IP, Native.IP_FREEBIND, 1, "IP_FREEBIND");
            }
            // Nothing is ever read from the send socket: a "ret 0" filter keeps its queue empty.
            Native.setsockopt(fd, Native.SOL_SOCKET, Native.SO_ATTACH_FILTER, dropAllFilter(), 16, "SO_ATTACH_FILTER");
            Native.bind(fd, SockAddr.inet(source, scopeFor(source, ifindex)), SockAddr.length(source),
                    "VRRP send socket to " + source.getHostAddress());
            return fd;
        } catch (IOException | RuntimeException e) {
            Native.close(fd);
            throw e;
        }
    }

    private static int openReceiveSocket(Options o, int ifindex, InetAddress source) throws IOException {
        int family = o.ipv6 ? Native.AF_INET6 : Native.AF_INET;
        int fd = Native.socket(family, Native.SOCK_RAW, o.protocol,
                (o.ipv6 ? "AF_INET6" : "AF_INET") + ", SOCK_RAW, " + o.protocol);
        try {
            Native.bindToDevice(fd, o.interfaceName);
            InetAddress group = o.ipv6 ? IPV6_GROUP : IPV4_GROUP;
            if (o.ipv6) {
                Native.setsockopt(fd, Native.IPPROTO_IPV6, Native.IPV6_CHECKSUM, 6, "IPV6_CHECKSUM 6");
                Native.setsockopt(fd, Native.IPPROTO_IPV6, Native.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
                Native.setsockopt(fd, Native.IPPROTO_IPV6, Native.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
                Native.setsockoptIfSupported(fd, Native.IPPROTO_IPV6, Native.IPV6_MULTICAST_ALL, 0, "IPV6_MULTICAST_ALL 0");
                Native.setsockoptIfSupported(fd, Native.IPPROTO_IPV6, Native.IPV6_FREEBIND, 1, "IPV6_FREEBIND");
                if (o.multicast) {
                    Pointer mreq = Native.allocate(20);
                    mreq.put(0, group.getAddress(), 0, 16);
                    mreq.putInt(16, ifindex);
                    Native.setsockopt(fd, Native.IPPROTO_IPV6, Native.IPV6_ADD_MEMBERSHIP, mreq, 20,
                            "IPV6_ADD_MEMBERSHIP ff02::12 dev " + o.interfaceName);
                }
            } else {
                Native.setsockopt(fd, Native.IPPROTO_IP, Native.IP_PKTINFO, 1, "IP_PKTINFO");
                Native.setsockoptIfSupported(fd, Native.IPPROTO_IP, Native.IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL 0");
                Native.setsockopt(fd, Native.IPPROTO_IP, Native.IP_FREEBIND, 1, "IP_FREEBIND");
                if (o.multicast) {
                    Native.setsockopt(fd, Native.IPPROTO_IP, Native.IP_ADD_MEMBERSHIP, mreqn(group, ifindex), 12,
                            "IP_ADD_MEMBERSHIP 224.0.0.18 dev " + o.interfaceName);
                }
            }
            // Bound to the group, the socket sees only multicast adverts; bound to our address, only unicast
            // ones (keepalived does the same).
            InetAddress local = o.multicast ? group : source;
            Native.bind(fd, SockAddr.inet(local, scopeFor(local, ifindex)), SockAddr.length(local),
                    "VRRP receive socket to " + local.getHostAddress());
            return fd;
        } catch (IOException | RuntimeException e) {
            Native.close(fd);
            throw e;
        }
    }

    /** struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex; } */
    private static Pointer mreqn(InetAddress group, int ifindex) throws IOException {
        Pointer p = Native.allocate(12);
        p.setMemory(0, 12, (byte) 0);
        if (group != null) {
            p.put(0, group.getAddress(), 0, 4);
        }
        p.putInt(8, ifindex);
        return p;
    }

    /**
     * struct sock_fprog { u16 len; struct sock_filter *filter; } followed, in the same block, by its one
     * instruction BPF_RET|BPF_K 0 (the kernel copies both during setsockopt).
     */
    private static Pointer dropAllFilter() throws IOException {
        Pointer block = Native.allocate(24);
        block.setMemory(0, 24, (byte) 0);
        block.putShort(0, (short) 1);
        block.putAddress(8, block.address() + 16);
        block.putShort(16, (short) 0x06);
        block.putInt(20, 0);
        return block;
    }

    private static int scopeFor(InetAddress address, int ifindex) {
        if (address instanceof Inet6Address && (address.isLinkLocalAddress() || address.isMulticastAddress())) {
            return ifindex;
        }
        return 0;
    }

    /**
     * Sends the bytes of {@code pdu} (position to limit; the position moves to the limit) to
     * {@code destination}: the group for multicast adverts, or a unicast peer.
     *
     * @throws IllegalArgumentException when {@code destination} is of the other address family
     */
    public void send(ByteBuffer pdu, InetAddress destination) throws IOException {
        Objects.requireNonNull(pdu, "pdu");
        Objects.requireNonNull(destination, "destination");
        if ((destination instanceof Inet6Address) != ipv6) {
            throw new IllegalArgumentException("destination " + destination.getHostAddress() + " is not "
                    + (ipv6 ? "IPv6" : "IPv4") + " like this socket");
        }
        int length = pdu.remaining();
        Validation.inRange("pdu length", length, 0, BUFFER_SIZE);
        sendLock.lock();
        try {
            if (closed) {
                throw new IOException("VrrpSocket is closed");
            }
            if (pdu.hasArray()) {
                sendBuffer.put(0, pdu.array(), pdu.arrayOffset() + pdu.position(), length);
            } else {
                for (int i = 0; i < length; i++) {
                    sendBuffer.putByte(i, pdu.get(pdu.position() + i));
                }
            }
            int addressLength = SockAddr.writeInet(this.destination, destination, scopeFor(destination, ifindex));
            int flags = destination.isMulticastAddress() ? Native.MSG_DONTROUTE : 0;
            Native.sendto(sendFd, sendBuffer, length, flags, this.destination, addressLength,
                    "VRRP to " + destination.getHostAddress() + " dev " + options.interfaceName);
            pdu.position(pdu.limit());
        } finally {
            sendLock.unlock();
        }
    }

    /** Sends {@code pdu} to the VRRP group of this socket's family. */
    public void sendToGroup(ByteBuffer pdu) throws IOException {
        send(pdu, group());
    }

    /**
     * Blocks until a packet arrives, then writes its VRRP payload (IPv4 header stripped) into {@code into}
     * from its position (the position advances; at most {@code into.remaining()} bytes), fills {@code packet}
     * with its metadata and returns true. Returns false, without consuming a packet, when {@link #wakeup()} or
     * {@link #close()} was called. Allocates nothing: the caller owns and reuses {@code into} and {@code packet}.
     * One receiving thread at a time.
     */
    public boolean receive(ByteBuffer into, ReceivedPacket packet) throws IOException {
        Objects.requireNonNull(into, "into");
        Objects.requireNonNull(packet, "packet");
        receiveLock.lock();
        try {
            while (true) {
                if (closed) {
                    return false;
                }
                int ready = Native.pollReadable(pollfds, pollSet, -1);
                if (ready == 1 || closed) {
                    if (!closed) {
                        wakeup.drain();
                    }
                    return false;
                }
                if (receiveOne(into, packet)) {
                    return true;
                }
            }
        } finally {
            receiveLock.unlock();
        }
    }

    /** One datagram into {@code into} and {@code packet}; false when there was none or it was not IPv4 as expected. */
    private boolean receiveOne(ByteBuffer into, ReceivedPacket packet) throws IOException {
        packet.clear();
        message.setMemory(0, MSGHDR_SIZE, (byte) 0);
        message.putAddress(0, name.address());
        message.putInt(8, SockAddr.IN6_SIZE);
        message.putAddress(16, iov.address());
        message.putLong(24, 1);
        message.putAddress(32, control.address());
        message.putLong(40, CONTROL_BUFFER);
        long n;
        Native.LibC c = Native.libc();
        while (true) {
            n = c.recvmsg(receiveFd, message, Native.MSG_DONTWAIT | Native.MSG_TRUNC);
            if (n >= 0) {
                break;
            }
            int errno = Native.lastErrno();
            if (errno == Errno.EAGAIN) {
                return false;
            }
            if (errno != Errno.EINTR) {
                throw Native.error("recvmsg(VRRP dev " + options.interfaceName + ")", errno);
            }
        }
        int copied = (int) Math.min(n, BUFFER_SIZE);
        boolean kernelTruncated = (message.getInt(48) & Native.MSG_TRUNC) != 0;
        int packetIfindex = 0;
        int ttl = -1;
        int destinationLength = 0;
        byte[] destinationBytes = packet.destinationBytes();
        byte[] sourceBytes = packet.sourceBytes();
        long controlLength = message.getLong(40);
        long pos = 0;
        while (pos + 16 <= controlLength) {
            long cmsgLen = control.getLong(pos);
            int level = control.getInt(pos + 8);
            int type = control.getInt(pos + 12);
            if (cmsgLen < 16 || pos + cmsgLen > controlLength) {
                break;
            }
            long body = pos + 16;
            if (level == Native.IPPROTO_IP && type == Native.IP_PKTINFO) {
                packetIfindex = control.getInt(body);
            } else if (level == Native.IPPROTO_IPV6 && type == Native.IPV6_PKTINFO) {
                control.get(body, destinationBytes, 0, 16);
                destinationLength = 16;
                packetIfindex = control.getInt(body + 16);
            } else if (level == Native.IPPROTO_IPV6 && type == Native.IPV6_HOPLIMIT) {
                ttl = control.getInt(body);
            }
            pos += (cmsgLen + 7) & ~7L;
        }
        data.get(0, scratch, 0, copied);
        int offset = 0;
        int sourceLength;
        if (ipv6) {
            // struct sockaddr_in6: family, port, flowinfo, then the 16-byte address at offset 8
            name.get(8, sourceBytes, 0, 16);
            sourceLength = 16;
        } else {
            if (copied < 20 || (scratch[0] >> 4 & 0xf) != 4) {
                return false;
            }
            offset = (scratch[0] & 0xf) * 4;
            if (offset < 20 || offset > copied) {
                return false;
            }
            ttl = scratch[8] & 0xff;
            System.arraycopy(scratch, 12, sourceBytes, 0, 4);
            sourceLength = 4;
            System.arraycopy(scratch, 16, destinationBytes, 0, 4);
            destinationLength = 4;
        }
        int payloadOnWire = (int) n - offset;
        int available = copied - offset;
        int stored = Math.min(available, into.remaining());
        into.put(scratch, offset, stored);
        boolean truncated = kernelTruncated || stored < payloadOnWire;
        // IPv6: the socket has IPV6_CHECKSUM set, so the kernel dropped every packet whose checksum was wrong
        packet.filled(sourceLength, destinationLength, packetIfindex, ttl, payloadOnWire, truncated, ipv6);
        return true;
    }

    /** Makes a blocked (or the next) {@link #receive} return null once. Safe from any thread. */
    public void wakeup() {
        if (!closed) {
            wakeup.signal();
        }
    }

    /** The VRRP multicast group of this socket's family. */
    public InetAddress group() {
        return ipv6 ? IPV6_GROUP : IPV4_GROUP;
    }

    /** The address the send socket is bound to: the IP source of every packet sent. */
    public InetAddress sourceAddress() {
        return source;
    }

    public int interfaceIndex() {
        return ifindex;
    }

    public Options options() {
        return options;
    }

    /**
     * Wakes a blocked receiver, waits for it to leave, then closes the sockets (so no fd number is reused
     * under a thread still polling it). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        wakeup.signal();
        receiveLock.lock();
        sendLock.lock();
        try {
            Native.close(sendFd);
            Native.close(receiveFd);
            wakeup.close();
            Native.free(memory);
        } finally {
            sendLock.unlock();
            receiveLock.unlock();
        }
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    /**
     * Which interface, family and source a {@link VrrpSocket} uses. Built with {@link #ipv4(String)} or
     * {@link #ipv6(String)}; validated at {@code build()}.
     */
    public static final class Options {
        final String interfaceName;
        final boolean ipv6;
        final InetAddress sourceAddress;
        final boolean multicast;
        final int protocol;
        final int trafficClass;

        private Options(Builder b) {
            this.interfaceName = b.interfaceName;
            this.ipv6 = b.ipv6;
            this.sourceAddress = b.sourceAddress;
            this.multicast = b.multicast;
            this.protocol = b.protocol;
            this.trafficClass = b.trafficClass;
        }

        /** IPv4 VRRP on {@code interfaceName}. */
        public static Builder ipv4(String interfaceName) {
            return new Builder(interfaceName, false);
        }

        /** IPv6 VRRP on {@code interfaceName}. */
        public static Builder ipv6(String interfaceName) {
            return new Builder(interfaceName, true);
        }

        public String interfaceName() {
            return interfaceName;
        }

        public boolean isIpv6() {
            return ipv6;
        }

        /** The configured source, or null for the interface's default (first IPv4 / the link-local IPv6). */
        public InetAddress sourceAddress() {
            return sourceAddress;
        }

        public boolean multicast() {
            return multicast;
        }

        public int protocol() {
            return protocol;
        }

        @Override
        public String toString() {
            return (ipv6 ? "IPv6" : "IPv4") + " dev " + interfaceName + " src "
                    + (sourceAddress == null ? "(default)" : sourceAddress.getHostAddress())
                    + (multicast ? " multicast" : " unicast") + " proto " + protocol;
        }

        /** Set-once options; {@link #build()} validates them. */
        public static final class Builder {
            private final String interfaceName;
            private final boolean ipv6;
            private InetAddress sourceAddress;
            private boolean multicast = true;
            private boolean multicastSet;
            private int protocol = PROTOCOL;
            private boolean protocolSet;
            private int trafficClass = 0xC0;

            private Builder(String interfaceName, boolean ipv6) {
                Objects.requireNonNull(interfaceName, "interfaceName");
                if (interfaceName.isEmpty() || interfaceName.length() > 15) {
                    throw new IllegalArgumentException("interfaceName must be 1-15 characters, was '" + interfaceName + "'");
                }
                this.interfaceName = interfaceName;
                this.ipv6 = ipv6;
            }

            /**
             * The IP source of adverts (must be of the builder's family). Default: the interface's own address as
             * rtnetlink lists it when the socket opens: IPv4 its first primary address, IPv6 its link-local address
             * (RFC 5798 §5.1.2.1). Addresses that look like another instance's VIP are passed over, so that a router
             * started while a neighbour instance (or keepalived) holds a VIP on the interface does not send from
             * that VIP and lose its source when the VIP moves: ha4j and keepalived add IPv6 VIPs with
             * {@code IFA_F_NODAD} (and /128 ones deprecated, preferred lifetime 0), and an IPv4 VIP in the
             * interface's subnet is {@code IFA_F_SECONDARY}; tentative addresses (DAD running) are passed over too.
             * Only if nothing else is there is such an address used, and a DAD-failed one last of all.
             */
            public Builder sourceAddress(InetAddress address) {
                Validation.setOnce("sourceAddress", sourceAddress);
                this.sourceAddress = Validation.notNull("sourceAddress", address);
                return this;
            }

            /** true (default): join the group and receive multicast adverts; false: unicast peers only. */
            public Builder multicast(boolean multicast) {
                Validation.setOnce("multicast", multicastSet ? this.multicast : null);
                this.multicast = multicast;
                this.multicastSet = true;
                return this;
            }

            /** The IP protocol, 112 (VRRP) by default; tests may use another to stay apart from real VRRP. */
            public Builder protocol(int protocol) {
                Validation.setOnce("protocol", protocolSet ? this.protocol : null);
                this.protocol = Validation.inRange("protocol", protocol, 1, 254);
                this.protocolSet = true;
                return this;
            }

            public Options build() {
                if (sourceAddress != null && (sourceAddress instanceof Inet6Address) != ipv6) {
                    throw new IllegalArgumentException("sourceAddress " + sourceAddress.getHostAddress()
                            + " must be " + (ipv6 ? "IPv6" : "IPv4") + " for this socket");
                }
                if (sourceAddress != null && sourceAddress.isMulticastAddress()) {
                    throw new IllegalArgumentException("sourceAddress must be a unicast address, was "
                            + sourceAddress.getHostAddress());
                }
                return new Options(this);
            }
        }
    }
}
