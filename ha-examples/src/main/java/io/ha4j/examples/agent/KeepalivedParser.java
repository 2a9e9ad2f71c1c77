package io.ha4j.examples.agent;

import java.net.Inet6Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

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
 *
 * <p>This class reads the top level, {@code global_defs} and {@code vrrp_sync_group}; the other sections have
 * a class each: {@link KeepalivedScriptSection}, {@link KeepalivedInstanceSection} (with
 * {@link KeepalivedInstanceLists}), and the checks they share are {@link KeepalivedSyntax}.
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

    static final Duration MAX_INTERVAL = Duration.ofHours(1);

    private final Diagnostics diagnostics;
    private final Values values;
    private final KeepalivedSyntax syntax;
    private final KeepalivedScriptSection scriptSection;
    private final KeepalivedInstanceSection instanceSection;

    private KeepalivedParser(Diagnostics diagnostics) {
        this.syntax = new KeepalivedSyntax(diagnostics);
        this.diagnostics = diagnostics;
        this.values = syntax.values;
        this.scriptSection = new KeepalivedScriptSection(syntax);
        this.instanceSection = new KeepalivedInstanceSection(syntax);
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
        Map<String, KeepalivedConfig.Script> scripts = new LinkedHashMap<>();
        List<KeepalivedStatement> instanceStatements = new ArrayList<>();
        List<KeepalivedStatement> syncGroupStatements = new ArrayList<>();
        for (KeepalivedStatement st : top) {
            if (diagnostics.errorCount() >= Diagnostics.MAX_ERRORS) {
                diagnostics.error(st, Diagnostics.MAX_ERRORS + " errors so far; the rest of the configuration is not checked");
                break;
            }
            switch (st.keyword()) {
                case "global_defs" -> {
                    if (syntax.requireBlock(st, 0)) {
                        globals = globalDefs(st, globals);
                    }
                }
                case "vrrp_script" -> {
                    if (syntax.requireBlock(st, 1)) {
                        String name = st.args().get(0);
                        if (scripts.containsKey(name)) {
                            diagnostics.error(st, "vrrp_script '" + name + "' is defined twice");
                        } else {
                            scriptSection.parse(st, name).ifPresent(s -> scripts.put(name, s));
                        }
                    }
                }
                case "vrrp_instance" -> {
                    if (syntax.requireBlock(st, 1)) {
                        instanceStatements.add(st);
                    }
                }
                case "vrrp_sync_group" -> {
                    if (syntax.requireBlock(st, 1)) {
                        syncGroupStatements.add(st);
                    }
                }
                case "virtual_server", "virtual_server_group", "real_server" -> diagnostics.error(st,
                        "LVS is not supported; describe load balancing in haproxy.cfg (--haproxy-cfg) instead");
                default -> diagnostics.error(st, st.keyword().startsWith("$") ? "keepalived parameter definitions ($NAME=...) are not "
                        + "supported; fill the values in" : "unknown or unsupported top-level keyword");
            }
        }
        List<KeepalivedConfig.Instance> instances = new ArrayList<>();
        Set<String> instanceNames = new HashSet<>();
        Map<String, KeepalivedConfig.Instance> byRouter = new HashMap<>();
        List<KeepalivedConfig.Script> scriptList = List.copyOf(scripts.values());
        for (KeepalivedStatement st : instanceStatements) {
            String name = st.args().get(0);
            if (!instanceNames.add(name)) {
                diagnostics.error(st, "vrrp_instance '" + name + "' is defined twice");
                continue;
            }
            Optional<KeepalivedConfig.Instance> parsed = instanceSection.parse(st, name, globals, scriptList);
            if (parsed.isEmpty()) {
                continue;
            }
            KeepalivedConfig.Instance y = parsed.get();
            KeepalivedConfig.Instance x = byRouter.putIfAbsent(y.virtualRouterId() + " " + y.interfaceName() + " " + isIpv6(y), y);
            if (x != null) {
                diagnostics.error(y.origin(), "virtual_router_id", "VRID " + y.virtualRouterId() + " is already used on "
                        + y.interfaceName() + " by " + x.name() + " (" + x.origin() + ")");
            }
            instances.add(y);
        }
        List<KeepalivedConfig.SyncGroup> groups = new ArrayList<>();
        Set<String> grouped = new HashSet<>();
        for (KeepalivedStatement st : syncGroupStatements) {
            syncGroup(st, instanceNames, grouped).ifPresent(groups::add);
        }
        return new KeepalivedConfig(file, globals, scriptList, instances, groups);
    }

    /**
     * Only {@code group { ... }} is supported: group-level notify and tracking have no equivalent in ha4j's
     * {@code VrrpSyncGroup}; put them on the member instances.
     */
    private Optional<KeepalivedConfig.SyncGroup> syncGroup(KeepalivedStatement block, Set<String> instances, Set<String> grouped) {
        String name = block.args().get(0);
        List<String> members = new ArrayList<>();
        boolean ok = true;
        for (KeepalivedStatement st : block.block()) {
            if (!st.keyword().equals("group")) {
                diagnostics.error(st, "not supported in vrrp_sync_group (only 'group { ... }'); put notify and tracking on the instances");
                ok = false;
                continue;
            }
            if (!syntax.requireBlock(st, 0)) {
                ok = false;
                continue;
            }
            for (KeepalivedStatement member : st.block()) {
                for (String instance : member.words()) {
                    if (!instances.contains(instance)) {
                        diagnostics.error(member.file(), member.line(), instance, "no vrrp_instance called '" + instance + "' is defined");
                        ok = false;
                    } else if (!grouped.add(instance)) {
                        diagnostics.error(member.file(), member.line(), instance, "vrrp_instance '" + instance + "' is already in a sync group");
                        ok = false;
                    } else {
                        members.add(instance);
                    }
                }
            }
        }
        if (ok && members.size() < 2) {
            diagnostics.warn(block, "vrrp_sync_group '" + name + "' has fewer than two instances; it has no effect");
        }
        return ok ? Optional.of(new KeepalivedConfig.SyncGroup(name, block.origin(), members)) : Optional.empty();
    }

    private KeepalivedConfig.GlobalDefs globalDefs(KeepalivedStatement block, KeepalivedConfig.GlobalDefs start) {
        Optional<String> routerId = start.routerId();
        int version = start.vrrpVersion();
        Optional<String> defaultInterface = start.defaultInterface();
        Optional<Duration> garpDelay = start.garpMasterDelay();
        OptionalInt garpRepeat = start.garpMasterRepeat();
        Optional<Duration> garpRefresh = start.garpMasterRefresh();
        KeepalivedSyntax.Seen seen = syntax.newSeen();
        for (KeepalivedStatement st : block.block()) {
            String k = st.keyword();
            if (GLOBAL_IGNORED.containsKey(k)) {
                diagnostics.warn(st, "ignored: " + GLOBAL_IGNORED.get(k));
                continue;
            }
            seen.check(st);
            switch (k) {
                case "router_id" -> {
                    if (syntax.args(st, 1)) {
                        routerId = Optional.of(st.args().get(0));
                    }
                }
                case "vrrp_version" -> {
                    if (syntax.args(st, 1)) {
                        OptionalInt v = values.integer(st.origin(), k, st.args().get(0), 2, 3);
                        if (v.isPresent()) {
                            version = v.getAsInt();
                        }
                    }
                }
                case "default_interface" -> {
                    if (syntax.args(st, 1)) {
                        defaultInterface = Optional.of(st.args().get(0));
                    }
                }
                case "vrrp_garp_master_delay" -> {
                    if (syntax.args(st, 1)) {
                        garpDelay = values.seconds(st.origin(), k, st.args().get(0), Duration.ZERO, MAX_INTERVAL).or(() -> start.garpMasterDelay());
                    }
                }
                case "vrrp_garp_master_repeat" -> {
                    if (syntax.args(st, 1)) {
                        OptionalInt v = values.integer(st.origin(), k, st.args().get(0), 1, 100);
                        garpRepeat = v.isPresent() ? v : garpRepeat;
                    }
                }
                case "vrrp_garp_master_refresh" -> {
                    if (syntax.args(st, 1)) {
                        garpRefresh = values.seconds(st.origin(), k, st.args().get(0), Duration.ZERO, MAX_INTERVAL).or(() -> start.garpMasterRefresh());
                    }
                }
                default -> diagnostics.error(st, "unknown or unsupported keyword in global_defs");
            }
        }
        return new KeepalivedConfig.GlobalDefs(routerId, version, defaultInterface, garpDelay, garpRepeat, garpRefresh);
    }

    private static boolean isIpv6(KeepalivedConfig.Instance i) {
        return !i.virtualAddresses().isEmpty() && i.virtualAddresses().get(0).address() instanceof Inet6Address;
    }
}
