package io.ha4j.examples.agent;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads a {@code keepalived.conf} into a {@link KeepalivedConfig}.
 *
 * <p>Supported: {@code global_defs} ({@code router_id}, {@code vrrp_version}, {@code default_interface},
 * {@code vrrp_garp_master_delay/repeat/refresh}), {@code vrrp_script} ({@code script}, {@code interval},
 * {@code timeout}, {@code weight [reverse]}, {@code rise}, {@code fall}, {@code init_fail}) and
 * {@code vrrp_instance} ({@code state}, {@code interface}, {@code virtual_router_id}, {@code priority},
 * {@code advert_int}, {@code version}, {@code authentication}, {@code virtual_ipaddress},
 * {@code unicast_src_ip}, {@code unicast_peer}, {@code track_script}, {@code track_interface},
 * {@code notify_master/backup/fault/stop}, {@code notify}, {@code preempt}, {@code nopreempt},
 * {@code preempt_delay}, {@code garp_master_delay/repeat/refresh}, {@code mcast_src_ip}), and
 * {@code vrrp_sync_group} with its {@code group} list. Syntax and {@code include}: see {@link KeepalivedLexer}.
 *
 * <p>keepalived corrects some combinations when it loads a configuration, and so does this parser, with a
 * warning each: {@code nopreempt} is cleared with {@code state MASTER} or priority 255, {@code preempt_delay}
 * with {@code state MASTER} or {@code nopreempt}; an {@code auth_pass} longer than 8 characters is cut; a
 * fractional {@code advert_int} is rounded for VRRPv2; authentication is dropped for VRRPv3.
 *
 * <p>Keywords that only concern keepalived as a process or features ha4j does not have (e-mail alerts, SNMP,
 * script users) are warnings; everything else unknown is an error. A keyword given twice in one block is a
 * warning and the last value wins, as in keepalived.
 */
public final class KeepalivedParser {

    private static final String NO_EMAIL = "ha4j sends no e-mail; use notify scripts or an HaListener";
    private static final String OWN_PROCESS = "tunes keepalived's own process; ha4j runs inside this JVM";

    /** global_defs keywords that are accepted with a warning, and why they have no effect. */
    private static final Map<String, String> GLOBAL_IGNORED = Map.ofEntries(
            Map.entry("notification_email", NO_EMAIL),
            Map.entry("notification_email_from", NO_EMAIL),
            Map.entry("smtp_server", NO_EMAIL),
            Map.entry("smtp_connect_timeout", NO_EMAIL),
            Map.entry("smtp_helo_name", NO_EMAIL),
            Map.entry("enable_script_security", "ha4j runs scripts as the agent's own user and does not check script permissions"),
            Map.entry("script_user", "ha4j runs scripts as the agent's own user"),
            Map.entry("vrrp_skip_check_adv_addr", "not configurable in ha4j"),
            Map.entry("vrrp_strict", "ha4j does not enforce keepalived's strict-mode restrictions"),
            Map.entry("vrrp_garp_interval", "not configurable in ha4j"),
            Map.entry("vrrp_gna_interval", "not configurable in ha4j"),
            Map.entry("vrrp_iptables", "ha4j installs no firewall rules"),
            Map.entry("enable_traps", "ha4j has no SNMP agent"),
            Map.entry("vrrp_priority", OWN_PROCESS),
            Map.entry("vrrp_rt_priority", OWN_PROCESS),
            Map.entry("vrrp_no_swap", OWN_PROCESS),
            Map.entry("vrrp_cpu_affinity", OWN_PROCESS),
            Map.entry("max_auto_priority", OWN_PROCESS));

    /** vrrp_instance keywords that are accepted with a warning, and why they have no effect. */
    private static final Map<String, String> INSTANCE_IGNORED = Map.of(
            "smtp_alert", NO_EMAIL,
            "debug", "set log levels through slf4j (io.ha4j.vrrp) instead",
            "accept", "ha4j never filters traffic to the VIPs, which is keepalived's default accept mode already");

    private static final Map<String, String> SCRIPT_IGNORED = Map.of(
            "user", "ha4j runs scripts as the agent's own user");

    private static final Duration MAX_INTERVAL = Duration.ofHours(1);

    private final Diagnostics diagnostics;
    private final Values values;

