package io.ha4j.vrrp;

import io.ha4j.core.Clock;
import io.ha4j.core.internal.RateLimitedLog;
import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.netlink.VrrpSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Linux {@link VrrpTransport}: raw IP protocol 112 sockets from ha-netlink's {@link VrrpSocket}, set up as
 * keepalived sets up its own (TTL / hop limit 255, TOS 0xC0, bound to the interface, multicast loop off, IPv6
 * checksum computed and verified by the kernel). It is {@link VrrpInstance}'s default transport, so an instance
 * built without {@link VrrpInstance.Builder#transport} uses it:
 *
 * <pre>{@code
 * VrrpInstance vip = VrrpInstance.builder("VI_1")
 *         .interfaceName("eth0").virtualRouterId(51).virtualAddress("198.18.0.100/32")
 *         .build();   // same as .transport(RawSocketTransport.factory())
 * }</pre>
 *
 * <p><b>Addresses.</b> Multicast to 224.0.0.18 / ff02::12 unless the instance has unicast peers; then one copy
 * per peer, and the receive socket is bound to the source address so it sees only unicast adverts (keepalived's
 * {@code unicast_peer} mode). The source, which is the router's identity in elections and the IPv4 pseudo-header
 * address, is {@code unicast_src_ip} when configured, else the interface's own address as {@link VrrpSocket} picks it
 * when the instance starts: IPv4 its first primary address, IPv6 its link-local address (RFC 5798 §5.1.2.1), passing
 * over addresses that look like another instance's VIP ({@code VrrpSocket.Options.Builder#sourceAddress} has the
 * rules). The instance's own VIPs were removed before the transport opens, as keepalived does at start.
 *
 * <p><b>Threads.</b> One dedicated platform daemon thread per instance, {@code ha4j-vrrp-rx-<instance>}, blocks in
 * the socket's receive (poll on the socket and an eventfd: no spinning), fills one reused buffer and one reused
 * {@link ReceivedPacket} (nothing is allocated per packet) and hands both to the
 * instance's receiver, which copies the packet and hands it to its scheduler thread. A receive error is logged at
 * most once per 10 s and the thread pauses 100 ms before trying again, so a broken socket cannot spin.
 * {@link #close()} wakes the thread, waits for it to leave (at most 2 s), and closes every file descriptor (the link
 * watcher's thread is joined and its netlink socket closed too); sends after that fail with an {@link IOException},
 * which the instance counts.
 *
 * <p><b>Network namespace.</b> The sockets are opened by {@link VrrpTransport.Factory#create}, which
 * {@link VrrpInstance} calls on the thread that starts it; they live in <em>that thread's</em> network namespace for
 * good, whichever thread sends later. To run an instance in another namespace, start it (or the
 * {@link io.ha4j.core.HaCluster} holding it) inside {@code io.ha4j.netlink.NetworkNamespace.run(ns, ...)}; the
 * receive thread is then created there too.
 *
 * <p><b>Metadata.</b> IPv4: TTL, source and destination from the IP header, which the socket strips (the kernel
 * has already trimmed the packet to the header's total length, so Ethernet padding never reaches the instance).
 * IPv6: hop limit and destination from {@code IPV6_HOPLIMIT} / {@code IPV6_PKTINFO}; the checksum is reported as
 * verified because the kernel drops IPv6 packets whose checksum is wrong ({@code IPV6_CHECKSUM}).
 *
 * <p><b>Link state.</b> {@link #start} also subscribes to rtnetlink link events (ha-netlink's {@code NetlinkMonitor},
 * one more daemon thread {@code ha4j-vrrp-link-<instance>}, in the same namespace) for the instance's interface and
 * its tracked interfaces ({@link TransportSpec#trackedInterfaces()}), reports their state as found at start and
 * every change to {@link Receiver#interfaceStateChanged}: a master whose interface loses carrier enters FAULT and
 * releases its VIPs, as keepalived does, with nothing else to wire. Up means {@code IFF_UP} and {@code IFF_RUNNING}.
 *
 * <p>Needs CAP_NET_RAW (and a 64-bit Linux); without it {@link VrrpTransport.Factory#create} throws the socket's
 * {@code NativeException} (EPERM), which fails the instance's start.
 */
public final class RawSocketTransport implements VrrpTransport {

    private static final Logger LOG = LoggerFactory.getLogger(RawSocketTransport.class);
    /** Larger than any VRRP packet (a v3 IPv6 advert with 255 addresses is 4088 bytes). */
    private static final int RECEIVE_BUFFER = 8192;
    private static final long ERROR_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long ERROR_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long JOIN_MILLIS = 2000;

    private final TransportSpec spec;
    private final VrrpSocket socket;
    private final RateLimitedLog errors = new RateLimitedLog(LOG, Clock.system(), ERROR_LOG_INTERVAL_NANOS);
    private final ByteBuffer buffer = ByteBuffer.allocate(RECEIVE_BUFFER);
    private final ReceivedPacket packet = new ReceivedPacket();
    private final Object lifecycle = new Object();
    private Thread receiveThread;
    private LinkStateWatcher linkWatcher;
    private boolean started;
    private volatile boolean closed;

    private RawSocketTransport(TransportSpec spec, VrrpSocket socket) {
        this.spec = spec;
        this.socket = socket;
    }

    /**
     * The factory to give {@link VrrpInstance.Builder#transport}: each instance opens its own sockets on its
     * interface when it starts, in the network namespace of the starting thread.
     */
    public static VrrpTransport.Factory factory() {
        return RawSocketTransport::open;
    }

    /**
     * Opens the sockets for {@code spec} in the calling thread's network namespace.
     *
     * @throws IOException when the interface is unknown (ENODEV), has no address of the family, or raw sockets are
     *     not permitted (EPERM)
     */
    static RawSocketTransport open(TransportSpec spec) throws IOException {
        Objects.requireNonNull(spec, "spec");
        VrrpSocket.Options.Builder options = spec.isIpv6()
                ? VrrpSocket.Options.ipv6(spec.interfaceName())
                : VrrpSocket.Options.ipv4(spec.interfaceName());
        spec.unicastSource().ifPresent(options::sourceAddress); // else VrrpSocket picks the interface's own
        options.multicast(spec.isMulticast());
        return new RawSocketTransport(spec, VrrpSocket.open(options.build()));
    }

    /**
     * Starts the link watcher, which reports the interfaces' current state before this returns, and the receive thread
     * (new threads inherit the starting thread's network namespace).
     *
     * @throws IOException when rtnetlink cannot be opened, or the transport is closed
     */
    @Override
    public void start(Receiver receiver) throws IOException {
        Objects.requireNonNull(receiver, "receiver");
        synchronized (lifecycle) {
            if (closed) {
                throw new IOException("transport of VRRP instance '" + spec.instanceName() + "' is closed");
            }
            if (started) {
                throw new IllegalStateException("transport of VRRP instance '" + spec.instanceName()
                        + "' is started already");
            }
            started = true;
            linkWatcher = LinkStateWatcher.start(spec, receiver);
            Thread t = new Thread(() -> receiveLoop(receiver), "ha4j-vrrp-rx-" + spec.instanceName());
            t.setDaemon(true);
            receiveThread = t;
            t.start();
        }
    }

    private void receiveLoop(Receiver receiver) {
        while (!closed) {
            buffer.clear();
            boolean received;
            try {
                received = socket.receive(buffer, packet);
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    errors.warn("receive", "VRRP instance '{}': receiving on {} failed: {}", spec.instanceName(),
                            spec.interfaceName(), e.toString());
                    LockSupport.parkNanos(this, ERROR_PAUSE_NANOS); // close() unparks
                }
                continue;
            }
            if (!received) {
                continue; // woken: close() was called
            }
            buffer.flip();
            try {
                receiver.onPacket(buffer, packet); // as the socket filled it: no copy
            } catch (RuntimeException e) {
                errors.warn("receiver", "VRRP instance '{}': the receiver threw: {}", spec.instanceName(),
                        e.toString());
            }
        }
    }

    /** The bound source address: {@code unicast_src_ip} or the interface's own (see the class documentation). */
    @Override
    public InetAddress sourceAddress() {
        return socket.sourceAddress();
    }

    /** Sends to the group or one unicast peer; fails with an {@link IOException} once closed. */
    @Override
    public void send(ByteBuffer pdu, InetAddress destination) throws IOException {
        if (closed) {
            throw new IOException("transport of VRRP instance '" + spec.instanceName() + "' is closed");
        }
        socket.send(pdu, destination);
    }

    /**
     * Stops the link watcher (thread joined, netlink socket closed), wakes and joins the receive thread (at most 2 s;
     * not when called from it) and closes the sockets and the eventfd. Idempotent.
     */
    @Override
    public void close() {
        Thread t;
        LinkStateWatcher watcher;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            t = receiveThread;
            watcher = linkWatcher;
        }
        if (watcher != null) {
            watcher.close();
        }
        // VrrpSocket.close() wakes a blocked receive and waits until the receiver has left the socket before it
        // closes the descriptors, so no descriptor number is reused under the receive thread.
        socket.close();
        if (t != null && t != Thread.currentThread()) {
            LockSupport.unpark(t);
            try {
                t.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("VRRP instance '{}': receive thread {} did not stop within {} ms", spec.instanceName(),
                        t.getName(), JOIN_MILLIS);
            }
        }
    }

    @Override
    public String toString() {
        return "RawSocketTransport{" + spec + ", src " + socket.sourceAddress().getHostAddress()
                + (closed ? ", closed" : "") + "}";
    }
}
