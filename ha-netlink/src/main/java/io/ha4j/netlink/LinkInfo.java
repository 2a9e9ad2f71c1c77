package io.ha4j.netlink;

import java.util.Arrays;
import java.util.Objects;

/**
 * A network interface as rtnetlink reports it ({@code RTM_NEWLINK}): index, name, hardware address, MTU,
 * {@code IFF_*} flags and RFC 2863 operational state.
 */
public final class LinkInfo {

    /** {@code IFF_UP}: administratively up. */
    public static final int IFF_UP = 0x1;
    /** {@code IFF_LOOPBACK}. */
    public static final int IFF_LOOPBACK = 0x8;
    /** {@code IFF_NOARP}: no ARP on this link, so no gratuitous ARP either. */
    public static final int IFF_NOARP = 0x80;
    /** {@code IFF_LOWER_UP}: carrier. */
    public static final int IFF_LOWER_UP = 0x10000;

    /** {@code IF_OPER_*} as in RFC 2863 and linux/if.h. */
    public enum OperState { UNKNOWN, NOTPRESENT, DOWN, LOWERLAYERDOWN, TESTING, DORMANT, UP;

        static OperState of(int value) {
            OperState[] all = values();
            return value >= 0 && value < all.length ? all[value] : UNKNOWN;
        }
    }

    private final int index;
    private final String name;
    private final byte[] hardwareAddress;
    private final int mtu;
    private final int flags;
    private final OperState operState;

    LinkInfo(int index, String name, byte[] hardwareAddress, int mtu, int flags, OperState operState) {
        this.index = index;
        this.name = name;
        this.hardwareAddress = hardwareAddress == null ? new byte[0] : hardwareAddress.clone();
        this.mtu = mtu;
        this.flags = flags;
        this.operState = operState;
    }

    public int index() {
        return index;
    }

    /** The interface name; null in the rare message that lacks it. */
    public String name() {
        return name;
    }

    /** The MAC address (6 bytes for Ethernet), empty when the link has none. */
    public byte[] hardwareAddress() {
        return hardwareAddress.clone();
    }

    public int mtu() {
        return mtu;
    }

    public int flags() {
        return flags;
    }

    public OperState operState() {
        return operState;
    }

    /** {@code IFF_UP} is set. */
    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    /** The MAC as {@code 02:00:5e:00:01:33}. */
    public String hardwareAddressString() {
        return formatMac(hardwareAddress);
    }

    static String formatMac(byte[] mac) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < mac.length; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(String.format("%02x", mac[i] & 0xff));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LinkInfo)) {
            return false;
        }
        LinkInfo other = (LinkInfo) o;
        return index == other.index && mtu == other.mtu && flags == other.flags && operState == other.operState
                && Objects.equals(name, other.name) && Arrays.equals(hardwareAddress, other.hardwareAddress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, name, mtu, flags, operState) * 31 + Arrays.hashCode(hardwareAddress);
    }

    @Override
    public String toString() {
        return index + ": " + name + " <" + (isUp() ? "UP" : "DOWN") + "> mtu " + mtu + " state " + operState
                + " link " + hardwareAddressString();
    }
}
