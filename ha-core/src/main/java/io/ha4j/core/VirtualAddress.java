package io.ha4j.core;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;

/**
 * A virtual IP on one interface: address, prefix length, interface name and an optional IPv4 label
 * ({@code eth0:vip}). Equality is address + prefix + interface (the kernel's identity of an address);
 * the label is decoration.
 *
 * <p>{@link #parse(String, String)} takes keepalived's {@code virtual_ipaddress} form: {@code 10.0.2.100},
 * {@code 10.0.2.100/24}, {@code fd00::100/64}. Without a prefix, IPv4 gets /32 and IPv6 /128, as keepalived.
 */
public final class VirtualAddress {

    private final InetAddress address;
    private final int prefixLength;
    private final String interfaceName;
    private final String label;

    private VirtualAddress(InetAddress address, int prefixLength, String interfaceName, String label) {
        this.address = Objects.requireNonNull(address, "address");
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefixLength must be in [0, " + max + "], was " + prefixLength);
        }
        this.prefixLength = prefixLength;
        this.interfaceName = requireInterfaceName(interfaceName);
        if (label != null) {
            if (!(address instanceof Inet4Address)) {
                throw new IllegalArgumentException("label is only supported for IPv4 addresses, was '" + label + "'");
            }
            if (label.isEmpty() || label.length() > 15) {
                throw new IllegalArgumentException("label must be 1-15 characters (IFNAMSIZ), was '" + label + "'");
            }
        }
        this.label = label;
    }

    public static VirtualAddress of(InetAddress address, int prefixLength, String interfaceName) {
        return new VirtualAddress(address, prefixLength, interfaceName, null);
    }

    /** Parses {@code addr[/prefix]} without DNS lookups. */
    public static VirtualAddress parse(String cidr, String interfaceName) {
        Objects.requireNonNull(cidr, "cidr");
        String text = cidr.trim();
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = parseLiteral(addr);
        int prefix = address instanceof Inet4Address ? 32 : 128;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("prefix length of '" + cidr + "' is not a number");
            }
        }
        return new VirtualAddress(address, prefix, interfaceName, null);
    }

    /** Parses an IP literal; never resolves names. */
    public static InetAddress parseLiteral(String literal) {
        String s = literal.trim();
        boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        // only shapes that InetAddress parses as literals: anything else could reach the resolver
        boolean v6 = s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");
        if (!v4 && !v6) {
            throw new IllegalArgumentException("'" + literal + "' is not an IPv4 or IPv6 address literal");
        }
        if (v4) {
            for (String part : s.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("'" + literal + "' is not an IPv4 address literal");
                }
            }
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + literal + "' is not an IP address literal", e);
        }
    }

    /** The same address with an IPv4 label ({@code ip addr add ... label eth0:vip}). */
    public VirtualAddress withLabel(String label) {
        return new VirtualAddress(address, prefixLength, interfaceName, Objects.requireNonNull(label, "label"));
    }

    public InetAddress address() {
        return address;
    }

    public int prefixLength() {
        return prefixLength;
    }

    public String interfaceName() {
        return interfaceName;
    }

    public Optional<String> label() {
        return Optional.ofNullable(label);
    }

    public boolean isIpv6() {
        return address instanceof Inet6Address;
    }

    /** {@code 198.18.0.100/32} */
    public String cidr() {
        return address.getHostAddress().replaceFirst("%.*$", "") + "/" + prefixLength;
    }

    private static String requireInterfaceName(String name) {
        Objects.requireNonNull(name, "interfaceName");
        if (name.isEmpty() || name.length() > 15 || name.contains("/") || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("interfaceName must be 1-15 characters without '/' or spaces, was '" + name + "'");
        }
        return name;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof VirtualAddress)) {
            return false;
        }
        VirtualAddress other = (VirtualAddress) o;
        return prefixLength == other.prefixLength && address.equals(other.address)
                && interfaceName.equals(other.interfaceName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, prefixLength, interfaceName);
    }

    @Override
    public String toString() {
        return cidr() + " dev " + interfaceName + (label == null ? "" : " label " + label);
    }
}
