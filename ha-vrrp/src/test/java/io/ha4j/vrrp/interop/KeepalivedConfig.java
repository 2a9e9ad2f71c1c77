package io.ha4j.vrrp.interop;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code vrrp_instance VI_1} for Debian's keepalived 2.2.7, written with the keywords that version accepts
 * ({@code v3_checksum_as_v2} does not exist there yet, so its VRRPv3 IPv4 checksum always has the pseudo-header).
 */
final class KeepalivedConfig {

    static final String INSTANCE = "VI_1";

    private int version = 3;
    private int vrid = 51;
    private int priority = 100;
    private String advertInt = "0.2";
    private String state = "BACKUP";
    private boolean nopreempt;
    private int preemptDelaySeconds;
    private String authPass;
    private String unicastSource;
    private final List<String> unicastPeers = new ArrayList<>();
    private final List<String> vips = new ArrayList<>();

    KeepalivedConfig version(int version) {
        this.version = version;
        return this;
    }

    KeepalivedConfig vrid(int vrid) {
        this.vrid = vrid;
        return this;
    }

    KeepalivedConfig priority(int priority) {
        this.priority = priority;
        return this;
    }

    /** keepalived's {@code advert_int} text, seconds: "0.2" (v3) or "1" (v2). */
    KeepalivedConfig advertInt(String seconds) {
        this.advertInt = seconds;
        return this;
    }

    KeepalivedConfig stateMaster() {
        this.state = "MASTER";
        return this;
    }

    KeepalivedConfig nopreempt() {
        this.nopreempt = true;
        return this;
    }

    /** keepalived's {@code preempt_delay} in seconds (it needs {@code state BACKUP}, the default here). */
    KeepalivedConfig preemptDelay(int seconds) {
        this.preemptDelaySeconds = seconds;
        return this;
    }

    KeepalivedConfig authPass(String pass) {
        this.authPass = pass;
        return this;
    }

    KeepalivedConfig unicast(String source, String... peers) {
        this.unicastSource = source;
        this.unicastPeers.addAll(List.of(peers));
        return this;
    }

    KeepalivedConfig vip(String cidr) {
        vips.add(cidr);
        return this;
    }

    String text() {
        List<String> l = new ArrayList<>();
        l.add("global_defs {");
        l.add("  router_id ha4j_interop");
        l.add("  vrrp_version " + version);
        l.add("}");
        l.add("vrrp_instance " + INSTANCE + " {");
        l.add("  state " + state);
        l.add("  interface eth0");
        l.add("  version " + version);
        l.add("  virtual_router_id " + vrid);
        l.add("  priority " + priority);
        l.add("  advert_int " + advertInt);
        if (nopreempt) {
            l.add("  nopreempt");
        }
        if (preemptDelaySeconds > 0) {
            l.add("  preempt_delay " + preemptDelaySeconds);
        }
        if (authPass != null) {
            l.add("  authentication {");
            l.add("    auth_type PASS");
            l.add("    auth_pass " + authPass);
            l.add("  }");
        }
        if (unicastSource != null) {
            l.add("  unicast_src_ip " + unicastSource);
            l.add("  unicast_peer {");
            unicastPeers.forEach(p -> l.add("    " + p));
            l.add("  }");
        }
        l.add("  virtual_ipaddress {");
        vips.forEach(v -> l.add("    " + v + " dev eth0"));
        l.add("  }");
        l.add("}");
        l.add("");
        return String.join("\n", l);
    }

    @Override
    public String toString() {
        return text();
    }
}
