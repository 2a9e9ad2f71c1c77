package io.ha4j.vrrp.testing;

import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.vrrp.TransportSpec;
import io.ha4j.vrrp.VrrpTransport;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/** A {@link VrrpTransport} endpoint of one instance on a {@link SimulatedLan}. */
final class SimulatedTransport implements VrrpTransport {

    private final SimulatedLan lan;
    private final SimulatedRouter router;
    private final TransportSpec spec;
    private final InetAddress source;
    private volatile Receiver receiver;
    private volatile boolean closed;

    SimulatedTransport(SimulatedLan lan, SimulatedRouter router, TransportSpec spec) {
        this.lan = lan;
        this.router = router;
        this.spec = spec;
        this.source = spec.unicastSource().orElseGet(() -> router.address(spec.isIpv6()));
    }

    @Override
    public void start(Receiver receiver) {
        this.receiver = receiver;
        for (String name : spec.trackedInterfaces()) {
            if (!router.isInterfaceUp(name)) {
                receiver.interfaceStateChanged(name, false);
            }
        }
        router.started(this);
        lan.attach(this);
    }

    @Override
    public InetAddress sourceAddress() {
        return source;
    }

    @Override
    public void send(ByteBuffer pdu, InetAddress destination) {
        if (closed || router.isCrashed()) {
            return;
        }
        byte[] bytes = new byte[pdu.remaining()];
        pdu.get(pdu.position(), bytes);
        pdu.position(pdu.limit());
        lan.transmit(this, bytes, destination);
    }

    @Override
    public void close() {
        closed = true;
        router.closed(this);
        lan.detach(this);
    }

    /** The router's interface changed; passed on if this instance tracks it (a crashed router hears nothing). */
    void interfaceStateChanged(String interfaceName, boolean up) {
        Receiver r = receiver;
        if (closed || r == null || router.isCrashed() || !spec.trackedInterfaces().contains(interfaceName)) {
            return;
        }
        r.interfaceStateChanged(interfaceName, up);
    }

    SimulatedRouter router() {
        return router;
    }

    TransportSpec spec() {
        return spec;
    }

    InetAddress source() {
        return source;
    }

    void deliver(byte[] bytes, InetAddress from, InetAddress to) {
        Receiver r = receiver;
        if (closed || r == null || router.isCrashed()) {
            return;
        }
        ReceivedPacket metadata = new ReceivedPacket().source(from).destination(to).ttl(255);
        r.onPacket(ByteBuffer.wrap(bytes), metadata);
    }
}
