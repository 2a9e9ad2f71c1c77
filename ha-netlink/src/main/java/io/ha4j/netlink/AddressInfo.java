package io.ha4j.netlink;

import io.ha4j.core.VirtualAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An interface address as rtnetlink reports it ({@code RTM_NEWADDR}): address, prefix length, interface
 * index, scope, label (IPv4), {@code IFA_F_*} flags and lifetimes.
 */
public final class AddressInfo {

    /** {@code IFA_F_SECONDARY}: an IPv4 address added to a subnet the interface already had an address in. */
    public static final int IFA_F_SECONDARY = 0x01;
    /** {@code IFA_F_NODAD}: no duplicate address detection. */
    public static final int IFA_F_NODAD = 0x02;
    /** {@code IFA_F_DADFAILED}. */
    public static final int IFA_F_DADFAILED = 0x08;
    /** {@code IFA_F_DEPRECATED}: preferred lifetime over (not chosen as a source address). */
    public static final int IFA_F_DEPRECATED = 0x20;
    /** {@code IFA_F_TENTATIVE}: DAD still running. */
    public static final int IFA_F_TENTATIVE = 0x40;
    /** {@code IFA_F_PERMANENT}. */
    public static final int IFA_F_PERMANENT = 0x80;

    /** Lifetime value meaning "forever". */
    public static final long INFINITE_LIFETIME = 0xFFFFFFFFL;

    private final InetAddress address;
    private final int prefixLength;
    private final int interfaceIndex;
    private final int scope;
    private final String label;
    private final int flags;
    private final long preferredLifetime;
    private final long validLifetime;

    AddressInfo(InetAddress address, int prefixLength, int interfaceIndex, int scope, String label, int flags,
                long preferredLifetime, long validLifetime) {
        this.address = address;
        this.prefixLength = prefixLength;
        this.interfaceIndex = interfaceIndex;
        this.scope = scope;
        this.label = label;
        this.flags = flags;
        this.preferredLifetime = preferredLifetime;
        this.validLifetime = validLifetime;
    }

    public InetAddress address() {
        return address;
    }

    public int prefixLength() {
        return prefixLength;
    }

    public int interfaceIndex() {
        return interfaceIndex;
    }

    /** {@code RT_SCOPE_*}: 0 universe (global), 253 link, 254 host. */
    public int scope() {
        return scope;
    }

    /** The IPv4 label ({@code eth0:vip}); null for IPv6 or when the kernel sent none. */
    public String label() {
        return label;
    }

    /** {@code IFA_F_*} flags (the 32-bit {@code IFA_FLAGS} attribute when present). */
    public int flags() {
        return flags;
    }

    /** Seconds, {@link #INFINITE_LIFETIME} for forever. */
    public long preferredLifetime() {
        return preferredLifetime;
    }

    /** Seconds, {@link #INFINITE_LIFETIME} for forever. */
    public long validLifetime() {
        return validLifetime;
    }

    public boolean isIpv6() {
        return address instanceof Inet6Address;
    }

    /** This address as a {@link VirtualAddress} on {@code interfaceName} (with its label if it differs). */
    public VirtualAddress toVirtualAddress(String interfaceName) {
        VirtualAddress vip = VirtualAddress.of(address, prefixLength, interfaceName);
        if (label != null && !isIpv6() && !label.equals(interfaceName) && !label.isEmpty() && label.length() <= 15) {
            vip = vip.withLabel(label);
        }
        return vip;
    }

    /** Same address, prefix and interface index: the kernel's identity of an address. */
    boolean sameAddress(InetAddress otherAddress, int otherPrefix, int otherIndex) {
        return prefixLength == otherPrefix && interfaceIndex == otherIndex && address.equals(otherAddress);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AddressInfo)) {
            return false;
        }
        AddressInfo other = (AddressInfo) o;
        return prefixLength == other.prefixLength && interfaceIndex == other.interfaceIndex && scope == other.scope
                && flags == other.flags && preferredLifetime == other.preferredLifetime
                && validLifetime == other.validLifetime && address.equals(other.address)
                && Objects.equals(label, other.label);
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, prefixLength, interfaceIndex, scope, label, flags);
    }

    @Override
    public String toString() {
        return address.getHostAddress().replaceFirst("%.*$", "") + "/" + prefixLength + " ifindex " + interfaceIndex
                + " scope " + scope + (label == null ? "" : " label " + label) + " flags 0x"
                + Integer.toHexString(flags);
    }
}
