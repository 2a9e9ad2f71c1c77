package io.ha4j.vrrp;

import io.ha4j.core.internal.RateLimitedLog;
import io.ha4j.vrrp.internal.VrrpPacket;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes this instance's advert into one reused buffer and sends it to the group, or once to each unicast peer,
 * with the configured checksum convention. Counts what was sent and what failed; a failed send is logged at a
 * limited rate and never thrown. Allocates nothing per advert. Not thread-safe (the instance's lock is held).
 */
final class AdvertSender {

    private final String name;
    private final int version;
    private final int vrid;
    private final int intervalField;
    private final boolean ipv6;
    private final int addressLength;
    private final int addressCount;
    private final byte[] vipBytes;
    private final int authType;
    private final byte[] authData;
    private final boolean pseudoHeader;
    private final InetAddress[] destinations;
    private final byte[][] destinationBytes;
    private final VrrpCounters counters;
    private final ByteBuffer tx = ByteBuffer.allocate(VrrpPacket.MAX_LENGTH);
    private final byte[] sourceBytes = new byte[16];
    private VrrpTransport transport;
    private RateLimitedLog log;

    AdvertSender(VrrpConfig config, VrrpCounters counters) {
        this.name = config.name();
        this.version = config.version();
        this.vrid = config.virtualRouterId();
        this.intervalField = config.intervalField();
        this.ipv6 = config.ipv6();
        this.addressLength = config.addressLength();
        this.addressCount = config.virtualAddresses().size();
        this.vipBytes = ReceiveChecks.addressList(config);
        this.authType = config.authType();
        if (config.authPass() != null) {
            authData = new byte[VrrpPacket.AUTH_LENGTH];
            byte[] pass = config.authPass().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(pass, 0, authData, 0, pass.length);
        } else {
            authData = null;
        }
        this.pseudoHeader = version == 3 && config.checksumMode() == ChecksumMode.WITH_PSEUDO_HEADER;
        List<InetAddress> to = config.multicast() ? List.of(config.group()) : config.unicastPeers();
        this.destinations = to.toArray(new InetAddress[0]);
        this.destinationBytes = new byte[destinations.length][];
        for (int i = 0; i < destinations.length; i++) {
            destinationBytes[i] = destinations[i].getAddress();
        }
        this.counters = counters;
    }

    /** Where to send, with the transport's source address (this router's identity) for the checksum. */
    void connect(VrrpTransport transport, InetAddress source, RateLimitedLog log) {
        this.transport = transport;
        this.log = log;
        System.arraycopy(source.getAddress(), 0, sourceBytes, 0, addressLength);
    }

    /** This router's primary address as bytes (valid after {@link #connect}). */
    byte[] sourceBytes() {
        return sourceBytes;
    }

    void send(int priority) {
        int length = VrrpPacket.encode(tx, 0, version, vrid, priority, intervalField, vipBytes, addressCount,
                addressLength, authType, authData);
        for (int i = 0; i < destinations.length; i++) {
            sendTo(length, destinations[i], destinationBytes[i], priority);
        }
    }

    private void sendTo(int length, InetAddress destination, byte[] destinationBytes, int priority) {
        VrrpPacket.putChecksum(tx, 0, 0);
        VrrpPacket.putChecksum(tx, 0,
                VrrpPacket.computeChecksum(tx, 0, length, ipv6, pseudoHeader, sourceBytes, destinationBytes));
        tx.limit(length).position(0);
        try {
            transport.send(tx, destination);
            counters.sent(priority);
        } catch (IOException | RuntimeException e) {
            counters.sendError();
            log.warn(name + ":send", "VRRP instance '{}': sending an advert to {} failed: {}", name,
                    destination.getHostAddress(), e.toString());
        } finally {
            tx.clear();
        }
    }
}