    private KeepalivedParser(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
        this.values = new Values(diagnostics);
    }

    /** Parses {@code file}; problems are added to {@code diagnostics}, which the caller must check. */
    public static KeepalivedConfig parse(Path file, Diagnostics diagnostics) {
        return new KeepalivedParser(diagnostics).build(file.toString(), KeepalivedLexer.read(file, diagnostics));
    }

    /** Parses {@code text} as if it were a file called {@code name}. */
    public static KeepalivedConfig parse(String name, String text, Diagnostics diagnostics) {
        return new KeepalivedParser(diagnostics).build(name, KeepalivedLexer.read(name, text, diagnostics));
    }

    private KeepalivedConfig build(String file, List<KeepalivedStatement> top) {
        KeepalivedConfig.GlobalDefs globals = KeepalivedConfig.GlobalDefs.DEFAULTS;
        List<KeepalivedConfig.Script> scripts = new ArrayList<>();
        List<KeepalivedStatement> instanceStatements = new ArrayList<>();
        List<KeepalivedStatement> syncGroupStatements = new ArrayList<>();
        for (KeepalivedStatement st : top) {
            switch (st.keyword()) {
                case "global_defs" -> {
                    if (requireBlock(st, 0)) {
                        globals = globalDefs(st, globals);
                    }
                }
                case "vrrp_script" -> {
                    if (requireBlock(st, 1)) {
                        String name = st.args().get(0);
                        if (scripts.stream().anyMatch(s -> s.name().equals(name))) {
                            error(st, "vrrp_script '" + name + "' is defined twice");
                        } else {
                            script(st, name).ifPresent(scripts::add);
                        }
                    }
                }
                case "vrrp_instance" -> {
                    if (requireBlock(st, 1)) {
                        instanceStatements.add(st);
                    }
                }
                case "vrrp_sync_group" -> {
                    if (requireBlock(st, 1)) {
                        syncGroupStatements.add(st);
                    }
                }
                case "virtual_server", "virtual_server_group", "real_server" -> error(st,
                        "LVS is not supported; describe load balancing in haproxy.cfg (--haproxy-cfg) instead");
                default -> error(st, st.keyword().startsWith("$") ? "keepalived parameter definitions ($NAME=...) are not "
                        + "supported; fill the values in" : "unknown or unsupported top-level keyword");
            }
        }
        List<KeepalivedConfig.Instance> instances = new ArrayList<>();
        for (KeepalivedStatement st : instanceStatements) {
            String name = st.args().get(0);
            if (instances.stream().anyMatch(i -> i.name().equals(name))) {
                error(st, "vrrp_instance '" + name + "' is defined twice");
                continue;
            }
            instance(st, name, globals, scripts).ifPresent(instances::add);
        }
        for (int a = 0; a < instances.size(); a++) {
            for (int b = a + 1; b < instances.size(); b++) {
                KeepalivedConfig.Instance x = instances.get(a);
                KeepalivedConfig.Instance y = instances.get(b);
                if (x.virtualRouterId() == y.virtualRouterId() && x.interfaceName().equals(y.interfaceName()) && isIpv6(x) == isIpv6(y)) {
                    diagnostics.error(y.origin().file(), y.origin().line(), "virtual_router_id", "VRID " + y.virtualRouterId()
                            + " is already used on " + y.interfaceName() + " by " + x.name() + " (" + x.origin() + ")");
                }
            }
        }
        if (instances.isEmpty() && !diagnostics.hasErrors()) {
            diagnostics.warn(file, 0, "vrrp_instance", "the configuration defines no vrrp_instance; there is nothing to run");
        }
        List<KeepalivedConfig.SyncGroup> groups = new ArrayList<>();
        for (KeepalivedStatement st : syncGroupStatements) {
            syncGroup(st, instanceStatements, groups).ifPresent(groups::add);
        }
        return new KeepalivedConfig(file, globals, scripts, instances, groups);
    }

