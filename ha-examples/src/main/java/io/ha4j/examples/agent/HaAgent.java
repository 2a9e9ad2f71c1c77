package io.ha4j.examples.agent;

import io.ha4j.core.HaCluster;
import io.ha4j.core.HaComponent;
import io.ha4j.core.HaStartException;
import io.ha4j.core.VipManager;
import io.ha4j.netlink.LinuxVipManager;
import io.ha4j.vrrp.RawSocketTransport;
import io.ha4j.vrrp.VrrpTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A drop-in for keepalived + HAProxy: reads their existing configuration files and runs the same cluster
 * in this JVM through ha4j's builders.
 *
 * <pre>
 * java -jar ha-agent.jar --keepalived-conf /etc/keepalived/keepalived.conf --haproxy-cfg /etc/haproxy/haproxy.cfg
 * java -jar ha-agent.jar --haproxy-cfg /etc/haproxy/haproxy.cfg --check
 * </pre>
 *
 * <p>{@code --check} validates like {@code haproxy -c} and {@code keepalived --config-test}: it parses both
 * files and builds every component (so builder validation runs too) without starting anything or needing
 * root, prints errors and warnings to stderr, {@code Configuration file is valid} to stdout, and exits 0,
 * or 1 when there is an error (a configuration with no VRRP instance and no listener is one). Files are read
 * within bounds ({@link ConfigFiles}, {@link KeepalivedLexer}), and at most {@value Diagnostics#MAX_LISTED}
 * findings are listed.
 *
 * <p>A real run also refuses to start on any error (warnings are printed and logged); a missing interface is
 * an error there. A start that fails all the same (a port in use) prints one line naming the component and
 * the cause, without a stack trace. It needs root (or
 * CAP_NET_ADMIN and CAP_NET_RAW) when keepalived's configuration is given, for VRRP's raw sockets
 * ({@link RawSocketTransport}, which also follows the interfaces' link states: an instance goes to FAULT when
 * its interface or a weight-0 {@code track_interface} loses carrier, as in keepalived), and the VIPs
 * ({@link LinuxVipManager}). SIGTERM or SIGINT stops it gracefully through a shutdown hook that closes the
 * cluster: VRRP instances send an advert with priority 0 and remove their VIPs first, then the balancers
 * stop accepting and let established connections finish for HAProxy's {@code hard-stop-after} (default
 * 30s), then the notify scripts for STOP are started and the event loop threads the balancers shared end.
 *
 * <p>What each keyword becomes is on {@link KeepalivedParser}, {@link HaproxyParser}, {@link AgentMapper}
 * and {@link HealthCheckMapping}; {@code include} in keepalived.conf is followed ({@link KeepalivedLexer}).
 *
 * <p>Exit codes: 0 valid, 1 configuration error or failure to start, 2 bad command line; a run stopped by
 * SIGTERM ends with the JVM's 143 (128 + 15) after the graceful stop.
 */
public final class HaAgent {

    static final String USAGE = """
            Usage: ha-agent [--keepalived-conf FILE] [--haproxy-cfg FILE] [--check]

            Runs the VRRP instances of a keepalived.conf and the TCP proxies of an haproxy.cfg with ha4j.
              --keepalived-conf FILE  keepalived configuration (vrrp_script, vrrp_instance, global_defs)
              --haproxy-cfg FILE      HAProxy configuration (global, defaults, frontend, backend, listen)
              --check                 validate the files and exit: 0 if valid, 1 if not (needs no root)
              --stats-allow-remote-without-auth
                                      serve a 'listen' stats page bound to a non-loopback address without
                                      'stats auth' (otherwise it is served on loopback: the page can
                                      drain and remove servers)
              --help                  this text
            At least one of --keepalived-conf and --haproxy-cfg is required.
            """;

    private static final Logger LOG = LoggerFactory.getLogger(HaAgent.class);
    private static final Duration NOTIFY_DEADLINE = Duration.ofSeconds(5);

    private final PrintStream out;
    private final PrintStream err;
    private final VrrpTransport.Factory vrrpTransport;

    HaAgent(PrintStream out, PrintStream err, VrrpTransport.Factory vrrpTransport) {
        this.out = out;
        this.err = err;
        this.vrrpTransport = vrrpTransport;
    }

    public static void main(String[] args) {
        System.exit(new HaAgent(System.out, System.err, RawSocketTransport.factory()).run(args));
    }

    /** The command line parsed. */
    record Options(Optional<Path> keepalivedConf, Optional<Path> haproxyCfg, boolean check, boolean help,
                   boolean statsAllowRemoteWithoutAuth) {
    }

