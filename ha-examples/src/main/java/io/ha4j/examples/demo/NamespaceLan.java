package io.ha4j.examples.demo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's LAN: one network namespace per member (three control-plane nodes and a client), each with an
 * {@code eth0} plugged into one bridge. The bridge lives in a namespace of its own ({@code <prefix>lan}), so
 * the host's own network is never touched. Only addresses in 198.18.0.0/15 are used.
 *
 * <p>Built with the {@code ip} command (iproute2), as a reader would do it by hand. Every namespace name
 * starts with the run's prefix; {@link #close()} (and {@link #deleteAll(String)} from a shutdown hook or the
 * demo script's trap) deletes every namespace with that prefix, which also deletes the veth pairs and the
 * bridge and any VIP left on them.
 */
final class NamespaceLan implements AutoCloseable {

    static final String INTERFACE = "eth0";
    private static final String LAN = "lan";
    private static final Pattern INET = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+)");

    private final String prefix;
    private final Map<String, String> members = new LinkedHashMap<>();
    private boolean closed;

    private NamespaceLan(String prefix) {
        this.prefix = prefix;
    }

    /**
     * Creates the bridge and one namespace per member, {@code member -> address/prefix}; on any failure,
     * deletes what it created and throws.
     */
    static NamespaceLan create(String prefix, Map<String, String> memberAddresses) throws IOException, InterruptedException {
        NamespaceLan lan = new NamespaceLan(prefix);
        try {
            String bridgeNs = lan.namespace(LAN);
            ip("netns", "add", bridgeNs);
            ip("-n", bridgeNs, "link", "set", "lo", "up");
            ip("-n", bridgeNs, "link", "add", "br0", "type", "bridge");
            ip("-n", bridgeNs, "link", "set", "br0", "up");
            for (Map.Entry<String, String> m : memberAddresses.entrySet()) {
                String member = m.getKey();
                String ns = lan.namespace(member);
                ip("netns", "add", ns);
                lan.members.put(member, m.getValue());
                ip("-n", bridgeNs, "link", "add", "name", member, "type", "veth", "peer", "name", INTERFACE, "netns", ns);
                ip("-n", bridgeNs, "link", "set", "dev", member, "master", "br0", "up");
                ip("-n", ns, "link", "set", "lo", "up");
                ip("-n", ns, "addr", "add", m.getValue(), "dev", INTERFACE);
                ip("-n", ns, "link", "set", INTERFACE, "up");
            }
            return lan;
        } catch (IOException | InterruptedException | RuntimeException e) {
            lan.close();
            throw e;
        }
    }

    /** The namespace name of {@code member}. */
    String namespace(String member) {
        return prefix + member;
    }

    String prefix() {
        return prefix;
    }

    /** Cuts {@code member} off the LAN, as a pulled cable or a dead host: its bridge port goes down. */
    void linkDown(String member) throws IOException, InterruptedException {
        ip("-n", namespace(LAN), "link", "set", "dev", member, "down");
    }

    void linkUp(String member) throws IOException, InterruptedException {
        ip("-n", namespace(LAN), "link", "set", "dev", member, "up");
    }

    /** The IPv4 addresses on {@code member}'s {@code eth0} as {@code ip addr} shows them. */
    List<String> addresses(String member) throws IOException, InterruptedException {
        String out = ip("-n", namespace(member), "-4", "-o", "addr", "show", "dev", INTERFACE);
        List<String> result = new ArrayList<>();
        Matcher m = INET.matcher(out);
        while (m.find()) {
            result.add(m.group(1));
        }
        return result;
    }

    /** Deletes every namespace of this run. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        deleteAll(prefix);
    }

    /** Deletes every namespace whose name starts with {@code prefix}; for crash recovery too. */
    static void deleteAll(String prefix) {
        if (prefix == null || prefix.length() < 4) {
            throw new IllegalArgumentException("namespace prefix must be at least 4 characters, was '" + prefix + "'");
        }
        try {
            for (String line : ip("netns", "list").split("\n")) {
                String name = line.trim().split("\\s+")[0];
                if (name.startsWith(prefix)) {
                    try {
                        ip("netns", "del", name);
                    } catch (IOException e) {
                        System.err.println("demo: could not delete namespace " + name + ": " + e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("demo: could not list namespaces: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether this process may create network namespaces ({@code ip netns add} works), and why not. */
    static String unavailabilityCause() {
        String probe = "h4jprobe" + ProcessHandle.current().pid();
        try {
            ip("netns", "add", probe);
            ip("netns", "del", probe);
            return null;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Runs {@code ip args...}; returns its standard output, throws with its error output on failure. */
    static String ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        try {
            return Commands.run(command, 10);
        } catch (IOException e) {
            if (e.getMessage().startsWith("cannot run")) {
                throw new IOException(e.getMessage() + " (install iproute2)", e);
            }
            throw e;
        }
    }
}