    /**
     * Only {@code group { ... }} is supported: group-level notify and tracking have no equivalent in ha4j's
     * {@code VrrpSyncGroup}; put them on the member instances.
     */
    private Optional<KeepalivedConfig.SyncGroup> syncGroup(KeepalivedStatement block, List<KeepalivedStatement> instances,
            List<KeepalivedConfig.SyncGroup> earlier) {
        String name = block.args().get(0);
        List<String> members = new ArrayList<>();
        boolean ok = true;
        for (KeepalivedStatement st : block.block()) {
            if (!st.keyword().equals("group")) {
                error(st, "not supported in vrrp_sync_group (only 'group { ... }'); put notify and tracking on the instances");
                ok = false;
                continue;
            }
            if (!requireBlock(st, 0)) {
                ok = false;
                continue;
            }
            for (KeepalivedStatement member : st.block()) {
                for (String instance : member.words()) {
                    if (instances.stream().noneMatch(i -> i.args().get(0).equals(instance))) {
                        diagnostics.error(member.file(), member.line(), instance, "no vrrp_instance called '" + instance + "' is defined");
                        ok = false;
                    } else if (members.contains(instance) || earlier.stream().anyMatch(g -> g.instances().contains(instance))) {
                        diagnostics.error(member.file(), member.line(), instance, "vrrp_instance '" + instance + "' is already in a sync group");
                        ok = false;
                    } else {
                        members.add(instance);
                    }
                }
            }
        }
        if (ok && members.size() < 2) {
            warn(block, "vrrp_sync_group '" + name + "' has fewer than two instances; it has no effect");
        }
        return ok ? Optional.of(new KeepalivedConfig.SyncGroup(name, at(block), members)) : Optional.empty();
    }

    private KeepalivedConfig.GlobalDefs globalDefs(KeepalivedStatement block, KeepalivedConfig.GlobalDefs start) {
        Optional<String> routerId = start.routerId();
        int version = start.vrrpVersion();
        Optional<String> defaultInterface = start.defaultInterface();
        Optional<Duration> garpDelay = start.garpMasterDelay();
        OptionalInt garpRepeat = start.garpMasterRepeat();
        Optional<Duration> garpRefresh = start.garpMasterRefresh();
        Seen seen = new Seen();
        for (KeepalivedStatement st : block.block()) {
            String k = st.keyword();
            if (GLOBAL_IGNORED.containsKey(k)) {
                warn(st, "ignored: " + GLOBAL_IGNORED.get(k));
                continue;
            }
            seen.check(st);
            switch (k) {
                case "router_id" -> {
                    if (args(st, 1)) {
                        routerId = Optional.of(st.args().get(0));
                    }
                }
                case "vrrp_version" -> {
                    if (args(st, 1)) {
                        OptionalInt v = values.integer(at(st), k, st.args().get(0), 2, 3);
                        if (v.isPresent()) {
                            version = v.getAsInt();
                        }
                    }
                }
                case "default_interface" -> {
                    if (args(st, 1)) {
                        defaultInterface = Optional.of(st.args().get(0));
                    }
                }
                case "vrrp_garp_master_delay" -> {
                    if (args(st, 1)) {
                        garpDelay = values.seconds(at(st), k, st.args().get(0), Duration.ZERO, MAX_INTERVAL).or(() -> start.garpMasterDelay());
                    }
                }
                case "vrrp_garp_master_repeat" -> {
                    if (args(st, 1)) {
                        OptionalInt v = values.integer(at(st), k, st.args().get(0), 1, 100);
                        garpRepeat = v.isPresent() ? v : garpRepeat;
                    }
                }
                case "vrrp_garp_master_refresh" -> {
                    if (args(st, 1)) {
                        garpRefresh = values.seconds(at(st), k, st.args().get(0), Duration.ZERO, MAX_INTERVAL).or(() -> start.garpMasterRefresh());
                    }
                }
                default -> error(st, "unknown or unsupported keyword in global_defs");
            }
        }
        return new KeepalivedConfig.GlobalDefs(routerId, version, defaultInterface, garpDelay, garpRepeat, garpRefresh);
    }

