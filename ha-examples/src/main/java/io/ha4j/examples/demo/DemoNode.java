package io.ha4j.examples.demo;

import io.ha4j.core.Clock;
import io.ha4j.core.VirtualAddress;
import io.ha4j.netlink.LinuxVipManager;
import io.ha4j.vrrp.RawSocketTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One control-plane node as its own process, the way it is deployed: started inside the node's network
 * namespace, it runs a {@link ControlPlaneNode} with the Linux VIP manager (rtnetlink, gratuitous ARP) and
 * VRRP on raw sockets ({@link RawSocketTransport}, which also follows the interface's link state: FAULT while it is
 * down, as keepalived), and prints its {@link DemoEvent}s on standard output.
 *
 * <pre>
 * ip netns exec NS java -cp ... io.ha4j.examples.demo.DemoNode --name node1 --address 198.18.0.11 \
 *     --interface eth0 --priority 150 --vip 198.18.0.100/32 --peers 198.18.0.11,198.18.0.12,198.18.0.13 \
 *     --backends node1=198.18.0.11:6443,node2=198.18.0.12:6443,node3=198.18.0.13:6443 --pki RUN_DIR \
 *     [--advert-int 1] [--state MASTER|BACKUP] [--nopreempt]
 * </pre>
 *
 * <p>Commands on standard input, one per line: {@code apiserver shutdown} ({@code /readyz} 503),
 * {@code apiserver stop}, {@code quit}. End of input (the orchestrator died) and SIGTERM stop the node
 * gracefully too: VRRP sends priority 0 and removes the VIP, then the balancer and the apiserver stop.
 * {@code --peers} lists every node; the node's own address is left out of its unicast peers, and with
 * {@code --multicast} adverts go to 224.0.0.18 instead.
 */
public final class DemoNode {

    private DemoNode() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        boolean preempt = true;
        boolean multicast = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--nopreempt" -> preempt = false;
                case "--multicast" -> multicast = true;
                case "--name", "--address", "--interface", "--priority", "--vip", "--peers", "--backends", "--pki",
                        "--advert-int", "--apiserver-port", "--balancer-port", "--state" -> {
                    if (i + 1 >= args.length) {
                        usage(args[i] + " needs a value");
                    }
                    o.put(args[i], args[++i]);
                }
                default -> usage("unknown option " + args[i]);
            }
        }
        for (String required : List.of("--name", "--address", "--interface", "--priority", "--vip", "--backends", "--pki")) {
            if (!o.containsKey(required)) {
                usage(required + " is required");
            }
        }
        String name = o.get("--name");
        String address = o.get("--address");
        Map<String, InetSocketAddress> backends = new LinkedHashMap<>();
        for (String b : o.get("--backends").split(",")) {
            String[] kv = b.split("=", 2);
            int colon = kv[1].lastIndexOf(':');
            backends.put(kv[0], new InetSocketAddress(VirtualAddress.parseLiteral(kv[1].substring(0, colon)),
                    Integer.parseInt(kv[1].substring(colon + 1))));
        }
        List<InetAddress> peers = new ArrayList<>();
        if (!multicast && o.containsKey("--peers")) {
            for (String p : o.get("--peers").split(",")) {
                if (!p.equals(address)) {
                    peers.add(VirtualAddress.parseLiteral(p));
                }
            }
        }
        InetAddress bindAll = VirtualAddress.parseLiteral("0.0.0.0");
        ControlPlaneNode.Spec spec = new ControlPlaneNode.Spec(name,
                new InetSocketAddress(VirtualAddress.parseLiteral(address), Integer.parseInt(o.getOrDefault("--apiserver-port", "6443"))),
                new InetSocketAddress(bindAll, Integer.parseInt(o.getOrDefault("--balancer-port", "7443"))),
                backends,
                VirtualAddress.parse(o.get("--vip"), o.get("--interface")),
                Integer.parseInt(o.get("--priority")),
                "MASTER".equalsIgnoreCase(o.getOrDefault("--state", "BACKUP")),
                preempt,
                Duration.ofSeconds(Long.parseLong(o.getOrDefault("--advert-int", "1"))),
                peers);

        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        Consumer<DemoEvent> events = e -> {
            synchronized (out) {
                out.println(e.encode());
                out.flush();
            }
        };
        Clock clock = Clock.system();
        LinuxVipManager vipManager;
        try {
            vipManager = LinuxVipManager.open();
        } catch (IOException | RuntimeException e) {
            failed(name, events, clock, e);
            return;
        }
        ControlPlaneNode node = new ControlPlaneNode(spec, DemoPki.in(Path.of(o.get("--pki"))), vipManager,
                RawSocketTransport.factory(), events, clock, null);
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                node.close();
                vipManager.close();
            }
        };
        Thread hook = new Thread(stop, "demo-node-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            node.start();
        } catch (Exception e) {
            stop.run();
            failed(name, events, clock, e);
        }
        readCommands(node, name, events, clock);
        stop.run();
        Runtime.getRuntime().removeShutdownHook(hook);
    }

    /** Reports the failure to the orchestrator, with the stack trace in the node's log, and exits. */
    private static void failed(String name, Consumer<DemoEvent> events, Clock clock, Exception e) {
        events.accept(new DemoEvent(clock.nanoTime(), name, DemoEvent.Kind.NODE, "", "FAILED", ClientLoad.describe(e)));
        e.printStackTrace();
        System.exit(1);
    }

    private static void readCommands(ControlPlaneNode node, String name, Consumer<DemoEvent> events, Clock clock) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                switch (line.trim()) {
                    case "apiserver shutdown" -> node.shutDownApiserver();
                    case "apiserver stop" -> node.stopApiserver();
                    case "quit" -> {
                        return;
                    }
                    case "" -> { }
                    default -> events.accept(new DemoEvent(clock.nanoTime(), name, DemoEvent.Kind.NODE, "", "UNKNOWN_COMMAND", line));
                }
            }
        } catch (IOException e) {
            // standard input broke: same as end of file, stop
        }
    }

    private static void usage(String problem) {
        System.err.println("DemoNode: " + problem);
        System.err.println("usage: DemoNode --name N --address IP --interface IF --priority P --vip CIDR --backends n=ip:port,...");
        System.err.println("                --pki RUN_DIR [--peers ip,ip,...] [--multicast] [--advert-int S] [--state MASTER] [--nopreempt]");
        System.exit(2);
    }
}
