package io.ha4j.netlink;

import io.ha4j.core.VirtualAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link UnprivilegedTest} in a child JVM without capabilities: calls every entry point and prints one
 * line per entry point, {@code OK <entry>: <message>} when it failed with a message naming the missing
 * privilege, {@code BAD <entry>: ...} otherwise. Exits 0 only when every line is OK.
 */
public final class UnprivilegedProbe {

    interface Entry {
        void call() throws Exception;
    }

    private static final List<String> BAD = new ArrayList<>();

    public static void main(String[] args) {
        String namespace = args[0];
        check("Netlink.isAvailable", () -> {
            if (Netlink.isAvailable()) {
                throw new AssertionError("reports available without capabilities");
            }
            throw (Exception) Netlink.unavailabilityCause();
        }, "CAP_NET_ADMIN");
        check("Netlink.ensureAvailability", () -> {
            try {
                Netlink.ensureAvailability();
            } catch (UnsatisfiedLinkError e) {
                throw new Exception(e.getMessage(), e);
            }
        }, "CAP_NET_ADMIN");
        check("LinuxVipManager.open", () -> LinuxVipManager.open().close(), "CAP_NET_RAW");
        check("RouteNetlink.addAddress", () -> {
            try (RouteNetlink netlink = RouteNetlink.open()) {
                int index = netlink.link("eth0").index();
                netlink.addAddress(InetAddress.getByName("198.18.0.250"), 32, index, 0, null, 0, false);
            }
        }, "CAP_NET_ADMIN");
        check("VrrpSocket.open IPv4", () -> VrrpSocket.open(VrrpSocket.Options.ipv4("eth0").build()).close(), "CAP_NET_RAW");
        check("VrrpSocket.open IPv6", () -> VrrpSocket.open(VrrpSocket.Options.ipv6("eth0").build()).close(), "CAP_NET_RAW");
        check("NeighborAnnouncer.open", () -> NeighborAnnouncer.open("eth0").close(), "CAP_NET_RAW");
        check("NetworkNamespace.run", () -> NetworkNamespace.run(namespace, () -> null), "CAP_SYS_ADMIN");
        check("LinuxVipManager.add (VirtualAddress)", () -> {
            try (LinuxVipManager m = LinuxVipManager.open()) {
                m.add(VirtualAddress.parse("198.18.0.251/32", "eth0"));
            }
        }, "CAP_NET_RAW");
        System.out.flush();
        System.exit(BAD.isEmpty() ? 0 : 1);
    }

    private static void check(String entry, Entry call, String expected) {
        try {
            call.call();
            report(false, entry, "succeeded without privileges");
        } catch (Throwable t) {
            String message = String.valueOf(t.getMessage());
            boolean clear = message.contains(expected) && message.contains("EPERM");
            report(clear, entry, t.getClass().getSimpleName() + ": " + message);
        }
    }

    private static void report(boolean ok, String entry, String text) {
        String line = (ok ? "OK " : "BAD ") + entry + ": " + text;
        if (!ok) {
            BAD.add(line);
        }
        System.out.println(line);
    }
}