    private Optional<KeepalivedConfig.Script> script(KeepalivedStatement block, String name) {
        String command = null;
        Duration interval = Duration.ofSeconds(1);
        Duration timeout = null;
        int weight = 0;
        boolean reverse = false;
        int rise = 1;
        int fall = 1;
        Optional<String> user = Optional.empty();
        boolean initFail = false;
        boolean ok = true;
        Seen seen = new Seen();
        for (KeepalivedStatement st : block.block()) {
            String k = st.keyword();
            seen.check(st);
            if (SCRIPT_IGNORED.containsKey(k)) {
                warn(st, "ignored: " + SCRIPT_IGNORED.get(k));
                if (k.equals("user") && !st.args().isEmpty()) {
                    user = Optional.of(st.args().get(0));
                }
                continue;
            }
            switch (k) {
                case "script" -> {
                    if (st.args().isEmpty()) {
                        error(st, "needs the command to run");
                        ok = false;
                    } else {
                        // keepalived accepts the command quoted as one word or unquoted as several
                        command = String.join(" ", st.args());
                    }
                }
                case "interval" -> {
                    if (args(st, 1)) {
                        Optional<Duration> v = values.seconds(at(st), k, st.args().get(0), Duration.ofMillis(10), MAX_INTERVAL);
                        ok &= v.isPresent();
                        interval = v.orElse(interval);
                    }
                }
                case "timeout" -> {
                    if (args(st, 1)) {
                        Optional<Duration> v = values.seconds(at(st), k, st.args().get(0), Duration.ofMillis(1), MAX_INTERVAL);
                        ok &= v.isPresent();
                        timeout = v.orElse(null);
                    }
                }
                case "weight" -> {
                    if (st.args().size() == 2 && st.args().get(1).equals("reverse")) {
                        reverse = true;
                    } else if (!args(st, 1)) {
                        ok = false;
                        continue;
                    }
                    OptionalInt v = values.integer(at(st), k, st.args().get(0), -253, 253);
                    ok &= v.isPresent();
                    weight = v.orElse(weight);
                }
                case "rise", "fall" -> {
                    if (args(st, 1)) {
                        OptionalInt v = values.integer(at(st), k, st.args().get(0), 1, 1000);
                        ok &= v.isPresent();
                        if (k.equals("rise")) {
                            rise = v.orElse(rise);
                        } else {
                            fall = v.orElse(fall);
                        }
                    }
                }
                case "init_fail" -> {
                    if (args(st, 0)) {
                        initFail = true;
                    }
                }
                default -> {
                    error(st, "unknown or unsupported keyword in vrrp_script");
                    ok = false;
                }
            }
        }
        if (command == null) {
            error(block, "vrrp_script '" + name + "' has no 'script' to run");
            return Optional.empty();
        }
        if (!ok) {
            return Optional.empty();
        }
        return Optional.of(new KeepalivedConfig.Script(name, at(block), command, interval,
                timeout == null ? interval : timeout, weight, reverse, rise, fall, user, initFail));
    }

