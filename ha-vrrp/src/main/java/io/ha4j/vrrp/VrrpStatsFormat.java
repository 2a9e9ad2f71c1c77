package io.ha4j.vrrp;

import io.ha4j.core.ComponentStats;
import io.ha4j.core.ComponentStats.Metric;
import io.ha4j.core.ComponentStats.MetricType;
import io.ha4j.core.VirtualAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link VrrpInstance} as the stats SPI's {@link ComponentStats}. Metric names map keepalived's SNMP
 * ({@code vrrpInstanceState}, {@code vrrpInstanceBasePriority}, {@code vrrpInstanceEffectivePriority},
 * {@code vrrpStatsAdvertisementRcvd}, {@code vrrpStatsBecomeMaster}, {@code vrrpStatsReleaseMaster}, the
 * {@code vrrpStats*Errors} drops) and its JSON dump to Prometheus conventions: {@code ha4j_vrrp_} prefix, seconds
 * for intervals, {@code _total} counters, the label {@code instance} (keepalived's instance name), drops by a
 * {@code reason} label with every reason present from the start, the state as one 0/1 series per state as promex
 * does for server states, and the master's address in an info metric because it changes.
 */
final class VrrpStatsFormat {

    static final String KIND = "vrrp";

    private VrrpStatsFormat() {
    }

    static ComponentStats componentStats(VrrpInstance vi, VrrpState state, int effectivePriority, String master,
                                         Duration masterDown, List<Object> transitions) {
        VrrpCounters c = vi.counters();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", vi.name());
        f.put("state", state.name());
        f.put("vrid", vi.virtualRouterId());
        f.put("interface", vi.interfaceName());
        f.put("version", vi.version());
        f.put("priority", vi.priority());
        f.put("effectivePriority", effectivePriority);
        f.put("masterAddress", master);
        f.put("advertIntervalSeconds", seconds(vi.advertInterval()));
        f.put("masterDownIntervalSeconds", seconds(masterDown));
        List<Object> vips = new ArrayList<>();
        for (VirtualAddress v : vi.virtualAddresses()) {
            vips.add(v.cidr());
        }
        f.put("virtualAddresses", vips);
        f.put("advertsSent", c.advertsSent());
        f.put("advertsReceived", c.advertsReceived());
        f.put("priorityZeroSent", c.priorityZeroSent());
        f.put("priorityZeroReceived", c.priorityZeroReceived());
        f.put("becameMaster", c.becameMaster());
        f.put("releasedMaster", c.releasedMaster());
        f.put("sendErrors", c.sendErrors());
        f.put("addressListMismatch", c.addressListMismatch());
        f.put("answersSuppressed", c.answersSuppressed());
        f.put("droppedTotal", c.droppedTotal());
        Map<String, Object> dropped = new LinkedHashMap<>();
        c.droppedByReason().forEach((reason, n) -> dropped.put(lower(reason), n));
        f.put("dropped", dropped);
        f.put("transitions", transitions);

        List<Metric> m = new ArrayList<>(64);
        Map<String, String> l = Map.of("instance", vi.name());
        for (VrrpState s : VrrpState.values()) {
            Map<String, String> sl = new LinkedHashMap<>(l);
            sl.put("state", s.name());
            m.add(gauge("ha4j_vrrp_state", "1 for the instance's current state.", sl, s == state ? 1 : 0));
        }
        Map<String, String> info = new LinkedHashMap<>(l);
        info.put("vrid", Integer.toString(vi.virtualRouterId()));
        info.put("interface", vi.interfaceName());
        info.put("version", Integer.toString(vi.version()));
        info.put("master_address", master);
        m.add(gauge("ha4j_vrrp_info", "Always 1; the labels tell the virtual router, interface, version and the master's address.",
                info, 1));
        m.add(gauge("ha4j_vrrp_base_priority", "Configured priority.", l, vi.priority()));
        m.add(gauge("ha4j_vrrp_effective_priority", "Priority after tracking weights.", l, effectivePriority));
        m.add(gauge("ha4j_vrrp_advert_interval_seconds", "Configured advert interval.", l, seconds(vi.advertInterval())));
        m.add(gauge("ha4j_vrrp_master_down_interval_seconds", "Current Master_Down_Interval.", l, seconds(masterDown)));
        m.add(counter("ha4j_vrrp_adverts_sent_total", "Adverts sent (one per unicast peer).", l, c.advertsSent()));
        m.add(counter("ha4j_vrrp_adverts_received_total", "Adverts that passed every receive check.", l, c.advertsReceived()));
        m.add(counter("ha4j_vrrp_priority_zero_sent_total", "Priority-0 adverts sent (leaving MASTER).", l, c.priorityZeroSent()));
        m.add(counter("ha4j_vrrp_priority_zero_received_total", "Priority-0 adverts received.", l, c.priorityZeroReceived()));
        m.add(counter("ha4j_vrrp_became_master_total", "Transitions into MASTER.", l, c.becameMaster()));
        m.add(counter("ha4j_vrrp_released_master_total", "Transitions out of MASTER.", l, c.releasedMaster()));
        m.add(counter("ha4j_vrrp_send_errors_total", "Adverts the transport refused to send.", l, c.sendErrors()));
        m.add(counter("ha4j_vrrp_address_list_mismatch_total", "Accepted adverts listing other addresses than ours.", l,
                c.addressListMismatch()));
        m.add(counter("ha4j_vrrp_answers_suppressed_total", "Adverts a master did not answer (one answer per interval).", l,
                c.answersSuppressed()));
        for (DropReason reason : DropReason.values()) {
            Map<String, String> rl = new LinkedHashMap<>(l);
            rl.put("reason", lower(reason));
            m.add(counter("ha4j_vrrp_dropped_packets_total", "Received packets dropped, by the receive check that refused them.",
                    rl, c.dropped(reason)));
        }
        return new ComponentStats(KIND, vi.name(), f, m);
    }

    static String address(byte[] bytes, int length) {
        try {
            return InetAddress.getByAddress(java.util.Arrays.copyOf(bytes, length)).getHostAddress();
        } catch (UnknownHostException e) {
            return "";
        }
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static String lower(DropReason r) {
        return r.name().toLowerCase(Locale.ROOT);
    }

    private static Metric gauge(String name, String help, Map<String, String> labels, double value) {
        return new Metric(name, MetricType.GAUGE, help, labels, value);
    }

    private static Metric counter(String name, String help, Map<String, String> labels, double value) {
        return new Metric(name, MetricType.COUNTER, help, labels, value);
    }
}
