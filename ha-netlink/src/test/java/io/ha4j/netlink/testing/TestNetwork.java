package io.ha4j.netlink.testing;

import io.ha4j.netlink.NetworkNamespace;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throw-away Ethernet segment in network namespaces: one bridge namespace holding bridge {@code br0}, and
 * one namespace per node, each with an {@code eth0} veth whose peer is a port of {@code br0}. Node
 * {@code i} (1-based) gets {@code 198.18.0.i/24}; IPv6 link-local addresses come up at once (DAD off).
 *
 * <pre>{@code
 * try (TestNetwork net = TestNetwork.create("vip")) {
 *     TestNetwork.Node a = net.addNode("a");
 *     TestNetwork.Node b = net.addNode("b");
 *     b.exec("ping", "-c1", "-W1", a.ipv4().getHostAddress()).orThrow();
 *     a.run(() -> { try (VrrpSocket s = VrrpSocket.open(...)) { ... } return null; });
 * }
 * }</pre>
 *
 * <p>Rules it enforces: namespace names carry a per-run prefix ({@code h4j<pid><tag><n>}, n counting the
 * networks of this JVM), everything is
 * deleted by {@link #close()} and, as a backstop, by a JVM shutdown hook; every address it is asked to
 * configure must be in 198.18.0.0/15 (RFC 2544 benchmarking) or IPv6 link-local (which never leaves the
 * segment). Needs root and iproute2; {@link #create} throws {@link IllegalStateException} saying what is
 * missing (tests that use it fail rather than skip).
 */
public final class TestNetwork implements AutoCloseable {

    /** The interface name every node sees. */
    public static final String NODE_INTERFACE = "eth0";
    private static final Pattern TAG = Pattern.compile("[a-z0-9]{0,4}");
    private static final Pattern NODE_NAME = Pattern.compile("[a-z][a-z0-9]{0,7}");
    private static final java.util.concurrent.atomic.AtomicInteger CREATED = new java.util.concurrent.atomic.AtomicInteger();

    private final String prefix;
    private final String bridgeNamespace;
    private final List<String> namespaces = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Thread shutdownHook;
    private boolean closed;

    private TestNetwork(String prefix) {
        this.prefix = prefix;
        this.bridgeNamespace = prefix + "br";
        this.shutdownHook = new Thread(this::deleteNamespaces, prefix + "-cleanup");
    }

    /**
     * Creates the bridge namespace. {@code tag} (0-4 lower-case letters or digits) tells concurrent networks
     * of one test run apart.
     *
     * @throws IllegalStateException when not root or {@code ip} is missing
     */
    public static TestNetwork create(String tag) {
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("tag must be 0-4 characters [a-z0-9], was '" + tag + "'");
        }
        requirePrivileges();
        String prefix = "h4j" + ProcessHandle.current().pid() + tag + CREATED.incrementAndGet();
        TestNetwork network = new TestNetwork(prefix);
        Runtime.getRuntime().addShutdownHook(network.shutdownHook);
        try {
            network.addNamespace(network.bridgeNamespace);
            network.inBridge("ip", "link", "add", "br0", "type", "bridge", "mcast_snooping", "0").orThrow();
            network.inBridge("ip", "link", "set", "br0", "up").orThrow();
            network.inBridge("ip", "link", "set", "lo", "up").orThrow();
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
        return network;
    }

    /**
     * Fails with a message naming what is missing when this process is not root or iproute2 is absent. Tests
     * tagged {@code privileged} call it (directly or through {@link #create}) so that they fail, not skip.
     */
    public static void requirePrivileges() {
        String user = System.getProperty("user.name");
        CommandResult id = Commands.run(List.of("id", "-u"));
        if (!id.succeeded() || !id.stdout().trim().equals("0")) {
            throw new IllegalStateException("this test needs root (network namespaces, raw sockets); running as "
                    + user + " (uid " + id.stdout().trim() + ")");
        }
        if (!Commands.installed("ip")) {
            throw new IllegalStateException("this test needs iproute2's `ip` (apt-get install -y iproute2)");
        }
    }

    /**
     * Adds a node: a namespace {@code <prefix>-<name>} with {@code eth0} on the bridge, up, with
     * {@code 198.18.0.<n>/24} where n counts nodes from 1. {@code name}: a letter then up to 7 letters or digits.
     */
    public synchronized Node addNode(String name) {
        if (name == null || !NODE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("node name must match " + NODE_NAME.pattern() + ", was '" + name + "'");
        }
        if (nodes.containsKey(name)) {
            throw new IllegalArgumentException("node '" + name + "' exists already");
        }
        ensureOpen();
        int number = nodes.size() + 1;
        String namespace = prefix + "-" + name;
        addNamespace(namespace);
        Node node = new Node(this, name, namespace, number);
        node.exec("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0").orThrow();
        String port = "p" + number + name;
        Commands.run(List.of("ip", "-n", namespace, "link", "add", NODE_INTERFACE, "type", "veth", "peer", "name", port,
                "netns", bridgeNamespace)).orThrow();
        inBridge("ip", "link", "set", port, "master", "br0").orThrow();
        inBridge("ip", "link", "set", port, "up").orThrow();
        node.exec("ip", "link", "set", "lo", "up").orThrow();
        node.exec("ip", "link", "set", NODE_INTERFACE, "up").orThrow();
        node.addAddress(node.ipv4().getHostAddress() + "/24");
        nodes.put(name, node);
        return node;
    }

    /** The node called {@code name}. */
    public synchronized Node node(String name) {
        Node node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException("no node '" + name + "' in " + nodes.keySet());
        }
        return node;
    }

    /** The namespace holding the bridge {@code br0}. */
    public String bridgeNamespace() {
        return bridgeNamespace;
    }

    /** The per-run prefix of every namespace of this network. */
    public String prefix() {
        return prefix;
    }

    /**
     * Throws unless {@code address} (optionally with {@code /prefix}) is in 198.18.0.0/15 or IPv6 link-local.
     */
    public static InetAddress requireTestAddress(String address) {
        String literal = address.contains("/") ? address.substring(0, address.indexOf('/')) : address;
        InetAddress parsed = io.ha4j.core.VirtualAddress.parseLiteral(literal);
        if (parsed instanceof Inet4Address) {
            byte[] a = parsed.getAddress();
            if ((a[0] & 0xff) == 198 && ((a[1] & 0xff) == 18 || (a[1] & 0xff) == 19)) {
                return parsed;
            }
        } else if (parsed instanceof Inet6Address && parsed.isLinkLocalAddress()) {
            return parsed;
        }
        throw new IllegalArgumentException("test networks only use 198.18.0.0/15 and IPv6 link-local fe80::/10, not "
                + address);
    }

    private CommandResult inBridge(String... command) {
        return Commands.run(withNamespace(bridgeNamespace, command));
    }

    private void addNamespace(String namespace) {
        Commands.run(List.of("ip", "netns", "add", namespace)).orThrow();
        namespaces.add(namespace);
    }

    /** {@code ip netns exec NAMESPACE command...} as a command line, for a process a test starts and reads itself. */
    public static List<String> withNamespace(String namespace, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("TestNetwork " + prefix + " is closed");
        }
    }

    private void deleteNamespaces() {
        List<String> copy;
        synchronized (namespaces) {
            copy = new ArrayList<>(namespaces);
            namespaces.clear();
        }
        Collections.reverse(copy);
        for (String ns : copy) {
            Commands.run(List.of("ip", "netns", "del", ns));
        }
    }

    /** Deletes every namespace (and so every interface) of this network. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        deleteNamespaces();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway and finds nothing left to delete
        }
    }

    /** One namespace on the segment, with {@code eth0} on the bridge. */
    public static final class Node {
        private static final Pattern LOCAL = Pattern.compile("\"local\"\\s*:\\s*\"([^\"]+)\"\\s*,\\s*\"prefixlen\"\\s*:\\s*(\\d+)");
        private static final Pattern LLADDR = Pattern.compile("lladdr\\s+([0-9a-f:]{17})");
        private static final Pattern MAC = Pattern.compile("link/ether\\s+([0-9a-f:]{17})");

        private final TestNetwork network;
        private final String name;
        private final String namespace;
        private final int number;

        Node(TestNetwork network, String name, String namespace, int number) {
            this.network = network;
            this.name = name;
            this.namespace = namespace;
            this.number = number;
        }

        public String name() {
            return name;
        }

        /** The namespace name, for {@code ip netns exec} and {@link NetworkNamespace#run}. */
        public String namespace() {
            return namespace;
        }

        public String interfaceName() {
            return NODE_INTERFACE;
        }

        /** 198.18.0.n, the node's own address. */
        public InetAddress ipv4() {
            try {
                return InetAddress.getByAddress(new byte[] {(byte) 198, 18, 0, (byte) number});
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The MAC address of {@code eth0}, as {@code 02:ab:...}. */
        public String mac() {
            Matcher m = MAC.matcher(exec("ip", "link", "show", NODE_INTERFACE).orThrow());
            if (!m.find()) {
                throw new IllegalStateException("no link/ether on " + namespace + " " + NODE_INTERFACE);
            }
            return m.group(1);
        }

        /** The IPv6 link-local address of {@code eth0}. */
        public InetAddress ipv6LinkLocal() {
            for (String cidr : addresses()) {
                if (cidr.startsWith("fe80:")) {
                    return io.ha4j.core.VirtualAddress.parseLiteral(cidr.substring(0, cidr.indexOf('/')));
                }
            }
            throw new IllegalStateException("no IPv6 link-local address on " + namespace + " " + NODE_INTERFACE);
        }

        /** Runs {@code command} in this namespace ({@code ip netns exec}), waiting at most 30 s. */
        public CommandResult exec(String... command) {
            return Commands.run(withNamespace(namespace, command));
        }

        /** {@code ip addr add <cidr> dev eth0} (plus {@code nodad} for IPv6); the address must be a test one. */
        public void addAddress(String cidr) {
            InetAddress a = requireTestAddress(cidr);
            if (a instanceof Inet6Address) {
                exec("ip", "addr", "add", cidr, "dev", NODE_INTERFACE, "nodad").orThrow();
            } else {
                exec("ip", "addr", "add", cidr, "dev", NODE_INTERFACE).orThrow();
            }
        }

        /** {@code ip addr del <cidr> dev eth0}. */
        public CommandResult deleteAddress(String cidr) {
            requireTestAddress(cidr);
            return exec("ip", "addr", "del", cidr, "dev", NODE_INTERFACE);
        }

        /** The addresses on {@code eth0} as {@code addr/prefix}, from {@code ip -j addr}. */
        public List<String> addresses() {
            String json = exec("ip", "-j", "addr", "show", "dev", NODE_INTERFACE).orThrow();
            List<String> result = new ArrayList<>();
            Matcher m = LOCAL.matcher(json);
            while (m.find()) {
                result.add(m.group(1) + "/" + m.group(2));
            }
            return result;
        }

        /** The MAC the neighbour table of this node holds for {@code address} on eth0, if any. */
        public Optional<String> neighbor(String address) {
            requireTestAddress(address);
            Matcher m = LLADDR.matcher(exec("ip", "neigh", "show", address, "dev", NODE_INTERFACE).orThrow());
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        }

        /** {@code ip link set eth0 up|down}: cut this node off the segment, or put it back. */
        public void setLinkUp(boolean up) {
            exec("ip", "link", "set", NODE_INTERFACE, up ? "up" : "down").orThrow();
        }

        /** {@code sysctl -w key=value} in this namespace. */
        public void sysctl(String key, String value) {
            exec("sysctl", "-qw", key + "=" + value).orThrow();
        }

        /** Calls {@code body} on the calling thread moved into this namespace (see {@link NetworkNamespace}). */
        public <T> T run(Callable<T> body) throws Exception {
            return NetworkNamespace.run(namespace, body);
        }

        public TestNetwork network() {
            return network;
        }

        @Override
        public String toString() {
            return name + " (" + namespace + ", " + ipv4().getHostAddress() + ")";
        }
    }
}
