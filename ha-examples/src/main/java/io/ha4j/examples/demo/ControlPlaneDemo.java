package io.ha4j.examples.demo;

import io.ha4j.core.Clock;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The failover demo, the README's main command ({@code scripts/demo.sh}): the Kubernetes control-plane front
 * of the seed documents — three nodes, each with a kube-apiserver on {@code :6443}, a balancer on
 * {@code :7443} and a VRRP instance for the VIP {@code 198.18.0.100} — and a client that uses the VIP, put
 * through a crash of the master, the shutdown of an apiserver, and the return of the old master
 * ({@link DemoStory}), printed as a timeline with a summary.
 *
 * <p>As root with network namespaces it is real ({@link NamespaceControlPlane}): namespaces on a bridge,
 * one JVM per node, real VIPs and VRRP packets. Otherwise, or with {@code --simulate}, it says so loudly and
 * runs the same story in one JVM on a simulated LAN with loopback balancers ({@link SimulatedControlPlane}).
 * Everything it creates is removed at the end, on failure, and on Ctrl-C or SIGTERM (shutdown hook).
 *
 * <p>Exit status: 0 when everything happened as expected, 1 when not (the summary says what), 2 for a bad
 * command line.
 */
public final class ControlPlaneDemo {

    private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    private ControlPlaneDemo() {
    }

    public static void main(String[] args) throws Exception {
        DemoOptions options;
        try {
            options = DemoOptions.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("ControlPlaneDemo: " + e.getMessage());
            System.err.print(DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        if (System.getProperty(LOG_LEVEL) == null) {
            // the timeline is the output; library INFO lines (the simulation runs the nodes in this JVM) would bury it
            System.setProperty(LOG_LEVEL, "warn");
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        DemoOutcome outcome = run(options, out);
        System.exit(outcome.ok() ? 0 : 1);
    }

    /**
     * Runs the demo and returns what it found; real unless {@code options.simulate()} or namespaces are not
     * available. Everything created is removed before this returns.
     */
    static DemoOutcome run(DemoOptions options, PrintStream out) throws Exception {
        String whyNotReal = options.simulate() ? "--simulate was given" : realUnavailability();
        return run(options, out, whyNotReal == null, whyNotReal);
    }

    /** Runs the real demo, or fails with the reason it cannot. */
    static DemoOutcome runReal(DemoOptions options, PrintStream out) throws Exception {
        String whyNotReal = realUnavailability();
        if (whyNotReal != null) {
            throw new IllegalStateException("the real demo cannot run here: " + whyNotReal);
        }
        return run(options, out, true, null);
    }

    private static DemoOutcome run(DemoOptions options, PrintStream out, boolean real, String whyNotReal) throws Exception {
        Timeline timeline = new Timeline(Clock.system(), out);
        if (!real) {
            out.println("****************************************************************************************");
            out.println("* SIMULATION: " + whyNotReal + ".");
            out.println("* This run is IN-PROCESS: three ha4j nodes on a simulated LAN (virtual VRRP packets), their");
            out.println("* balancers and stand-in apiservers on 127.0.0.1 ports. No network namespace, no real VIP:");
            out.println("* \"the VIP\" is whichever node's balancer the client is sent to. Run as root on Linux with");
            out.println("* iproute2 for the real demo (network namespaces, raw VRRP, a real 198.18.0.100).");
            out.println("****************************************************************************************");
        }
        Path runDir = Files.createTempDirectory("ha4j-demo-");
        ControlPlane plane = null;
        Thread hook = null;
        boolean ok = false;
        try {
            plane = real ? NamespaceControlPlane.create(options, timeline, runDir)
                    : SimulatedControlPlane.create(options, timeline, runDir);
            ControlPlane toClose = plane;
            hook = new Thread(() -> {
                out.println("demo: interrupted, cleaning up");
                toClose.close();
                if (real) {
                    NamespaceLan.deleteAll(options.prefix());
                }
            }, "demo-cleanup");
            Runtime.getRuntime().addShutdownHook(hook);
            DemoOutcome outcome = new DemoStory(plane, timeline, options).run();
            ok = outcome.ok();
            return outcome;
        } finally {
            if (plane != null) {
                timeline.step("Cleaning up");
                plane.close();
            }
            if (real) {
                NamespaceLan.deleteAll(options.prefix());
                timeline.say("removed every network namespace named " + options.prefix() + "*");
            }
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is already shutting down: the hook runs (and finds everything closed)
                }
            }
            if (ok) {
                deleteTree(runDir);
            } else {
                timeline.say("logs of the nodes and the client kept in " + runDir);
            }
        }
    }

    /** Why the real demo cannot run here, or {@code null} when it can. */
    static String realUnavailability() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "this is not Linux (network namespaces are a Linux feature)";
        }
        String cause = NamespaceLan.unavailabilityCause();
        return cause == null ? null : "cannot create network namespaces (needs root and iproute2): " + cause;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("demo: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
