package io.ha4j.examples.demo;

import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.netlink.VrrpSocket;
import io.ha4j.vrrp.PacketMetadata;
import io.ha4j.vrrp.TransportSpec;
import io.ha4j.vrrp.VrrpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VRRP on real raw IP sockets for the demo's nodes: a {@link VrrpTransport} over ha-netlink's
 * {@link VrrpSocket} (IP protocol 112, TTL 255, bound to the interface; multicast 224.0.0.18 or unicast
 * peers), with one daemon thread that blocks in {@link VrrpSocket#receive} and hands each packet to the
 * instance.
 *
 * <p>This is the demo's own small adapter, written while ha-vrrp's raw-socket transport was not yet
 * available; it does only what the demo needs (IPv4 or IPv6, multicast or unicast) and does not feed link
 * events to the instance.
 */
final class RawVrrp implements VrrpTransport {

    private static final Logger LOG = LoggerFactory.getLogger(RawVrrp.class);

    private final TransportSpec spec;
    private VrrpSocket socket;
    private Thread receiver;
    private volatile boolean closed;

    private RawVrrp(TransportSpec spec) {
        this.spec = spec;
    }

    /** The factory to give {@code VrrpInstance.Builder.transport}. */
    static VrrpTransport.Factory transportFactory() {
        return RawVrrp::new;
    }

    @Override
    public void start(Receiver packets) throws IOException {
        VrrpSocket.Options.Builder options = spec.isIpv6() ? VrrpSocket.Options.ipv6(spec.interfaceName())
                : VrrpSocket.Options.ipv4(spec.interfaceName());
        options.multicast(spec.isMulticast());
        spec.unicastSource().ifPresent(options::sourceAddress);
        socket = VrrpSocket.open(options.build());
        VrrpSocket s = socket;
        receiver = new Thread(() -> receiveLoop(s, packets), "vrrp-rx-" + spec.instanceName());
        receiver.setDaemon(true);
        receiver.start();
    }

    private void receiveLoop(VrrpSocket s, Receiver packets) {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        PacketMetadata metadata = new PacketMetadata();
        while (!closed) {
            try {
                buffer.clear();
                ReceivedPacket p = s.receive(buffer);
                if (p == null) {
                    return; // closed
                }
                buffer.flip();
                metadata.clear()
                        .source(p.source())
                        .destination(p.destination())
                        .ttl(p.ttl())
                        .interfaceIndex(p.interfaceIndex())
                        .truncated(p.truncated());
                packets.onPacket(buffer, metadata);
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("VRRP receive on {} failed: {}", spec.interfaceName(), e.toString());
            }
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
        closed = true;
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