    private Optional<KeepalivedConfig.Instance> instance(KeepalivedStatement block, String name,
            KeepalivedConfig.GlobalDefs globals, List<KeepalivedConfig.Script> scripts) {
        KeepalivedConfig.InitialState state = KeepalivedConfig.InitialState.BACKUP;
        KeepalivedStatement stateStatement = null;
        String iface = null;
        Integer vrid = null;
        int priority = 100;
        Duration advert = Duration.ofSeconds(1);
        KeepalivedStatement advertStatement = null;
        Integer version = null;
        Optional<KeepalivedConfig.Authentication> auth = Optional.empty();
        KeepalivedStatement authStatement = null;
        List<KeepalivedConfig.Vip> vips = new ArrayList<>();
        Optional<InetAddress> unicastSrc = Optional.empty();
        List<InetAddress> peers = new ArrayList<>();
        List<KeepalivedConfig.TrackedScript> tracked = new ArrayList<>();
        List<KeepalivedConfig.TrackedInterface> trackedIfs = new ArrayList<>();
        Map<String, String> notify = new HashMap<>();
        boolean preempt = true;
        KeepalivedStatement nopreemptStatement = null;
        Duration preemptDelay = Duration.ZERO;
        Optional<Duration> garpDelay = globals.garpMasterDelay();
        OptionalInt garpRepeat = globals.garpMasterRepeat();
        Optional<Duration> garpRefresh = globals.garpMasterRefresh();
        int errorsBefore = diagnostics.errors().size();
        Seen seen = new Seen();
        for (KeepalivedStatement st : block.block()) {
            String k = st.keyword();
            if (INSTANCE_IGNORED.containsKey(k)) {
                warn(st, "ignored: " + INSTANCE_IGNORED.get(k));
                continue;
            }
            seen.check(st);
            switch (k) {
                case "state" -> {
                    if (args(st, 1)) {
                        switch (st.args().get(0)) {
                            case "MASTER" -> state = KeepalivedConfig.InitialState.MASTER;
                            case "BACKUP" -> state = KeepalivedConfig.InitialState.BACKUP;
                            default -> error(st, "must be MASTER or BACKUP, was '" + st.args().get(0) + "'"
                                    + Values.placeholderHint(st.args().get(0)));
                        }
                        stateStatement = st;
                    }
                }
                case "interface" -> {
                    if (args(st, 1)) {
                        iface = interfaceName(st, st.args().get(0));
                    }
                }
                case "virtual_router_id" -> {
                    if (args(st, 1)) {
                        OptionalInt v = values.integer(at(st), k, st.args().get(0), 1, 255);
                        if (v.isPresent()) {
                            vrid = v.getAsInt();
                        }
                    }
                }
                case "priority" -> {
                    if (args(st, 1)) {
                        priority = values.integer(at(st), k, st.args().get(0), 1, 255).orElse(priority);
                    }
                }
                case "advert_int" -> {
                    if (args(st, 1)) {
                        advert = values.seconds(at(st), k, st.args().get(0), Duration.ofMillis(10), Duration.ofSeconds(255)).orElse(advert);
                        advertStatement = st;
                    }
                }
                case "version" -> {
                    if (args(st, 1)) {
                        OptionalInt v = values.integer(at(st), k, st.args().get(0), 2, 3);
                        if (v.isPresent()) {
                            version = v.getAsInt();
                        }
                    }
                }
                case "authentication" -> {
                    if (requireBlock(st, 0)) {
                        auth = authentication(st);
                        authStatement = st;
                    }
                }
                case "virtual_ipaddress" -> {
                    if (requireBlock(st, 0)) {
                        for (KeepalivedStatement line : st.block()) {
                            vip(line).ifPresent(vips::add);
                        }
                    }
                }
                case "unicast_src_ip", "mcast_src_ip" -> {
                    if (args(st, 1)) {
                        unicastSrc = values.address(at(st), k, st.args().get(0));
                    }
                }
                case "unicast_peer" -> {
                    if (requireBlock(st, 0)) {
                        for (KeepalivedStatement line : st.block()) {
                            if (line.words().size() != 1 || line.hasBlock()) {
                                error(line, "a unicast_peer line holds one address (min_ttl/max_ttl are not supported)");
                                continue;
                            }
                            values.address(at(line), "unicast_peer", line.keyword()).ifPresent(peers::add);
                        }
                    }
                }
                case "track_script" -> {
                    if (requireBlock(st, 0)) {
                        for (KeepalivedStatement line : st.block()) {
                            trackedScript(line, scripts).ifPresent(tracked::add);
                        }
                    }
                }
                case "track_interface" -> {
                    if (requireBlock(st, 0)) {
                        for (KeepalivedStatement line : st.block()) {
                            trackedInterface(line).ifPresent(trackedIfs::add);
                        }
                    }
                }
                case "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify" -> {
                    if (st.args().isEmpty()) {
                        error(st, "needs the command to run");
                    } else {
                        notify.put(k, String.join(" ", st.args()));
                    }
                }
                case "nopreempt" -> {
                    if (args(st, 0)) {
                        preempt = false;
                        nopreemptStatement = st;
                    }
                }
                case "preempt" -> {
                    if (args(st, 0)) {
                        preempt = true;
                    }
                }
                case "preempt_delay" -> {
                    if (args(st, 1)) {
                        preemptDelay = values.seconds(at(st), k, st.args().get(0), Duration.ZERO, Duration.ofSeconds(1000)).orElse(preemptDelay);
                    }
                }
                case "garp_master_delay" -> {
                    if (args(st, 1)) {
                        garpDelay = values.seconds(at(st), k, st.args().get(0), Duration.ZERO, MAX_INTERVAL).or(() -> globals.garpMasterDelay());
                    }
                }
                case "garp_master_repeat" -> {
                    if (args(st, 1)) {
                        OptionalInt v = values.integer(at(st), k, st.args().get(0), 1, 100);
                        garpRepeat = v.isPresent() ? v : garpRepeat;
                    }
                }
                case "garp_master_refresh" -> {
                    if (args(st, 1)) {
                        garpRefresh = values.seconds(at(st), k, st.args().get(0), Duration.ZERO, MAX_INTERVAL).or(() -> globals.garpMasterRefresh());
                    }
                }
                case "no_accept" -> error(st, "not supported: keepalived implements it with firewall rules, ha4j installs none, "
                        + "so the VIPs would accept traffic");
                case "use_vmac", "vmac_xmit_base" -> error(st, "not supported: ha4j puts the VIPs on the interface itself");
                case "virtual_ipaddress_excluded", "virtual_routes", "virtual_rules" -> error(st, "not supported by ha4j");
                default -> error(st, "unknown or unsupported keyword in vrrp_instance");
            }
        }
        if (vrid == null && !seen.lines.containsKey("virtual_router_id")) {
            error(block, "vrrp_instance '" + name + "' has no virtual_router_id (1-255); keepalived requires one too");
        }
        if (iface == null) {
            iface = globals.defaultInterface().orElse("eth0");
            warn(block, "vrrp_instance '" + name + "' names no interface; using '" + iface + "' (keepalived's default_interface)");
        }
        final String instanceInterface = iface;
        int effectiveVersion = version != null ? version : globals.vrrpVersion();
        if (effectiveVersion == 2 && advertStatement != null) {
            BigDecimal secs = new BigDecimal(advert.toNanos()).movePointLeft(9);
            if (secs.stripTrailingZeros().scale() > 0) {
                long rounded = Math.max(1, secs.setScale(0, RoundingMode.HALF_UP).longValueExact());
                warn(advertStatement, "VRRPv2 adverts carry whole seconds; " + Values.seconds(advert) + " is rounded to "
                        + rounded + "s as keepalived does (use 'version 3' for sub-second adverts)");
                advert = Duration.ofSeconds(rounded);
            }
        }
        if (effectiveVersion == 3 && advert.compareTo(Duration.ofMillis(40950)) > 0) {
            error(advertStatement != null ? advertStatement : block, "VRRPv3 advert_int must be in [0.01, 40.95] s, was "
                    + Values.seconds(advert));
        }
        if (auth.isPresent() && effectiveVersion == 3) {
            warn(authStatement, "ignored: VRRPv3 has no authentication (RFC 5798); keepalived ignores it too");
            auth = Optional.empty();
        }
        // keepalived's own corrections (vrrp.c, at config load), applied the same way and said out loud
        if (!preempt && priority == 255) {
            warn(nopreemptStatement, "nopreempt is incompatible with priority 255 (the address owner always takes over); "
                    + "keepalived clears it, and so does HaAgent");
            preempt = true;
        }
        if (!preempt && state == KeepalivedConfig.InitialState.MASTER) {
            warn(nopreemptStatement, "nopreempt does not work with 'state MASTER' (line " + stateStatement.line() + "): "
                    + "keepalived clears it, so this instance does preempt a lower-priority master, and so does HaAgent; "
                    + "write 'state BACKUP' on every node for nopreempt");
            preempt = true;
        }
        if (!preemptDelay.isZero() && state == KeepalivedConfig.InitialState.MASTER) {
            warn(block, "preempt_delay does not work with 'state MASTER': keepalived clears it, and so does HaAgent");
            preemptDelay = Duration.ZERO;
        }
        if (!preempt && !preemptDelay.isZero()) {
            warn(block, "preempt_delay has no effect with nopreempt; keepalived resets it, and so does HaAgent");
            preemptDelay = Duration.ZERO;
        }
        boolean anyIpv6 = vips.stream().anyMatch(v -> v.address() instanceof Inet6Address);
        if (anyIpv6 && effectiveVersion == 2) {
            error(block, "IPv6 virtual addresses need VRRP version 3 (set 'version 3')");
        }
        if (diagnostics.errors().size() > errorsBefore) {
            return Optional.empty();
        }
        if (vips.isEmpty()) {
            warn(block, "vrrp_instance '" + name + "' has no virtual_ipaddress; it elects a master but moves no address");
        }
        KeepalivedConfig.Notify notifyScripts = new KeepalivedConfig.Notify(
                Optional.ofNullable(notify.get("notify_master")), Optional.ofNullable(notify.get("notify_backup")),
                Optional.ofNullable(notify.get("notify_fault")), Optional.ofNullable(notify.get("notify_stop")),
                Optional.ofNullable(notify.get("notify")));
        return Optional.of(new KeepalivedConfig.Instance(name, at(block), state, instanceInterface, vrid, priority, advert,
                effectiveVersion, auth, vips, unicastSrc, peers, tracked, trackedIfs, notifyScripts, preempt, preemptDelay,
                garpDelay, garpRepeat, garpRefresh));
    }

