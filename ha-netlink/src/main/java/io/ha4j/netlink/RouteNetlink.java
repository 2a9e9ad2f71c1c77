package io.ha4j.netlink;

import io.ha4j.core.Clock;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * rtnetlink requests: list links and addresses, add and delete addresses. Each request carries its own
 * sequence number and waits for the kernel's answer (the ACK, the error, or the end of a dump) for at most
 * the configured timeout.
 *
 * <p>Thread-safe (requests are serialised). Opens one netlink socket in the network namespace of the thread
 * that calls {@link #open()}; all requests act on that namespace.
 *
 * <p>Reading needs no privileges; adding and deleting addresses needs CAP_NET_ADMIN (the kernel answers EPERM,
 * reported as a {@link NativeException} saying so).
 */
public final class RouteNetlink implements AutoCloseable {

    /** {@code RT_SCOPE_UNIVERSE}: a global address. */
    public static final int SCOPE_UNIVERSE = 0;
    /** {@code RT_SCOPE_LINK}. */
    public static final int SCOPE_LINK = 253;
    /** {@code RT_SCOPE_HOST}. */
    public static final int SCOPE_HOST = 254;

    /** How long a request waits for the kernel unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final NetlinkSocket socket;
    private final Clock clock;
    private final long timeoutNanos;
    private static final int MAX_STALE_DATAGRAMS = 100_000;

    private int sequence;
    private long staleDatagrams;
    private boolean closed;

    private RouteNetlink(NetlinkSocket socket, Clock clock, Duration timeout) {
        this.socket = socket;
        this.clock = clock;
        this.timeoutNanos = timeout.toNanos();
    }

    /** Opens a request socket with {@link #DEFAULT_TIMEOUT} and the system clock. */
    public static RouteNetlink open() throws IOException {
        return open(Clock.system(), DEFAULT_TIMEOUT);
    }

    /**
     * Opens a request socket whose requests wait at most {@code timeout} (1 ms to 5 min) on {@code clock}.
     */
    public static RouteNetlink open(Clock clock, Duration timeout) throws IOException {
        Objects.requireNonNull(clock, "clock");
        io.ha4j.core.internal.Validation.inRange("timeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(5));
        return new RouteNetlink(new NetlinkSocket(0), clock, timeout);
    }

    /** Every interface in this namespace. */
    public synchronized List<LinkInfo> links() throws IOException {
        List<LinkInfo> links = new ArrayList<>();
        int seq = nextSequence();
        request(RtMessages.getLinks(seq), seq, "RTM_GETLINK dump", (type, body) -> {
            if (type == RtMessages.RTM_NEWLINK) {
                LinkInfo link = RtMessages.parseLink(body);
                if (link != null) {
                    links.add(link);
                }
            }
        });
        return links;
    }

    /**
     * The interface called {@code name}.
     *
     * @throws NativeException ENODEV when there is none
     */
    public synchronized LinkInfo link(String name) throws IOException {
        Objects.requireNonNull(name, "name");
        LinkInfo[] found = new LinkInfo[1];
        int seq = nextSequence();
        request(RtMessages.getLink(seq, name), seq, "RTM_GETLINK " + name, (type, body) -> {
            if (type == RtMessages.RTM_NEWLINK && found[0] == null) {
                found[0] = RtMessages.parseLink(body);
            }
        });
        if (found[0] == null) {
            throw Native.error("RTM_GETLINK " + name, Errno.ENODEV);
        }
        return found[0];
    }

    /** Every address (IPv4 and IPv6) in this namespace. */
    public synchronized List<AddressInfo> addresses() throws IOException {
        List<AddressInfo> addresses = new ArrayList<>();
        int seq = nextSequence();
        request(RtMessages.getAddresses(seq, Native.AF_UNSPEC), seq, "RTM_GETADDR dump", (type, body) -> {
            if (type == RtMessages.RTM_NEWADDR) {
                AddressInfo a = RtMessages.parseAddress(body);
                if (a != null) {
                    addresses.add(a);
                }
            }
        });
        return addresses;
    }

    /** The addresses on the interface with index {@code ifindex}. */
    public List<AddressInfo> addresses(int ifindex) throws IOException {
        List<AddressInfo> result = new ArrayList<>();
        for (AddressInfo a : addresses()) {
            if (a.interfaceIndex() == ifindex) {
                result.add(a);
            }
        }
        return result;
    }

    /**
     * Adds an address ({@code ip addr add}). Returns false when it was already there (EEXIST), true when
     * added.
     *
     * @param scope {@link #SCOPE_UNIVERSE} normally (the kernel picks link scope for IPv6 link-local itself)
     * @param label IPv4 label or null
     * @param flags {@code IFA_F_*}, e.g. {@link AddressInfo#IFA_F_NODAD}
     * @param preferredLifetimeZero IPv6 only: add with preferred lifetime 0 (deprecated, never chosen as a
     *     source address) and valid lifetime forever, as keepalived does for /128 VIPs
     */
    public synchronized boolean addAddress(InetAddress address, int prefixLength, int ifindex, int scope,
                                           String label, int flags, boolean preferredLifetimeZero)
            throws IOException {
        int seq = nextSequence();
        String description = "RTM_NEWADDR " + text(address, prefixLength) + " ifindex " + ifindex;
        try {
            request(RtMessages.newAddress(seq, address, prefixLength, ifindex, scope, label, flags,
                    preferredLifetimeZero && !(address instanceof Inet4Address)), seq, description, null);
            return true;
        } catch (NativeException e) {
            if (e.errno() == Errno.EEXIST) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Deletes an address ({@code ip addr del}). Returns false when it was not there (EADDRNOTAVAIL), true when
     * deleted.
     */
    public synchronized boolean deleteAddress(InetAddress address, int prefixLength, int ifindex) throws IOException {
        int seq = nextSequence();
        String description = "RTM_DELADDR " + text(address, prefixLength) + " ifindex " + ifindex;
        try {
            request(RtMessages.deleteAddress(seq, address, prefixLength, ifindex), seq, description, null);
            return true;
        } catch (NativeException e) {
            if (e.errno() == Errno.EADDRNOTAVAIL) {
                return false;
            }
            throw e;
        }
    }

    private interface Reply {
        void accept(int type, ByteBuffer body);
    }

    /**
     * Sends {@code message} and reads until this sequence number's ACK, error or NLMSG_DONE, ignoring
     * datagrams of other (timed-out, earlier) requests.
     *
     * <p>What an earlier, timed-out request left queued is read and dropped first: the kernel refuses a new dump
     * (EBUSY) while an earlier one on the socket has not been read to its end, and each read of a pending dump
     * makes the kernel produce its next part at once, so this ends.
     */
    private void request(ByteBuffer message, int seq, String description, Reply reply) throws IOException {
        if (closed) {
            throw new IOException("RouteNetlink is closed");
        }
        for (int i = 0; i < MAX_STALE_DATAGRAMS && socket.receiveNow() != null; i++) {
            staleDatagrams++;
        }
        socket.send(message, description);
        long deadline = clock.nanoTime() + timeoutNanos;
        int[] outcome = {Integer.MIN_VALUE};
        while (outcome[0] == Integer.MIN_VALUE) {
            long remaining = deadline - clock.nanoTime();
            if (remaining <= 0) {
                throw new IOException(description + ": no answer from the kernel within "
                        + io.ha4j.core.internal.Validation.format(Duration.ofNanos(timeoutNanos)));
            }
            ByteBuffer datagram = socket.receive((int) Math.max(1, Math.min(Integer.MAX_VALUE,
                    (remaining + 999_999) / 1_000_000)), -1);
            if (datagram == null) {
                continue;
            }
            RtMessages.forEach(datagram, (type, flags, s, body) -> {
                if (s != seq) {
                    return true;
                }
                if (type == RtMessages.NLMSG_ERROR) {
                    outcome[0] = RtMessages.errorCode(body);
                    return false;
                }
                if (type == RtMessages.NLMSG_DONE) {
                    outcome[0] = 0;
                    return false;
                }
                if (reply != null) {
                    reply.accept(type, body);
                }
                return true;
            });
        }
        if (outcome[0] != 0) {
            throw Native.error(description, outcome[0]);
        }
    }

    /** Datagrams of timed-out requests dropped so far (answers that came too late). */
    public synchronized long staleDatagrams() {
        return staleDatagrams;
    }

    private int nextSequence() {
        sequence = sequence == Integer.MAX_VALUE ? 1 : sequence + 1;
        return sequence;
    }

    static String text(InetAddress address, int prefixLength) {
        return address.getHostAddress().replaceFirst("%.*$", "") + "/" + prefixLength;
    }

    /** Closes the socket. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            socket.close();
        }
    }
}
