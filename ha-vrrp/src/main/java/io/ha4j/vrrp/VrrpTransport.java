package io.ha4j.vrrp;

import io.ha4j.netlink.ReceivedPacket;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * The I/O seam of a {@link VrrpInstance}: sends and receives VRRP payloads (IP protocol 112, without the IP
 * header) on one interface. The state machine, codec and timers know nothing else about the network.
 *
 * <p>Implementations: the simulated LAN ({@link io.ha4j.vrrp.testing.SimulatedLan}) and, on Linux, a raw-socket
 * transport over ha-netlink's {@code VrrpSocket}. An instance creates its transport through a {@link Factory}
 * when it starts and closes it when it stops.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #start} begins delivering packets to the receiver, from any thread (a raw-socket transport
 *       receives on a dedicated blocking thread). The instance copies each packet into a preallocated slot
 *       and processes it on its scheduler thread; a transport that already runs on that thread (the simulated
 *       LAN) is processed inline. The payload buffer and the metadata may be reused after
 *       {@code onPacket} returns.</li>
 *   <li>The transport delivers packets of its address family for any VRID; the instance filters.</li>
 *   <li>IPv4: the transport strips the IP header and reports TTL, source and destination in
 *       {@link ReceivedPacket}; it drops packets whose IP total length disagrees with what it read.
 *       IPv6: it reports the hop limit, and whether the kernel already verified the checksum.</li>
 *   <li>{@link #sourceAddress()} is the primary address adverts are sent from, known once {@link #start}
 *       returned: the configured unicast source, else the interface's first address of the family (IPv6:
 *       its link-local address). It is this router's identity in elections and in the IPv4 pseudo-header.</li>
 *   <li>{@link #send} is called with the PDU from position to limit, checksum already filled in for
 *       {@code destination} (the IPv4 pseudo-header uses {@link #sourceAddress()}), on the scheduler thread, or on
 *       the thread that calls {@link VrrpInstance#close()} for the final priority-0 advert; calls never overlap.
 *       It must not keep the buffer. A failure is counted ({@link VrrpCounters#sendErrors()}) and logged at a
 *       limited rate; the protocol carries on (keepalived does the same).</li>
 *   <li>{@link #close} comes after the last send, from the closing thread; a blocked receive thread must
 *       return promptly.</li>
 * </ul>
 *
 * <p>A raw-socket implementation receives on a dedicated thread in a loop (blocking receive into a reused
 * buffer, fill a reused {@link ReceivedPacket}, call the receiver), and reports link changes of the instance's
 * interfaces through {@link Receiver#interfaceStateChanged(String, boolean)}. The instance queues up to 16
 * packets between that thread and its scheduler; more are dropped and counted as
 * {@link DropReason#QUEUE_FULL}.
 */
public interface VrrpTransport extends AutoCloseable {

    /** Starts receiving; packets go to {@code receiver}. Called once. */
    void start(Receiver receiver) throws IOException;

    /** The address adverts come from; valid after {@link #start}. */
    InetAddress sourceAddress();

    /** Sends {@code pdu} (position to limit) to {@code destination}: the group or a unicast peer. */
    void send(ByteBuffer pdu, InetAddress destination) throws IOException;

    /** Stops receiving and releases sockets and threads. Idempotent. */
    @Override
    void close();

    /** Where received packets go. */
    @FunctionalInterface
    interface Receiver {
        /**
         * One packet: the VRRP payload from {@code payload}'s position to its limit and what the transport
         * knows about it. Must not block; never throws.
         */
        void onPacket(ByteBuffer payload, ReceivedPacket metadata);

        /**
         * One of {@link TransportSpec#trackedInterfaces()} went up or down (a removed interface is down). A
         * transport reports the state it finds while {@link #start} runs (at least every interface that is down
         * then) and every change after, from any thread. Must not block; never throws. The default ignores it.
         */
        default void interfaceStateChanged(String interfaceName, boolean up) {
        }
    }

    /** Creates the transport of one instance when it starts. */
    @FunctionalInterface
    interface Factory {
        VrrpTransport create(TransportSpec spec) throws IOException;
    }
}
