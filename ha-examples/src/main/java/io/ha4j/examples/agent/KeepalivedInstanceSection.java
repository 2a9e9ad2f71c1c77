package io.ha4j.examples.agent;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A {@code vrrp_instance NAME { ... }} block, in three steps: each keyword fills a {@link Draft}
 * ({@link #keyword}), keepalived's own load-time corrections are applied to it with a warning each
 * ({@link #correct}), and the draft becomes a {@link KeepalivedConfig.Instance} when the block added no error.
 * The lines of the sub-blocks are read by {@link KeepalivedInstanceLists}.
 */
final class KeepalivedInstanceSection {

    private static final String NO_EMAIL = "ha4j sends no e-mail; use notify scripts or an HaListener";

    /** vrrp_instance keywords that are accepted with a warning, and why they have no effect. */
    private static final Map<String, String> INSTANCE_IGNORED = Map.of(
            "smtp_alert", NO_EMAIL,
            "debug", "set log levels through slf4j (io.ha4j.vrrp) instead",
            "accept", "ha4j never filters traffic to the VIPs, which is keepalived's default accept mode already");

    private static final Duration MAX_INTERVAL = KeepalivedParser.MAX_INTERVAL;

    private final KeepalivedSyntax syntax;
    private final Diagnostics diagnostics;
    private final Values values;
    private final KeepalivedInstanceLists lists;

    KeepalivedInstanceSection(KeepalivedSyntax syntax) {
        this.syntax = syntax;
        this.diagnostics = syntax.diagnostics;
        this.values = syntax.values;
        this.lists = new KeepalivedInstanceLists(syntax);
    }

    /** An instance being read; starts from keepalived's defaults and the global_defs. */
    private static final class Draft {
        final KeepalivedStatement block;
        final String name;
        final KeepalivedConfig.GlobalDefs globals;
        final List<KeepalivedConfig.Script> scripts;
        final KeepalivedSyntax.Seen seen;
        KeepalivedConfig.InitialState state = KeepalivedConfig.InitialState.BACKUP;
        KeepalivedStatement stateStatement;
        String iface;
        Integer vrid;
        int priority = 100;
        Duration advert = Duration.ofSeconds(1);
        KeepalivedStatement advertStatement;
        Integer version;
        Optional<KeepalivedConfig.Authentication> auth = Optional.empty();
        KeepalivedStatement authStatement;
        final List<KeepalivedConfig.Vip> vips = new ArrayList<>();
        Optional<InetAddress> unicastSrc = Optional.empty();
        final List<InetAddress> peers = new ArrayList<>();
        final List<KeepalivedConfig.TrackedScript> tracked = new ArrayList<>();
        final List<KeepalivedConfig.TrackedInterface> trackedIfs = new ArrayList<>();
        final Map<String, String> notify = new HashMap<>();
        boolean preempt = true;
        KeepalivedStatement nopreemptStatement;
        Duration preemptDelay = Duration.ZERO;
        Optional<Duration> garpDelay;
        OptionalInt garpRepeat;
        Optional<Duration> garpRefresh;
        int effectiveVersion;

        Draft(KeepalivedStatement block, String name, KeepalivedConfig.GlobalDefs globals, List<KeepalivedConfig.Script> scripts,
                KeepalivedSyntax.Seen seen) {
            this.block = block;
            this.name = name;
            this.globals = globals;
            this.scripts = scripts;
            this.seen = seen;
            this.garpDelay = globals.garpMasterDelay();
            this.garpRepeat = globals.garpMasterRepeat();
            this.garpRefresh = globals.garpMasterRefresh();
        }
    }

    Optional<KeepalivedConfig.Instance> parse(KeepalivedStatement block, String name, KeepalivedConfig.GlobalDefs globals,
            List<KeepalivedConfig.Script> scripts) {
        int errorsBefore = diagnostics.errorCount();
        Draft d = new Draft(block, name, globals, scripts, syntax.newSeen());
        for (KeepalivedStatement st : block.block()) {
            if (INSTANCE_IGNORED.containsKey(st.keyword())) {
                diagnostics.warn(st, "ignored: " + INSTANCE_IGNORED.get(st.keyword()));
                continue;
            }
            d.seen.check(st);
            keyword(d, st);
        }
        correct(d);
        if (diagnostics.errorCount() > errorsBefore) {
            return Optional.empty();
        }
        if (d.vips.isEmpty()) {
            diagnostics.warn(block, "vrrp_instance '" + name + "' has no virtual_ipaddress; it elects a master but moves no address");
        }
        KeepalivedConfig.Notify notifyScripts = new KeepalivedConfig.Notify(
                Optional.ofNullable(d.notify.get("notify_master")), Optional.ofNullable(d.notify.get("notify_backup")),
                Optional.ofNullable(d.notify.get("notify_fault")), Optional.ofNullable(d.notify.get("notify_stop")),
                Optional.ofNullable(d.notify.get("notify")));
        return Optional.of(new KeepalivedConfig.Instance(name, block.origin(), d.state, d.iface, d.vrid, d.priority, d.advert,
                d.effectiveVersion, d.auth, d.vips, d.unicastSrc, d.peers, d.tracked, d.trackedIfs, notifyScripts, d.preempt,
                d.preemptDelay, d.garpDelay, d.garpRepeat, d.garpRefresh));
    }

    private void keyword(Draft d, KeepalivedStatement st) {
        String k = st.keyword();
        switch (k) {
            case "state" -> state(d, st);
            case "interface" -> {
                if (syntax.args(st, 1)) {
                    d.iface = lists.interfaceName(st, st.args().get(0));
                }
            }
            case "virtual_router_id" -> {
                if (syntax.args(st, 1)) {
                    OptionalInt v = values.integer(st.origin(), k, st.args().get(0), 1, 255);
                    d.vrid = v.isPresent() ? Integer.valueOf(v.getAsInt()) : d.vrid;
                }
            }
            case "priority" -> {
                if (syntax.args(st, 1)) {
                    d.priority = values.integer(st.origin(), k, st.args().get(0), 1, 255).orElse(d.priority);
                }
            }
            case "advert_int" -> {
                if (syntax.args(st, 1)) {
                    d.advert = values.seconds(st.origin(), k, st.args().get(0), Duration.ofMillis(10), Duration.ofSeconds(255))
                            .orElse(d.advert);
                    d.advertStatement = st;
                }
            }
            case "version" -> {
                if (syntax.args(st, 1)) {
                    OptionalInt v = values.integer(st.origin(), k, st.args().get(0), 2, 3);
                    d.version = v.isPresent() ? Integer.valueOf(v.getAsInt()) : d.version;
                }
            }
            case "authentication" -> {
                if (syntax.requireBlock(st, 0)) {
                    d.auth = lists.authentication(st);
                    d.authStatement = st;
                }
            }
            case "virtual_ipaddress" -> eachLine(st, line -> lists.vip(line).ifPresent(d.vips::add));
            case "unicast_src_ip", "mcast_src_ip" -> {
                if (syntax.args(st, 1)) {
                    d.unicastSrc = values.address(st.origin(), k, st.args().get(0));
                }
            }
            case "unicast_peer" -> eachLine(st, line -> {
                if (line.words().size() != 1 || line.hasBlock()) {
                    diagnostics.error(line, "a unicast_peer line holds one address (min_ttl/max_ttl are not supported)");
                } else {
                    values.address(line.origin(), "unicast_peer", line.keyword()).ifPresent(d.peers::add);
                }
            });
            case "track_script" -> eachLine(st, line -> lists.trackedScript(line, d.scripts).ifPresent(d.tracked::add));
            case "track_interface" -> eachLine(st, line -> lists.trackedInterface(line).ifPresent(d.trackedIfs::add));
            case "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify" -> {
                if (st.args().isEmpty()) {
                    diagnostics.error(st, "needs the command to run");
                } else {
                    d.notify.put(k, String.join(" ", st.args()));
                }
            }
            case "nopreempt" -> {
                if (syntax.args(st, 0)) {
                    d.preempt = false;
                    d.nopreemptStatement = st;
                }
            }
            case "preempt" -> {
                if (syntax.args(st, 0)) {
                    d.preempt = true;
                }
            }
            case "preempt_delay" -> {
                if (syntax.args(st, 1)) {
                    d.preemptDelay = values.seconds(st.origin(), k, st.args().get(0), Duration.ZERO, Duration.ofSeconds(1000))
                            .orElse(d.preemptDelay);
                }
            }
            case "garp_master_delay" -> {
                if (syntax.args(st, 1)) {
                    d.garpDelay = values.seconds(st.origin(), k, st.args().get(0), Duration.ZERO, MAX_INTERVAL)
                            .or(d.globals::garpMasterDelay);
                }
            }
            case "garp_master_repeat" -> {
                if (syntax.args(st, 1)) {
                    OptionalInt v = values.integer(st.origin(), k, st.args().get(0), 1, 100);
                    d.garpRepeat = v.isPresent() ? v : d.garpRepeat;
                }
            }
            case "garp_master_refresh" -> {
                if (syntax.args(st, 1)) {
                    d.garpRefresh = values.seconds(st.origin(), k, st.args().get(0), Duration.ZERO, MAX_INTERVAL)
                            .or(d.globals::garpMasterRefresh);
                }
            }
            case "no_accept" -> diagnostics.error(st, "not supported: keepalived implements it with firewall rules, ha4j installs "
                    + "none, so the VIPs would accept traffic");
            case "use_vmac", "vmac_xmit_base" -> diagnostics.error(st, "not supported: ha4j puts the VIPs on the interface itself");
            case "virtual_ipaddress_excluded", "virtual_routes", "virtual_rules" -> diagnostics.error(st, "not supported by ha4j");
            default -> diagnostics.error(st, "unknown or unsupported keyword in vrrp_instance");
        }
    }

    private void state(Draft d, KeepalivedStatement st) {
        if (!syntax.args(st, 1)) {
            return;
        }
        switch (st.args().get(0)) {
            case "MASTER" -> d.state = KeepalivedConfig.InitialState.MASTER;
            case "BACKUP" -> d.state = KeepalivedConfig.InitialState.BACKUP;
            default -> diagnostics.error(st, "must be MASTER or BACKUP, was '" + st.args().get(0) + "'"
                    + Values.placeholderHint(st.args().get(0)));
        }
        d.stateStatement = st;
    }

    /** A list keyword ({@code virtual_ipaddress { ... }}): each line of its block. */
    private void eachLine(KeepalivedStatement st, java.util.function.Consumer<KeepalivedStatement> line) {
        if (syntax.requireBlock(st, 0)) {
            st.block().forEach(line);
        }
    }

    /** Required values, defaults from global_defs, and keepalived's own corrections at load (vrrp.c), said out loud. */
    private void correct(Draft d) {
        KeepalivedStatement block = d.block;
        if (d.vrid == null && !d.seen.contains("virtual_router_id")) {
            diagnostics.error(block, "vrrp_instance '" + d.name + "' has no virtual_router_id (1-255); keepalived requires one too");
        }
        if (d.iface == null) {
            d.iface = d.globals.defaultInterface().orElse("eth0");
            diagnostics.warn(block, "vrrp_instance '" + d.name + "' names no interface; using '" + d.iface
                    + "' (keepalived's default_interface)");
        }
        d.effectiveVersion = d.version != null ? d.version : d.globals.vrrpVersion();
        if (d.effectiveVersion == 2 && d.advertStatement != null) {
            BigDecimal secs = new BigDecimal(d.advert.toNanos()).movePointLeft(9);
            if (secs.stripTrailingZeros().scale() > 0) {
                long rounded = Math.max(1, secs.setScale(0, RoundingMode.HALF_UP).longValueExact());
                diagnostics.warn(d.advertStatement, "VRRPv2 adverts carry whole seconds; " + Values.seconds(d.advert)
                        + " is rounded to " + rounded + "s as keepalived does (use 'version 3' for sub-second adverts)");
                d.advert = Duration.ofSeconds(rounded);
            }
        }
        if (d.effectiveVersion == 3 && d.advert.compareTo(Duration.ofMillis(40950)) > 0) {
            diagnostics.error(d.advertStatement != null ? d.advertStatement : block, "VRRPv3 advert_int must be in [0.01, 40.95] s, was "
                    + Values.seconds(d.advert));
        }
        if (d.auth.isPresent() && d.effectiveVersion == 3) {
            diagnostics.warn(d.authStatement, "ignored: VRRPv3 has no authentication (RFC 5798); keepalived ignores it too");
            d.auth = Optional.empty();
        }
        if (!d.preempt && d.priority == 255) {
            diagnostics.warn(d.nopreemptStatement, "nopreempt is incompatible with priority 255 (the address owner always takes "
                    + "over); keepalived clears it, and so does HaAgent");
            d.preempt = true;
        }
        if (!d.preempt && d.state == KeepalivedConfig.InitialState.MASTER) {
            diagnostics.warn(d.nopreemptStatement, "nopreempt does not work with 'state MASTER' (line " + d.stateStatement.line()
                    + "): keepalived clears it, so this instance does preempt a lower-priority master, and so does HaAgent; "
                    + "write 'state BACKUP' on every node for nopreempt");
            d.preempt = true;
        }
        if (!d.preemptDelay.isZero() && d.state == KeepalivedConfig.InitialState.MASTER) {
            diagnostics.warn(block, "preempt_delay does not work with 'state MASTER': keepalived clears it, and so does HaAgent");
            d.preemptDelay = Duration.ZERO;
        }
        if (!d.preempt && !d.preemptDelay.isZero()) {
            diagnostics.warn(block, "preempt_delay has no effect with nopreempt; keepalived resets it, and so does HaAgent");
            d.preemptDelay = Duration.ZERO;
        }
        if (d.effectiveVersion == 2 && d.vips.stream().anyMatch(v -> v.address() instanceof Inet6Address)) {
            diagnostics.error(block, "IPv6 virtual addresses need VRRP version 3 (set 'version 3')");
        }
    }
}
