package io.ha4j.proxy;

import io.ha4j.core.ComponentStats;
import io.ha4j.core.ComponentStats.Metric;
import io.ha4j.core.ComponentStats.MetricType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * {@link BalancerStats} as the stats SPI's {@link ComponentStats}: JSON fields and Prometheus samples. Metric names
 * follow HAProxy's promex exporter ({@code haproxy_frontend_current_sessions} becomes
 * {@code ha4j_frontend_current_sessions}) with the label {@code proxy} for the balancer and {@code server} for a
 * backend, so that dashboards written for promex need only the prefix changed.
 */
final class StatsFormat {

    static final String KIND = "balancer";
    private static final String[] STATUSES = {"UP", "DOWN", "DRAIN", "MAINT"};

    private StatsFormat() {
    }

    static ComponentStats componentStats(BalancerStats st) {
        return new ComponentStats(KIND, st.name(), fields(st), metrics(st));
    }

    static Map<String, Object> fields(BalancerStats st) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", st.name());
        f.put("frontends", st.frontends());
        f.put("balance", st.balance().name());
        f.put("transport", st.transport());
        f.put("activeConnections", st.activeConnections());
        f.put("peakConnections", st.peakConnections());
        f.put("maxConnections", st.maxConnections());
        f.put("totalConnections", st.totalConnections());
        f.put("bytesIn", st.bytesIn());
        f.put("bytesOut", st.bytesOut());
        f.put("refused", st.refused());
        f.put("closedOnVipLeave", st.closedOnVipLeave());
        f.put("handshakesDroppedFor", st.handshakesDroppedFor());
        f.put("backendsUp", st.backendsUp());
        List<Object> rows = new ArrayList<>();
        for (BackendStats s : st.backends()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", s.name());
            r.put("address", s.address());
            r.put("backup", s.backup());
            r.put("status", s.status());
            r.put("adminState", s.adminState().name());
            r.put("up", s.up());
            r.put("weight", s.weight());
            r.put("effectiveWeight", s.effectiveWeight());
            r.put("activeConnections", s.activeConnections());
            r.put("peakConnections", s.peakConnections());
            r.put("totalConnections", s.totalConnections());
            r.put("bytesIn", s.bytesIn());
            r.put("bytesOut", s.bytesOut());
            r.put("connectErrors", s.connectErrors());
            r.put("retries", s.retries());
            r.put("redispatches", s.redispatches());
            r.put("killed", s.killed());
            r.put("health", s.health());
            r.put("rise", s.rise());
            r.put("fall", s.fall());
            r.put("check", s.check());
            r.put("lastCheck", s.lastCheck());
            r.put("downTransitions", s.downTransitions());
            r.put("secondsSinceChange", s.secondsSinceChange());
            rows.add(r);
        }
        f.put("backends", rows);
        return f;
    }

    static List<Metric> metrics(BalancerStats st) {
        List<Metric> out = new ArrayList<>(32 + 24 * st.backends().size());
        Map<String, String> p = Map.of("proxy", st.name());
        out.add(gauge("ha4j_frontend_current_sessions", "Current client connections.", p, st.activeConnections()));
        out.add(gauge("ha4j_frontend_max_sessions", "Highest number of client connections seen.", p, st.peakConnections()));
        out.add(gauge("ha4j_frontend_limit_sessions", "Configured maxconn.", p, st.maxConnections()));
        out.add(counter("ha4j_frontend_sessions_total", "Client connections accepted.", p, st.totalConnections()));
        out.add(counter("ha4j_frontend_bytes_in_total", "Bytes received from clients.", p, st.bytesIn()));
        out.add(counter("ha4j_frontend_bytes_out_total", "Bytes sent to clients.", p, st.bytesOut()));
        out.add(counter("ha4j_frontend_refused_total",
                "Clients closed at once: no server available or every connect attempt failed.", p, st.refused()));
        out.add(counter("ha4j_frontend_closed_on_vip_leave_total",
                "Client connections ended because the VIP they arrived on left this node (a VRRP handover).", p,
                st.closedOnVipLeave()));
        out.add(gauge("ha4j_frontend_vips_refusing_handshakes",
                "VIPs leaving this node whose new clients' SYNs are dropped now (a planned VRRP move).", p,
                st.handshakesDroppedFor().size()));
        out.add(gauge("ha4j_backend_active_servers", "Servers up, ready and of weight > 0.", p, st.backendsUp()));
        for (BackendStats s : st.backends()) {
            for (String state : STATUSES) {
                Map<String, String> l = new LinkedHashMap<>();
                l.put("proxy", st.name());
                l.put("server", s.name());
                l.put("state", state);
                out.add(gauge("ha4j_server_status", "1 for the server's current status (UP, DOWN, DRAIN, MAINT).", l,
                        state.equals(s.status()) ? 1 : 0));
            }
        }
        server(out, st, MetricType.GAUGE, "ha4j_server_check_up", "1 when the health checker says UP.", s -> s.up() ? 1 : 0);
        server(out, st, MetricType.GAUGE, "ha4j_server_weight", "Configured weight.", BackendStats::weight);
        server(out, st, MetricType.GAUGE, "ha4j_server_effective_weight", "Weight in use (lower during slowstart).",
                BackendStats::effectiveWeight);
        server(out, st, MetricType.GAUGE, "ha4j_server_current_sessions", "Current connections.", BackendStats::activeConnections);
        server(out, st, MetricType.GAUGE, "ha4j_server_max_sessions", "Highest number of connections seen.", BackendStats::peakConnections);
        server(out, st, MetricType.COUNTER, "ha4j_server_sessions_total", "Connections sent to the server.", BackendStats::totalConnections);
        server(out, st, MetricType.COUNTER, "ha4j_server_bytes_in_total", "Bytes relayed client to server.", BackendStats::bytesIn);
        server(out, st, MetricType.COUNTER, "ha4j_server_bytes_out_total", "Bytes relayed server to client.", BackendStats::bytesOut);
        server(out, st, MetricType.COUNTER, "ha4j_server_connection_errors_total", "Failed connect attempts.", BackendStats::connectErrors);
        server(out, st, MetricType.COUNTER, "ha4j_server_retry_warnings_total", "Connect attempts retried.", BackendStats::retries);
        server(out, st, MetricType.COUNTER, "ha4j_server_redispatch_warnings_total", "Connections redispatched to another server.",
                BackendStats::redispatches);
        server(out, st, MetricType.COUNTER, "ha4j_server_killed_total",
                "Connections closed by the balancer (marked down, admin, shutdown).", BackendStats::killed);
        server(out, st, MetricType.GAUGE, "ha4j_server_check_health", "Health counter in [0, rise + fall - 1].", BackendStats::health);
        server(out, st, MetricType.COUNTER, "ha4j_server_check_up_down_total", "UP to DOWN transitions.", BackendStats::downTransitions);
        server(out, st, MetricType.GAUGE, "ha4j_server_last_change_seconds",
                "Seconds since the server's status last changed (-1 before the first check).", BackendStats::secondsSinceChange);
        return out;
    }

    private static void server(List<Metric> out, BalancerStats st, MetricType type, String name, String help,
                               ToLongFunction<BackendStats> value) {
        for (BackendStats s : st.backends()) {
            Map<String, String> l = new LinkedHashMap<>();
            l.put("proxy", st.name());
            l.put("server", s.name());
            out.add(new Metric(name, type, help, l, value.applyAsLong(s)));
        }
    }

    private static Metric gauge(String name, String help, Map<String, String> labels, double value) {
        return new Metric(name, MetricType.GAUGE, help, labels, value);
    }

    private static Metric counter(String name, String help, Map<String, String> labels, double value) {
        return new Metric(name, MetricType.COUNTER, help, labels, value);
    }
}