    private static boolean isIpv6(KeepalivedConfig.Instance i) {
        return !i.virtualAddresses().isEmpty() && i.virtualAddresses().get(0).address() instanceof Inet6Address;
    }

    private String interfaceName(KeepalivedStatement st, String name) {
        if (name.isEmpty() || name.length() > 15 || name.contains("/") || name.contains("${")) {
            error(st, "'" + name + "' is not a Linux interface name (1-15 characters, no '/')" + Values.placeholderHint(name));
            return null;
        }
        return name;
    }

    private Optional<KeepalivedConfig.Authentication> authentication(KeepalivedStatement block) {
        String type = null;
        String password = null;
        for (KeepalivedStatement st : block.block()) {
            switch (st.keyword()) {
                case "auth_type" -> {
                    if (args(st, 1)) {
                        type = st.args().get(0);
                        if (type.equals("AH")) {
                            error(st, "auth_type AH is not supported (it is deprecated in keepalived too); use PASS or nothing");
                        } else if (!type.equals("PASS")) {
                            error(st, "must be PASS (or AH, unsupported), was '" + type + "'");
                        }
                    }
                }
                case "auth_pass" -> {
                    if (args(st, 1)) {
                        password = st.args().get(0);
                        if (password.length() > 8) {
                            warn(st, "a VRRPv2 password is at most 8 characters; only '" + password.substring(0, 8)
                                    + "' is used, as keepalived does");
                            password = password.substring(0, 8);
                        }
                    }
                }
                default -> error(st, "unknown or unsupported keyword in authentication");
            }
        }
        if (type == null || password == null) {
            error(block, "authentication needs both auth_type PASS and auth_pass");
            return Optional.empty();
        }
        if (!type.equals("PASS")) {
            return Optional.empty();
        }
        warn(block, "auth_type PASS is supported for interoperability only: the password travels in clear text and protects nothing");
        return Optional.of(new KeepalivedConfig.Authentication(password));
    }

