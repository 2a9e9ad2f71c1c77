package io.ha4j.vrrp;

import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.vrrp.internal.VrrpPacket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * keepalived's receive checks for one instance, in keepalived's order: length, virtual router id, listening state,
 * advert length, TTL / hop limit 255 on multicast, version, v2 authentication and interval, type, checksum,
 * destination, unicast source among the peers. {@link #check} answers "why is this advert dropped?" as a
 * {@link DropReason}, or null when it is acceptable; counting and logging drops is the caller's.
 *
 * <p>Reads only its {@link VrrpConfig}; allocates nothing per packet. Not thread-safe (the instance calls it with
 * its lock held).
 */
final class ReceiveChecks {

    private static final int IPV4_HEADER = 20;
    /** Ethernet minimum payload: shorter IPv4 packets arrive padded (keepalived tolerates the padding). */
    private static final int ETHERNET_MIN_PAYLOAD = 46;

    private final int vrid;
    private final int version;
    private final boolean ipv6;
    private final int addressLength;
    private final int intervalField;
    private final int authType;
    private final byte[] authData = new byte[VrrpPacket.AUTH_LENGTH];
    private final boolean multicast;
    private final byte[] groupBytes;
    private final byte[][] peerBytes;
    private final byte[] vipBytes;

    ReceiveChecks(VrrpConfig config) {
        this.vrid = config.virtualRouterId();
        this.version = config.version();
        this.ipv6 = config.ipv6();
        this.addressLength = config.addressLength();
        this.intervalField = config.intervalField();
        this.authType = config.authType();
        if (config.authPass() != null) {
            byte[] pass = config.authPass().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(pass, 0, authData, 0, pass.length);
        }
        this.multicast = config.multicast();
        this.groupBytes = config.group().getAddress();
        this.peerBytes = new byte[config.unicastPeers().size()][];
        for (int i = 0; i < peerBytes.length; i++) {
            peerBytes[i] = config.unicastPeers().get(i).getAddress();
        }
        this.vipBytes = addressList(config);
    }

    /** The VIPs as the advert's address list: 4 or 16 bytes each, in configuration order. */
    static byte[] addressList(VrrpConfig config) {
        int alen = config.addressLength();
        byte[] bytes = new byte[config.virtualAddresses().size() * alen];
        for (int i = 0; i < config.virtualAddresses().size(); i++) {
            InetAddress a = config.virtualAddresses().get(i).address();
            System.arraycopy(a.getAddress(), 0, bytes, i * alen, alen);
        }
        return bytes;
    }

    /**
     * Checks the advert at {@code b[off, off + len)} received in {@code state}; null when it is acceptable.
     * Never throws on bad input.
     */
    DropReason check(ByteBuffer b, int off, int len, ReceivedPacket m, VrrpState state) {
        if (m.truncated() || len < VrrpPacket.HEADER_LENGTH || off < 0 || off + len > b.limit() || m.wireLength() > len) {
            return DropReason.TRUNCATED;
        }
        if (VrrpPacket.virtualRouterId(b, off) != vrid) {
            return DropReason.OTHER_VRID;
        }
        if (state != VrrpState.BACKUP && state != VrrpState.MASTER) {
            return DropReason.NOT_LISTENING;
        }
        int count = VrrpPacket.count(b, off);
        int expected = VrrpPacket.length(version, count, addressLength);
        boolean padded = len > expected && !ipv6 && IPV4_HEADER + len <= ETHERNET_MIN_PAYLOAD;
        if (len != expected && !padded) {
            return DropReason.LENGTH;
        }
        if (multicast && m.ttl() >= 0 && m.ttl() != 255) {
            return DropReason.TTL;
        }
        if (VrrpPacket.version(b, off) != version) {
            return DropReason.VERSION;
        }
        if (version == 2) {
            int type = VrrpPacket.authType(b, off);
            if (type > VrrpPacket.AUTH_AH) {
                return DropReason.INVALID_AUTH_TYPE;
            }
            if (type != authType) {
                return DropReason.AUTH_TYPE_MISMATCH;
            }
            if (type == VrrpPacket.AUTH_PASS && !passwordMatches(b, off + expected - VrrpPacket.AUTH_LENGTH)) {
                return DropReason.AUTH_FAILURE;
            }
            if (VrrpPacket.interval(b, off, 2) != intervalField) {
                return DropReason.INTERVAL_MISMATCH;
            }
        }
        if (VrrpPacket.type(b, off) != VrrpPacket.TYPE_ADVERTISEMENT) {
            return DropReason.TYPE;
        }
        if (!checksumValid(b, off, expected, m)) {
            return DropReason.CHECKSUM;
        }
        if (m.destinationLength() == addressLength && isGroup(m.destinationBytes()) != multicast) {
            return DropReason.DESTINATION;
        }
        if (!multicast && !isPeer(m)) {
            return DropReason.UNICAST_SOURCE;
        }
        return null;
    }

    /**
     * Whether an accepted advert lists exactly our VIPs in our order (RFC 5798 §7.1 compares the list; keepalived
     * logs a mismatch and still accepts the advert).
     */
    boolean addressListMatches(ByteBuffer b, int off) {
        int count = VrrpPacket.count(b, off);
        boolean same = count * addressLength == vipBytes.length;
        for (int i = 0; same && i < vipBytes.length; i++) {
            same = b.get(off + VrrpPacket.HEADER_LENGTH + i) == vipBytes[i];
        }
        return same;
    }

    /** Constant time, so the comparison does not tell how many leading bytes were right. */
    private boolean passwordMatches(ByteBuffer b, int at) {
        int diff = 0;
        for (int i = 0; i < VrrpPacket.AUTH_LENGTH; i++) {
            diff |= b.get(at + i) ^ authData[i];
        }
        return diff == 0;
    }

    /** IPv6: pseudo-header (unless the kernel verified it); IPv4: either v3 convention, as DESIGN asks. */
    private boolean checksumValid(ByteBuffer b, int off, int length, ReceivedPacket m) {
        if (ipv6) {
            if (m.checksumVerified()) {
                return true;
            }
            if (m.sourceLength() != 16) {
                return false;
            }
            byte[] dst = m.destinationLength() == 16 ? m.destinationBytes() : groupBytes;
            return VrrpPacket.computeChecksum(b, off, length, true, false, m.sourceBytes(), dst) == 0;
        }
        if (VrrpPacket.computeChecksum(b, off, length, false, false, null, null) == 0) {
            return true; // v2, or v3 with the message-only convention (RFC 9568)
        }
        if (version == 3 && m.sourceLength() == 4) {
            byte[] dst = m.destinationLength() == 4 ? m.destinationBytes() : groupBytes;
            if (VrrpPacket.computeChecksum(b, off, length, false, true, m.sourceBytes(), dst) == 0) {
                return true;
            }
            // keepalived <= 1.3.6 put 224.0.0.18 in the pseudo-header of unicast adverts too (its old_unicast_checksum)
            return dst != groupBytes
                    && VrrpPacket.computeChecksum(b, off, length, false, true, m.sourceBytes(), groupBytes) == 0;
        }
        return false;
    }

    private boolean isGroup(byte[] address) {
        for (int i = 0; i < addressLength; i++) {
            if (address[i] != groupBytes[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean isPeer(ReceivedPacket m) {
        if (m.sourceLength() != addressLength) {
            return false;
        }
        byte[] source = m.sourceBytes();
        for (byte[] peer : peerBytes) {
            boolean same = true;
            for (int i = 0; i < addressLength && same; i++) {
                same = peer[i] == source[i];
            }
            if (same) {
                return true;
            }
        }
        return false;
    }
}
