package io.ha4j.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The rtnetlink codec: builds requests and parses replies and notifications. Pure Java over
 * {@link ByteBuffer}s in host byte order (netlink headers are host order; addresses inside attributes are
 * network order), so it is unit-tested without a kernel.
 *
 * <p>Layouts (linux/netlink.h, linux/rtnetlink.h, linux/if_addr.h, linux/if_link.h): {@code nlmsghdr} 16
 * bytes, {@code ifinfomsg} 16, {@code ifaddrmsg} 8, {@code rtattr} 4 + payload, everything 4-byte aligned.
 */
final class RtMessages {

    static final int NLMSG_HDRLEN = 16;
    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSG_OVERRUN = 4;

    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;

    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_MULTI = 0x2;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_DUMP = 0x300;
    static final int NLM_F_REPLACE = 0x100;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;

    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_OPERSTATE = 16;

    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_LABEL = 3;
    static final int IFA_CACHEINFO = 6;
    static final int IFA_FLAGS = 8;

    static final int RTMGRP_LINK = 0x1;
    static final int RTMGRP_IPV4_IFADDR = 0x10;
    static final int RTMGRP_IPV6_IFADDR = 0x100;

    static final int IFINFOMSG_LEN = 16;
    static final int IFADDRMSG_LEN = 8;

    private RtMessages() {
    }

    static int align(int length) {
        return (length + 3) & ~3;
    }

    static ByteBuffer newBuffer(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
    }

    // ---------------------------------------------------------------- requests

