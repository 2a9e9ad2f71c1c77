package io.ha4j.benchmarks;

import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.netlink.VrrpSocket;
import io.ha4j.vrrp.PacketMetadata;
import io.ha4j.vrrp.TransportSpec;
import io.ha4j.vrrp.VrrpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * A {@link VrrpTransport} over ha-netlink's raw {@link VrrpSocket} (IPv4 or IPv6, multicast or unicast), for the
 * failover harness's ha4j routers. ha-vrrp does not ship its Linux raw-socket transport yet; this adapter is the
 * benchmark's stand-in and follows the {@link VrrpTransport} contract: one daemon thread receives into a reused
 * buffer and metadata, {@link #send} goes straight to the socket, {@link #close} wakes the receiver.
 *
 * <p>It does not report link changes to the instance (so the instance never enters FAULT on carrier loss);
 * none of the harness's scenarios depend on that: a cut router is also killed.
 */
final class SocketTransport implements VrrpTransport {

    private final TransportSpec spec;
    private final ByteBuffer rx = ByteBuffer.allocate(8192);
    private final PacketMetadata metadata = new PacketMetadata();
    private VrrpSocket socket;
    private Thread receiver;

    SocketTransport(TransportSpec spec) {
        this.spec = spec;
    }

    @Override
    public void start(Receiver r) throws IOException {
        VrrpSocket.Options.Builder options = spec.isIpv6()
                ? VrrpSocket.Options.ipv6(spec.interfaceName()) : VrrpSocket.Options.ipv4(spec.interfaceName());
        spec.unicastSource().ifPresent(options::sourceAddress);
        options.multicast(spec.isMulticast());
        socket = VrrpSocket.open(options.build());
        receiver = new Thread(() -> receiveLoop(r), "vrrp-rx-" + spec.instanceName());
        receiver.setDaemon(true);
        receiver.start();
    }

    private void receiveLoop(Receiver r) {
        while (true) {
            ReceivedPacket p;
            rx.clear();
            try {
                p = socket.receive(rx);
            } catch (IOException e) {
                System.err.println("VRRP receive on " + spec.interfaceName() + " failed, receiver stops: " + e);
                return;
            }
            if (p == null) {
                return; // closed
            }
            rx.flip();
            metadata.clear().source(p.source()).destination(p.destination()).ttl(p.ttl())
                    .interfaceIndex(p.interfaceIndex()).truncated(p.truncated());
            if (p.length() != rx.remaining()) {
                metadata.wireLength(p.length());
            }
            r.onPacket(rx, metadata);
        }
    }

    @Override
    public InetAddress sourceAddress() {
        return socket.sourceAddress();
    }

    @Override
    public void send(ByteBuffer pdu, InetAddress destination) throws IOException {
        socket.send(pdu, destination);
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
        if (receiver != null) {
            try {
                receiver.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