    private Optional<KeepalivedConfig.Vip> vip(KeepalivedStatement line) {
        List<String> w = line.words();
        String cidr = w.get(0);
        int slash = cidr.indexOf('/');
        Optional<InetAddress> address = values.address(at(line), "virtual_ipaddress", slash < 0 ? cidr : cidr.substring(0, slash));
        if (address.isEmpty()) {
            return Optional.empty();
        }
        int maxPrefix = address.get() instanceof Inet6Address ? 128 : 32;
        int prefix = maxPrefix;
        if (slash >= 0) {
            OptionalInt p = values.integer(at(line), "virtual_ipaddress", cidr.substring(slash + 1), 0, maxPrefix);
            if (p.isEmpty()) {
                return Optional.empty();
            }
            prefix = p.getAsInt();
        }
        Optional<String> dev = Optional.empty();
        Optional<String> label = Optional.empty();
        for (int i = 1; i < w.size(); i++) {
            String option = w.get(i);
            boolean hasValue = i + 1 < w.size();
            switch (option) {
                case "dev" -> {
                    if (!hasValue) {
                        error(line, "'dev' needs an interface name");
                        return Optional.empty();
                    }
                    dev = Optional.of(w.get(++i));
                }
                case "label" -> {
                    if (!hasValue) {
                        error(line, "'label' needs a name");
                        return Optional.empty();
                    }
                    label = Optional.of(w.get(++i));
                }
                case "scope" -> {
                    if (!hasValue || !w.get(++i).equals("global")) {
                        error(line, "only 'scope global' is supported (ha4j adds VIPs with global scope)");
                        return Optional.empty();
                    }
                }
                case "brd", "broadcast" -> {
                    if (!hasValue) {
                        error(line, "'" + option + "' needs an address");
                        return Optional.empty();
                    }
                    i++;
                    diagnostics.warn(line.file(), line.line(), "virtual_ipaddress " + option,
                            "ha4j adds VIPs without a broadcast address; ignored");
                }
                default -> {
                    error(line, "virtual_ipaddress option '" + option + "' is not supported (dev, label, scope global, brd)");
                    return Optional.empty();
                }
            }
        }
        if (line.hasBlock()) {
            error(line, "a virtual_ipaddress line takes no block");
            return Optional.empty();
        }
        return Optional.of(new KeepalivedConfig.Vip(at(line), address.get(), prefix, dev, label));
    }