    /** Runs the command line and returns the exit code (main passes it to {@code System.exit}). */
    int run(String... args) {
        Options options;
        try {
            options = parseArguments(args);
        } catch (IllegalArgumentException e) {
            err.println("ha-agent: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (options.help()) {
            out.print(USAGE);
            return 0;
        }
        Diagnostics diagnostics = new Diagnostics();
        Optional<AgentPlan> plan = load(options, diagnostics, vrrpTransport);
        diagnostics.all().forEach(err::println);
        if (diagnostics.unlisted() > 0) {
            err.println("ha-agent: " + diagnostics.unlisted() + " more error(s) and warning(s) not listed; the first "
                    + Diagnostics.MAX_LISTED + " are above");
        }
        if (options.check()) {
            plan.ifPresent(AgentPlan::close);
            if (diagnostics.hasErrors() || plan.isEmpty()) {
                out.println("Configuration file is invalid: " + diagnostics.errorCount() + " error(s), "
                        + diagnostics.warningCount() + " warning(s)");
                return 1;
            }
            out.println("Configuration file is valid");
            return 0;
        }
        if (diagnostics.hasErrors() || plan.isEmpty()) {
            err.println("ha-agent: not started: the configuration has " + diagnostics.errorCount() + " error(s)");
            return 1;
        }
        return runUntilStopped(plan.get());
    }

    static Options parseArguments(String... args) {
        Path keepalived = null;
        Path haproxy = null;
        boolean check = false;
        boolean help = false;
        boolean remoteStats = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--keepalived-conf", "--haproxy-cfg" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(a + " needs a file");
                    }
                    Path p = Path.of(args[++i]);
                    if (a.equals("--keepalived-conf")) {
                        if (keepalived != null) {
                            throw new IllegalArgumentException("--keepalived-conf given twice");
                        }
                        keepalived = p;
                    } else {
                        if (haproxy != null) {
                            throw new IllegalArgumentException("--haproxy-cfg given twice");
                        }
                        haproxy = p;
                    }
                }
                case "--check" -> check = true;
                case "--stats-allow-remote-without-auth" -> remoteStats = true;
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        if (!help && keepalived == null && haproxy == null) {
            throw new IllegalArgumentException("give --keepalived-conf FILE, --haproxy-cfg FILE or both");
        }
        return new Options(Optional.ofNullable(keepalived), Optional.ofNullable(haproxy), check, help, remoteStats);
    }

    /** Parses both files and maps them to built components; empty when the files have errors. */
    static Optional<AgentPlan> load(Options options, Diagnostics diagnostics, VrrpTransport.Factory vrrpTransport) {
        Optional<KeepalivedConfig> keepalived = options.keepalivedConf().map(p -> KeepalivedParser.parse(p, diagnostics));
        Optional<HaproxyConfig> haproxy = options.haproxyCfg().map(p -> HaproxyParser.parse(p, diagnostics));
        if (diagnostics.hasErrors()) {
            return Optional.empty();
        }
        requireSomethingToRun(keepalived, haproxy, diagnostics);
        keepalived.ifPresent(k -> checkInterfaces(k, options.check() ? Diagnostic.Severity.WARNING : Diagnostic.Severity.ERROR,
                diagnostics));
        if (diagnostics.hasErrors()) {
            return Optional.empty();
        }
        AgentPlan plan = new AgentMapper(diagnostics, vrrpTransport)
                .statsAllowRemoteWithoutAuth(options.statsAllowRemoteWithoutAuth()).map(keepalived, haproxy);
        if (diagnostics.hasErrors()) {
            plan.close();
            return Optional.empty();
        }
        return Optional.of(plan);
    }

    /**
     * A configuration with no VRRP instance and no listener would run forever doing nothing: an error, as
     * HAProxy refuses a configuration without a listener ("will not start (no listener)", exit 2; the agent
     * exits 1 for every configuration error). When only one of two files is empty, that is a warning.
     */
    private static void requireSomethingToRun(Optional<KeepalivedConfig> keepalived, Optional<HaproxyConfig> haproxy,
            Diagnostics diagnostics) {
        boolean vrrp = keepalived.map(k -> !k.instances().isEmpty()).orElse(false);
        boolean listeners = haproxy.map(h -> !h.frontends().isEmpty() || !h.stats().isEmpty()).orElse(false);
        Diagnostic.Severity severity = vrrp || listeners ? Diagnostic.Severity.WARNING : Diagnostic.Severity.ERROR;
        String consequence = severity == Diagnostic.Severity.ERROR ? "; there is nothing to run" : "";
        keepalived.filter(k -> k.instances().isEmpty()).ifPresent(k -> diagnostics.report(severity, k.file(), 0, "vrrp_instance",
                "the configuration defines no vrrp_instance" + consequence));
        haproxy.filter(h -> h.frontends().isEmpty() && h.stats().isEmpty()).ifPresent(h -> diagnostics.report(severity, h.file(), 0,
                "frontend", "the configuration defines no frontend or listen section with a bind (HAProxy: no listener)"
                        + consequence));
    }

    /**
     * A missing interface is a warning in {@code --check}, like {@code keepalived --config-test}: the files may
     * be checked on another machine than the one they are for. A real run cannot start without it, so there it
     * is an error, reported with the file and line before anything starts.
     */
    private static void checkInterfaces(KeepalivedConfig config, Diagnostic.Severity severity, Diagnostics diagnostics) {
        for (KeepalivedConfig.Instance i : config.instances()) {
            Set<String> names = new LinkedHashSet<>();
            names.add(i.interfaceName());
            i.trackInterfaces().forEach(t -> names.add(t.name()));
            i.virtualAddresses().forEach(v -> v.device().ifPresent(names::add));
            for (String name : names) {
                try {
                    if (NetworkInterface.getByName(name) == null) {
                        diagnostics.report(severity, i.origin().file(), i.origin().line(), "interface", "'" + i.name()
                                + "' uses interface " + name + ", which does not exist on this host");
                    }
                } catch (SocketException e) {
                    diagnostics.report(severity, i.origin().file(), i.origin().line(), "interface", "cannot list interfaces: "
                            + e.getMessage());
                }
            }
        }
    }

    private int runUntilStopped(AgentPlan plan) {
        Optional<VipManager> vipManager = Optional.empty();
        if (plan.needsVipManager()) {
            try {
                vipManager = Optional.of(LinuxVipManager.open());
            } catch (IOException | RuntimeException e) {
                err.println("ha-agent: cannot manage virtual addresses (run as root, or with CAP_NET_ADMIN and CAP_NET_RAW): " + e);
                plan.close();
                return 1;
            }
        }
        HaCluster cluster = plan.newCluster(vipManager);
        CountDownLatch stopped = new CountDownLatch(1);
        Optional<VipManager> vips = vipManager;
        Thread hook = new Thread(() -> {
            LOG.info("Stopping: VRRP instances release their addresses, balancers drain");
            try {
                cluster.close();
            } finally {
                plan.close(NOTIFY_DEADLINE); // after the balancers: the event loops they ran on go last
                vips.ifPresent(HaAgent::closeQuietly);
                stopped.countDown();
                LOG.info("Stopped");
            }
        }, "ha-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            cluster.start();
        } catch (RuntimeException e) {
            err.println("ha-agent: failed to start" + startFailure(e));
            LOG.debug("Start failure in full", e);
            Runtime.getRuntime().removeShutdownHook(hook);
            plan.close(NOTIFY_DEADLINE);
            vipManager.ifPresent(HaAgent::closeQuietly);
            return 1;
        }
        LOG.info("Running cluster '{}' with {}; stop with SIGTERM", cluster.name(),
                plan.components().stream().map(HaComponent::name).toList());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * One line for a failed start: the component and the innermost cause's message (the operator's problem,
     * e.g. "Address already in use"), without exception class names or a stack trace (that is logged at
     * debug level), then a hint from {@link #startHint}.
     */
    static String startFailure(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String component = failure instanceof HaStartException s ? " component '" + s.component() + "'" : "";
        String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return component + ": " + Diagnostic.shorten(message, Diagnostic.MAX_MESSAGE_CHARS) + startHint(failure);
    }

    /** What to do about the start failures a keepalived + HAProxy user is likely to meet. */
    static String startHint(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("Cannot assign requested address")) {
                return " (a bind address is not on this host yet: a VIP is only added once this node is VRRP master;"
                        + " set net.ipv4.ip_nonlocal_bind=1 or bind to *)";
            }
            if (m.contains("Address already in use")) {
                return " (is HAProxy still running on this port? stop it before starting the agent)";
            }
            if (m.contains("EPERM") || m.contains("Operation not permitted")) {
                return " (run as root, or with CAP_NET_ADMIN and CAP_NET_RAW)";
            }
        }
        return "";
    }

    private static void closeQuietly(VipManager vipManager) {
        try {
            vipManager.close();
        } catch (Exception e) {
            LOG.warn("Closing the VIP manager failed", e);
        }
    }
}
