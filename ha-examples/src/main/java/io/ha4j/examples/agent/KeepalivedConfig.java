package io.ha4j.examples.agent;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a {@code keepalived.conf} says, after parsing and with keepalived's defaults filled in. Immutable.
 *
 * @param file the top-level file
 * @param globalDefs the {@code global_defs} block (defaults when there is none)
 * @param scripts every {@code vrrp_script}, in file order
 * @param instances every {@code vrrp_instance}, in file order
 * @param syncGroups every {@code vrrp_sync_group}, in file order
 */
public record KeepalivedConfig(String file, GlobalDefs globalDefs, List<Script> scripts, List<Instance> instances,
        List<SyncGroup> syncGroups) {

    public KeepalivedConfig {
        scripts = List.copyOf(scripts);
        instances = List.copyOf(instances);
        syncGroups = List.copyOf(syncGroups);
    }

    /** The script called {@code name}, if defined. */
    public Optional<Script> script(String name) {
        return scripts.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The instance called {@code name}, if defined. */
    public Optional<Instance> instance(String name) {
        return instances.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    /**
     * {@code global_defs}.
     *
     * @param routerId {@code router_id}: names this node (the agent uses it as the cluster name)
     * @param vrrpVersion {@code vrrp_version}, default 2
     * @param defaultInterface {@code default_interface}: for instances without {@code interface}; keepalived's default is eth0
     * @param garpMasterDelay {@code vrrp_garp_master_delay}: default for instances
     * @param garpMasterRepeat {@code vrrp_garp_master_repeat}: default for instances
     * @param garpMasterRefresh {@code vrrp_garp_master_refresh}: default for instances
     */
    public record GlobalDefs(Optional<String> routerId, int vrrpVersion, Optional<String> defaultInterface,
            Optional<Duration> garpMasterDelay, OptionalInt garpMasterRepeat, Optional<Duration> garpMasterRefresh) {

        public static final GlobalDefs DEFAULTS =
                new GlobalDefs(Optional.empty(), 2, Optional.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty());
    }

    /**
     * {@code vrrp_script NAME { ... }}. Defaults are keepalived's: interval 1s, timeout = interval, weight 0
     * (a failure puts the instance into FAULT), rise 1, fall 1.
     *
     * @param command {@code script}: the command line; keepalived runs it without a shell, splitting words and honouring quotes
     * @param weight {@code weight}, in [-253, 253]
     * @param reverse {@code weight N reverse}: the weight applies the other way round
     * @param user {@code user}: keepalived runs the script as this user; ha4j cannot (warned)
     * @param initFail {@code init_fail}: the script starts failed instead of good
     */
    public record Script(String name, Origin origin, String command, Duration interval, Duration timeout,
            int weight, boolean reverse, int rise, int fall, Optional<String> user, boolean initFail) {
    }

    /**
     * {@code vrrp_sync_group NAME { group { VI_1 VI_2 } }}: instances that change state together.
     *
     * @param instances the member instance names, each defined and in no other group
     */
    public record SyncGroup(String name, Origin origin, List<String> instances) {
        public SyncGroup {
            instances = List.copyOf(instances);
        }
    }

    /** VRRP start state ({@code state}); keepalived's default is BACKUP. */
    public enum InitialState { MASTER, BACKUP }

    /**
     * {@code vrrp_instance NAME { ... }}, with keepalived defaults: state BACKUP, priority 100, advert_int 1s,
     * preempt on, preempt_delay 0.
     *
     * @param interfaceName {@code interface} (or the global default interface)
     * @param version {@code version}, else {@code vrrp_version} of global_defs, else 2
     * @param authentication {@code authentication { auth_type PASS; auth_pass ... }}, VRRPv2 only
     * @param virtualAddresses {@code virtual_ipaddress}
     * @param unicastSourceIp {@code unicast_src_ip}
     * @param unicastPeers {@code unicast_peer}; empty means multicast
     * @param trackScripts {@code track_script}
     * @param trackInterfaces {@code track_interface}
     * @param notifyScripts the notify scripts
     * @param preempt false with {@code nopreempt}
     * @param preemptDelay {@code preempt_delay}
     * @param garpMasterDelay {@code garp_master_delay}: the second GARP burst after becoming master
     * @param garpMasterRepeat {@code garp_master_repeat}: GARPs per burst
     * @param garpMasterRefresh {@code garp_master_refresh}: periodic GARP while master (0 = off)
     */
    public record Instance(String name, Origin origin, InitialState state, String interfaceName, int virtualRouterId,
            int priority, Duration advertInterval, int version, Optional<Authentication> authentication,
            List<Vip> virtualAddresses, Optional<InetAddress> unicastSourceIp, List<InetAddress> unicastPeers,
            List<TrackedScript> trackScripts, List<TrackedInterface> trackInterfaces, Notify notifyScripts,
            boolean preempt, Duration preemptDelay, Optional<Duration> garpMasterDelay, OptionalInt garpMasterRepeat,
            Optional<Duration> garpMasterRefresh) {

        public Instance {
            virtualAddresses = List.copyOf(virtualAddresses);
            unicastPeers = List.copyOf(unicastPeers);
            trackScripts = List.copyOf(trackScripts);
            trackInterfaces = List.copyOf(trackInterfaces);
        }
    }

    /** {@code authentication} ({@code auth_type PASS} only: {@code AH} is rejected). No security: the password is sent in clear. */
    public record Authentication(String password) {
        @Override
        public String toString() {
            return "Authentication[PASS, " + password.length() + " characters]";
        }
    }

    /**
     * One line of {@code virtual_ipaddress}: {@code ADDRESS[/PREFIX] [dev IFACE] [label LABEL]}; without a
     * prefix, /32 (IPv4) or /128 (IPv6), as keepalived.
     */
    public record Vip(Origin origin, InetAddress address, int prefixLength, Optional<String> device, Optional<String> label) {

        /** {@code address/prefix}. */
        public String cidr() {
            return address.getHostAddress() + "/" + prefixLength;
        }
    }

    /**
     * One line of {@code track_script}: the script, and a weight that replaces the script's own when given.
     */
    public record TrackedScript(Origin origin, String name, OptionalInt weight, boolean reverse) {
    }

    /** One line of {@code track_interface}: weight 0 means FAULT while the interface is down. */
    public record TrackedInterface(Origin origin, String name, int weight) {
    }

    /**
     * The notify scripts. keepalived runs {@code notify} with four more arguments: {@code INSTANCE}, the
     * instance name, the new state and the priority.
     */
    public record Notify(Optional<String> master, Optional<String> backup, Optional<String> fault, Optional<String> stop,
            Optional<String> any) {

        public static final Notify NONE = new Notify(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());

        public boolean isEmpty() {
            return master.isEmpty() && backup.isEmpty() && fault.isEmpty() && stop.isEmpty() && any.isEmpty();
        }
    }
}
