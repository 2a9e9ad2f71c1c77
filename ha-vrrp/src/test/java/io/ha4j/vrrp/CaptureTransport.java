package io.ha4j.vrrp;

import io.ha4j.netlink.ReceivedPacket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A transport that records what is sent and lets a test inject received packets. */
final class CaptureTransport implements VrrpTransport {

    static final class Sent {
        final byte[] bytes;
        final InetAddress destination;

        Sent(byte[] bytes, InetAddress destination) {
            this.bytes = bytes;
            this.destination = destination;
        }

        int priority() {
            return bytes[2] & 0xff;
        }
    }

    final InetAddress source;
    final List<Sent> sent = new ArrayList<>();
    Receiver receiver;
    TransportSpec spec;
    boolean closed;

    CaptureTransport(InetAddress source) {
        this.source = source;
    }

    VrrpTransport.Factory factory() {
        return s -> {
            spec = s;
            return this;
        };
    }

    @Override
    public void start(Receiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public InetAddress sourceAddress() {
        return source;
    }

    @Override
    public void send(ByteBuffer pdu, InetAddress destination) {
        byte[] b = new byte[pdu.remaining()];
        pdu.get(b);
        sent.add(new Sent(b, destination));
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Delivers {@code bytes} as if received from {@code from} to {@code to} with TTL 255. */
    void inject(byte[] bytes, InetAddress from, InetAddress to) {
        inject(bytes, new ReceivedPacket().source(from).destination(to).ttl(255));
    }

    /** Delivers a packet from the test thread, then lets the scheduler process it. */
    void inject(byte[] bytes, ReceivedPacket metadata) {
        receiver.onPacket(ByteBuffer.wrap(bytes), metadata);
        afterInject.run();
    }

    Runnable afterInject = () -> { };
}