    private Optional<KeepalivedConfig.TrackedScript> trackedScript(KeepalivedStatement line, List<KeepalivedConfig.Script> scripts) {
        String name = line.keyword();
        List<String> rest = line.args();
        OptionalInt weight = OptionalInt.empty();
        boolean reverse = false;
        if (!rest.isEmpty()) {
            if (!rest.get(0).equals("weight") || rest.size() < 2 || rest.size() > 3
                    || (rest.size() == 3 && !rest.get(2).equals("reverse"))) {
                error(line, "a track_script line is 'NAME [weight N [reverse]]'");
                return Optional.empty();
            }
            weight = values.integer(at(line), "track_script weight", rest.get(1), -253, 253);
            if (weight.isEmpty()) {
                return Optional.empty();
            }
            reverse = rest.size() == 3;
        }
        if (scripts.stream().noneMatch(s -> s.name().equals(name))) {
            error(line, "no vrrp_script called '" + name + "' is defined");
            return Optional.empty();
        }
        return Optional.of(new KeepalivedConfig.TrackedScript(at(line), name, weight, reverse));
    }

    private Optional<KeepalivedConfig.TrackedInterface> trackedInterface(KeepalivedStatement line) {
        List<String> rest = line.args();
        int weight = 0;
        if (!rest.isEmpty()) {
            if (rest.size() != 2 || !rest.get(0).equals("weight")) {
                error(line, "a track_interface line is 'IFACE [weight N]' ('reverse' is not supported)");
                return Optional.empty();
            }
            OptionalInt w = values.integer(at(line), "track_interface weight", rest.get(1), -253, 253);
            if (w.isEmpty()) {
                return Optional.empty();
            }
            weight = w.getAsInt();
        }
        String name = interfaceName(line, line.keyword());
        return name == null ? Optional.empty() : Optional.of(new KeepalivedConfig.TrackedInterface(at(line), name, weight));
    }

    private boolean requireBlock(KeepalivedStatement st, int argCount) {
        if (!st.hasBlock()) {
            error(st, "needs a '{ ... }' block");
            return false;
        }
        if (st.args().size() != argCount) {
            error(st, argCount == 0 ? "takes no argument before '{'" : "needs exactly one name before '{'");
            return false;
        }
        return true;
    }

    private boolean args(KeepalivedStatement st, int count) {
        if (st.hasBlock()) {
            error(st, "takes no '{ ... }' block");
            return false;
        }
        if (st.args().size() != count) {
            error(st, count == 0 ? "takes no argument" : count == 1 ? "needs exactly one argument, got " + st.args().size()
                    : "needs exactly " + count + " arguments, got " + st.args().size());
            return false;
        }
        return true;
    }

    private void error(KeepalivedStatement st, String message) {
        diagnostics.error(st.file(), st.line(), st.keyword(), message);
    }

    private void warn(KeepalivedStatement st, String message) {
        diagnostics.warn(st.file(), st.line(), st.keyword(), message);
    }

    private static Origin at(KeepalivedStatement st) {
        return new Origin(st.file(), st.line());
    }

    /** Warns when a scalar keyword repeats in one block: keepalived keeps the last value. */
    private final class Seen {
        final Map<String, Integer> lines = new HashMap<>();

        void check(KeepalivedStatement st) {
            if (st.hasBlock() && !st.keyword().equals("authentication")) {
                return; // lists (virtual_ipaddress, track_script...) may be split over several blocks
            }
            Integer first = lines.put(st.keyword(), st.line());
            if (first != null) {
                warn(st, "also set on line " + first + "; the last value is used");
            }
        }
    }
}
