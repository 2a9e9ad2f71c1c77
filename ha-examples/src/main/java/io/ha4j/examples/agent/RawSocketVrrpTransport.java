package io.ha4j.examples.agent;

import io.ha4j.core.Clock;
import io.ha4j.core.internal.RateLimitedLog;
import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.netlink.VrrpSocket;
import io.ha4j.vrrp.PacketMetadata;
import io.ha4j.vrrp.TransportSpec;
import io.ha4j.vrrp.VrrpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's {@link VrrpTransport} on Linux: ha-netlink's {@link VrrpSocket} (raw IP protocol 112, set up
 * as keepalived sets up its sockets) with one receiving platform thread per instance
 * ({@code ha-agent-vrrp-rx-<instance>}) that hands each packet to the instance.
 *
 * <p>Multicast to 224.0.0.18 / ff02::12 unless the instance has unicast peers; the source is
 * {@code unicast_src_ip} or the interface's own address. IPv6 checksums are verified by the kernel
 * ({@code IPV6_CHECKSUM}), which the metadata says. Receive errors are logged at a limited rate and the
 * loop backs off 100 ms, so a broken socket cannot spin; {@link #close()} wakes the thread and waits for it.
 */
final class RawSocketVrrpTransport implements VrrpTransport {

    private static final Logger LOG = LoggerFactory.getLogger(RawSocketVrrpTransport.class);
    private static final int BUFFER_SIZE = 8192;
    private static final long ERROR_BACKOFF_NANOS = Duration.ofMillis(100).toNanos();

    private final TransportSpec spec;
    private final RateLimitedLog errors;
    private volatile VrrpSocket socket;
    private volatile boolean closed;
    private Thread receiver;

    RawSocketVrrpTransport(TransportSpec spec) {
        this.spec = spec;
        this.errors = new RateLimitedLog(LOG, Clock.system(), Duration.ofSeconds(10).toNanos());
    }

    @Override
    public void start(Receiver target) throws IOException {
        VrrpSocket.Options.Builder options = spec.isIpv6()
                ? VrrpSocket.Options.ipv6(spec.interfaceName())
                : VrrpSocket.Options.ipv4(spec.interfaceName());
        spec.unicastSource().ifPresent(options::sourceAddress);
        options.multicast(spec.isMulticast());
        VrrpSocket s = VrrpSocket.open(options.build());
        socket = s;
        receiver = new Thread(() -> receiveLoop(s, target), "ha-agent-vrrp-rx-" + spec.instanceName());
        receiver.setDaemon(true);
        receiver.start();
    }

    private void receiveLoop(VrrpSocket s, Receiver target) {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
        PacketMetadata metadata = new PacketMetadata();
        while (!closed) {
            buffer.clear();
            ReceivedPacket packet;
            try {
                packet = s.receive(buffer);
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    errors.warn("receive", "VRRP receive of {} on {} failed: {}", spec.instanceName(), spec.interfaceName(), e.toString());
                    LockSupport.parkNanos(ERROR_BACKOFF_NANOS);
                }
                continue;
            }
            if (packet == null) {
                continue; // woken by close()
            }
            buffer.flip();
            metadata.clear()
                    .source(packet.source())
                    .destination(packet.destination())
                    .ttl(packet.ttl())
                    .interfaceIndex(packet.interfaceIndex())
                    .truncated(packet.truncated())
                    .checksumVerified(spec.isIpv6())
                    .wireLength(packet.length() != buffer.remaining() ? packet.length() : -1);
            target.onPacket(buffer, metadata);
        }
    }

    @Override
    public InetAddress sourceAddress() {
        VrrpSocket s = socket;
        if (s == null) {
            throw new IllegalStateException("transport of " + spec.instanceName() + " is not started");
        }
        return s.sourceAddress();
    }

    @Override
    public void send(ByteBuffer pdu, InetAddress destination) throws IOException {
        VrrpSocket s = socket;
        if (s == null || closed) {
            throw new IOException("transport of " + spec.instanceName() + " is closed");
        }
        s.send(pdu, destination);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        VrrpSocket s = socket;
        if (s != null) {
            s.close(); // wakes the receiver and waits for it to leave the socket
        }
        Thread t = receiver;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(Duration.ofSeconds(2).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
