package io.ha4j.examples.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The demo's client as a process of its own in the client namespace: {@link ClientLoad} against
 * {@code VIP:7443}, its events printed on standard output for the orchestrator. It runs until its standard
 * input says {@code quit} or ends.
 *
 * <pre>
 * ip netns exec NS java -cp ... io.ha4j.examples.demo.DemoClient --target 198.18.0.100:7443 --pki RUN_DIR
 * </pre>
 */
public final class DemoClient {

    private DemoClient() {
    }

    public static void main(String[] args) throws Exception {
        String target = null;
        Path pki = null;
        long intervalMs = 100;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target" -> target = value(args, ++i, "--target");
                case "--pki" -> pki = Path.of(value(args, ++i, "--pki"));
                case "--interval-ms" -> intervalMs = Long.parseLong(value(args, ++i, "--interval-ms"));
                default -> usage("unknown option " + args[i]);
            }
        }
        if (target == null || pki == null) {
            usage("--target and --pki are required");
        }
        int colon = target.lastIndexOf(':');
        InetSocketAddress to = new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        Consumer<DemoEvent> events = e -> {
            synchronized (out) {
                out.println(e.encode());
                out.flush();
            }
        };
        try (ClientLoad load = new ClientLoad(new ApiClient(DemoPki.in(pki).clientContext()), () -> to, events,
                Duration.ofMillis(intervalMs))) {
            load.start();
            awaitQuit();
        }
    }

    /** Blocks until standard input says {@code quit} or ends (the orchestrator went away). */
    static void awaitQuit() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.trim().equals("quit")) {
                    return;
                }
            }
        } catch (IOException e) {
            // standard input broke: same as end of file
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            usage(option + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("DemoClient: " + problem);
        System.err.println("usage: DemoClient --target IP:PORT --pki RUN_DIR [--interval-ms 100]");
        System.exit(2);
    }
}