    /** {@code RTM_GETLINK} dump of every interface. */
    static ByteBuffer getLinks(int seq) {
        ByteBuffer b = header(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
        b.put(new byte[IFINFOMSG_LEN]);
        return finish(b);
    }

    /** {@code RTM_GETLINK} for one interface by name (answered by one RTM_NEWLINK, or ENODEV). */
    static ByteBuffer getLink(int seq, String name) {
        ByteBuffer b = header(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
        b.put(new byte[IFINFOMSG_LEN]);
        putStringAttribute(b, IFLA_IFNAME, name);
        return finish(b);
    }

    /** {@code RTM_GETADDR} dump of {@code family} ({@link Native#AF_UNSPEC} for all). */
    static ByteBuffer getAddresses(int seq, int family) {
        ByteBuffer b = header(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq);
        b.put((byte) family).put((byte) 0).put((byte) 0).put((byte) 0).putInt(0);
        return finish(b);
    }

    /**
     * {@code RTM_NEWADDR} with {@code NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK}, so an address already present
     * answers EEXIST (the caller treats that as success: add is idempotent). The attributes are what
     * {@code ip addr add} and keepalived send: {@code IFA_LOCAL} and {@code IFA_ADDRESS} (both the address),
     * {@code IFA_LABEL} for a labelled IPv4 address, the 32-bit {@code IFA_FLAGS}, and for IPv6 with
     * {@code preferredLifetimeZero} an {@code IFA_CACHEINFO} with preferred 0 / valid forever.
     */
    static ByteBuffer newAddress(int seq, InetAddress address, int prefixLength, int ifindex, int scope,
                                 String label, int flags, boolean preferredLifetimeZero) {
        ByteBuffer b = header(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq);
        putIfaddrmsg(b, address, prefixLength, flags, scope, ifindex);
        putAttribute(b, IFA_LOCAL, address.getAddress());
        putAttribute(b, IFA_ADDRESS, address.getAddress());
        if (label != null) {
            putStringAttribute(b, IFA_LABEL, label);
        }
        ByteBuffer f = newBuffer(4).putInt(flags);
        putAttribute(b, IFA_FLAGS, f.array());
        if (preferredLifetimeZero) {
            ByteBuffer ci = newBuffer(16).putInt(0).putInt(-1).putInt(0).putInt(0);
            putAttribute(b, IFA_CACHEINFO, ci.array());
        }
        return finish(b);
    }

    /** {@code RTM_DELADDR} for one address (EADDRNOTAVAIL when absent). */
    static ByteBuffer deleteAddress(int seq, InetAddress address, int prefixLength, int ifindex) {
        ByteBuffer b = header(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, seq);
        putIfaddrmsg(b, address, prefixLength, 0, 0, ifindex);
        putAttribute(b, IFA_LOCAL, address.getAddress());
        putAttribute(b, IFA_ADDRESS, address.getAddress());
        return finish(b);
    }

    private static void putIfaddrmsg(ByteBuffer b, InetAddress address, int prefixLength, int flags, int scope,
                                     int ifindex) {
        b.put((byte) (address instanceof Inet4Address ? Native.AF_INET : Native.AF_INET6));
        b.put((byte) prefixLength);
        b.put((byte) (flags & 0xff));
        b.put((byte) scope);
        b.putInt(ifindex);
    }

    private static ByteBuffer header(int type, int flags, int seq) {
        ByteBuffer b = newBuffer(512);
        b.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
        return b;
    }

    private static ByteBuffer finish(ByteBuffer b) {
        b.putInt(0, b.position());
        b.flip();
        return b;
    }

    static void putAttribute(ByteBuffer b, int type, byte[] payload) {
        b.putShort((short) (4 + payload.length)).putShort((short) type).put(payload);
        for (int i = payload.length; i < align(payload.length); i++) {
            b.put((byte) 0);
        }
    }

    static void putStringAttribute(ByteBuffer b, int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.US_ASCII);
        byte[] z = new byte[s.length + 1];
        System.arraycopy(s, 0, z, 0, s.length);
        putAttribute(b, type, z);
    }

    // ---------------------------------------------------------------- replies

    /** Receives the messages of one datagram, in order. */
    interface Handler {
        /** Return false to stop reading this datagram. */
        boolean onMessage(int type, int flags, int seq, ByteBuffer body);
    }

    /**
     * Walks the netlink messages in {@code datagram} (position to limit). Each body view starts after the
     * 16-byte header; malformed lengths end the walk.
     */
    static void forEach(ByteBuffer datagram, Handler handler) {
        ByteBuffer d = datagram.duplicate().order(ByteOrder.nativeOrder());
        while (d.remaining() >= NLMSG_HDRLEN) {
            int start = d.position();
            int length = d.getInt(start);
            if (length < NLMSG_HDRLEN || length > d.remaining()) {
                return;
            }
            int type = d.getShort(start + 4) & 0xffff;
            int flags = d.getShort(start + 6) & 0xffff;
            int seq = d.getInt(start + 8);
            ByteBuffer body = d.duplicate().order(ByteOrder.nativeOrder());
            body.position(start + NLMSG_HDRLEN).limit(start + length);
            body = body.slice().order(ByteOrder.nativeOrder());
            if (!handler.onMessage(type, flags, seq, body)) {
                return;
            }
            d.position(Math.min(d.limit(), start + align(length)));
        }
    }

    /** The errno of an NLMSG_ERROR body as a positive number; 0 is an ACK. */
    static int errorCode(ByteBuffer body) {
        return body.remaining() >= 4 ? -body.getInt(0) : Errno.EINVAL;
    }

    static LinkInfo parseLink(ByteBuffer body) {
        if (body.remaining() < IFINFOMSG_LEN) {
            return null;
        }
        int index = body.getInt(4);
        int flags = body.getInt(8);
        String name = null;
        byte[] mac = null;
        int mtu = 0;
        int oper = 0;
        int pos = IFINFOMSG_LEN;
        while (pos + 4 <= body.limit()) {
            int len = body.getShort(pos) & 0xffff;
            int type = body.getShort(pos + 2) & 0x3fff;
            if (len < 4 || pos + len > body.limit()) {
                break;
            }
            int data = pos + 4;
            int dataLen = len - 4;
            switch (type) {
                case IFLA_IFNAME:
                    name = cString(body, data, dataLen);
                    break;
                case IFLA_ADDRESS:
                    mac = bytes(body, data, dataLen);
                    break;
                case IFLA_MTU:
                    mtu = dataLen >= 4 ? body.getInt(data) : 0;
                    break;
                case IFLA_OPERSTATE:
                    oper = dataLen >= 1 ? body.get(data) & 0xff : 0;
                    break;
                default:
                    break;
            }
            pos += align(len);
        }
        return new LinkInfo(index, name, mac, mtu, flags, LinkInfo.OperState.of(oper));
    }

    static AddressInfo parseAddress(ByteBuffer body) {
        if (body.remaining() < IFADDRMSG_LEN) {
            return null;
        }
        int family = body.get(0) & 0xff;
        int prefix = body.get(1) & 0xff;
        int flags = body.get(2) & 0xff;
        int scope = body.get(3) & 0xff;
        int index = body.getInt(4);
        byte[] local = null;
        byte[] address = null;
        String label = null;
        long preferred = AddressInfo.INFINITE_LIFETIME;
        long valid = AddressInfo.INFINITE_LIFETIME;
        int pos = IFADDRMSG_LEN;
        while (pos + 4 <= body.limit()) {
            int len = body.getShort(pos) & 0xffff;
            int type = body.getShort(pos + 2) & 0x3fff;
            if (len < 4 || pos + len > body.limit()) {
                break;
            }
            int data = pos + 4;
            int dataLen = len - 4;
            switch (type) {
                case IFA_LOCAL:
                    local = bytes(body, data, dataLen);
                    break;
                case IFA_ADDRESS:
                    address = bytes(body, data, dataLen);
                    break;
                case IFA_LABEL:
                    label = cString(body, data, dataLen);
                    break;
                case IFA_FLAGS:
                    if (dataLen >= 4) {
                        flags = body.getInt(data);
                    }
                    break;
                case IFA_CACHEINFO:
                    if (dataLen >= 8) {
                        preferred = body.getInt(data) & 0xFFFFFFFFL;
                        valid = body.getInt(data + 4) & 0xFFFFFFFFL;
                    }
                    break;
                default:
                    break;
            }
            pos += align(len);
        }
        byte[] chosen = local != null ? local : address;
        int expected = family == Native.AF_INET ? 4 : family == Native.AF_INET6 ? 16 : -1;
        if (chosen == null || chosen.length != expected) {
            return null;
        }
        try {
            return new AddressInfo(InetAddress.getByAddress(chosen), prefix, index, scope, label, flags, preferred, valid);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] bytes(ByteBuffer b, int offset, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = b.get(offset + i);
        }
        return out;
    }

    private static String cString(ByteBuffer b, int offset, int length) {
        int end = 0;
        while (end < length && b.get(offset + end) != 0) {
            end++;
        }
        return new String(bytes(b, offset, end), StandardCharsets.US_ASCII);
    }
}
