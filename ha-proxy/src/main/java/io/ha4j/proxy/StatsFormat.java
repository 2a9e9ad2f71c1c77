package io.ha4j.proxy;

import java.util.List;
import java.util.Locale;

/** Renders {@link BalancerStats} as HAProxy-like HTML, as JSON and as Prometheus text (format 0.0.4). */
final class StatsFormat {

    private StatsFormat() {
    }

    // ---- JSON ----

    static String json(BalancerStats st) {
        StringBuilder b = new StringBuilder(1024);
        b.append('{');
        field(b, "name", st.name()).append(',');
        b.append("\"frontends\":[");
        List<String> fronts = st.frontends();
        for (int i = 0; i < fronts.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            quote(b, fronts.get(i));
        }
        b.append("],");
        field(b, "balance", st.balance().name()).append(',');
        field(b, "transport", st.transport()).append(',');
        field(b, "activeConnections", st.activeConnections()).append(',');
        field(b, "peakConnections", st.peakConnections()).append(',');
        field(b, "maxConnections", st.maxConnections()).append(',');
        field(b, "totalConnections", st.totalConnections()).append(',');
        field(b, "bytesIn", st.bytesIn()).append(',');
        field(b, "bytesOut", st.bytesOut()).append(',');
        field(b, "refused", st.refused()).append(',');
        field(b, "backendsUp", st.backendsUp()).append(',');
        b.append("\"backends\":[");
        List<BackendStats> rows = st.backends();
        for (int i = 0; i < rows.size(); i++) {
            BackendStats s = rows.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append('{');
            field(b, "name", s.name()).append(',');
            field(b, "address", s.address()).append(',');
            b.append("\"backup\":").append(s.backup()).append(',');
            field(b, "status", s.status()).append(',');
            field(b, "adminState", s.adminState().name()).append(',');
            b.append("\"up\":").append(s.up()).append(',');
            field(b, "weight", s.weight()).append(',');
            field(b, "effectiveWeight", s.effectiveWeight()).append(',');
            field(b, "activeConnections", s.activeConnections()).append(',');
            field(b, "peakConnections", s.peakConnections()).append(',');
            field(b, "totalConnections", s.totalConnections()).append(',');
            field(b, "bytesIn", s.bytesIn()).append(',');
            field(b, "bytesOut", s.bytesOut()).append(',');
            field(b, "connectErrors", s.connectErrors()).append(',');
            field(b, "retries", s.retries()).append(',');
            field(b, "redispatches", s.redispatches()).append(',');
            field(b, "killed", s.killed()).append(',');
            field(b, "health", s.health()).append(',');
            field(b, "rise", s.rise()).append(',');
            field(b, "fall", s.fall()).append(',');
            field(b, "check", s.check()).append(',');
            field(b, "lastCheck", s.lastCheck()).append(',');
            field(b, "downTransitions", s.downTransitions()).append(',');
            field(b, "secondsSinceChange", s.secondsSinceChange());
            b.append('}');
        }
        b.append("]}");
        return b.toString();
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        quote(b, name).append(':');
        return quote(b, value);
    }

    private static StringBuilder field(StringBuilder b, String name, long value) {
        return quote(b, name).append(':').append(value);
    }

    static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"');
    }

    // ---- Prometheus ----

    static String prometheus(BalancerStats st) {
        StringBuilder b = new StringBuilder(2048);
        String p = "proxy=\"" + label(st.name()) + "\"";
        metric(b, "ha4j_frontend_current_sessions", "gauge", "Current client connections.");
        b.append("ha4j_frontend_current_sessions{").append(p).append("} ").append(st.activeConnections()).append('\n');
        metric(b, "ha4j_frontend_max_sessions", "gauge", "Highest number of client connections seen.");
        b.append("ha4j_frontend_max_sessions{").append(p).append("} ").append(st.peakConnections()).append('\n');
        metric(b, "ha4j_frontend_limit_sessions", "gauge", "Configured maxconn.");
        b.append("ha4j_frontend_limit_sessions{").append(p).append("} ").append(st.maxConnections()).append('\n');
        metric(b, "ha4j_frontend_sessions_total", "counter", "Client connections accepted.");
        b.append("ha4j_frontend_sessions_total{").append(p).append("} ").append(st.totalConnections()).append('\n');
        metric(b, "ha4j_frontend_bytes_in_total", "counter", "Bytes received from clients.");
        b.append("ha4j_frontend_bytes_in_total{").append(p).append("} ").append(st.bytesIn()).append('\n');
        metric(b, "ha4j_frontend_bytes_out_total", "counter", "Bytes sent to clients.");
        b.append("ha4j_frontend_bytes_out_total{").append(p).append("} ").append(st.bytesOut()).append('\n');
        metric(b, "ha4j_frontend_refused_total", "counter", "Clients closed at once: no server available or every connect attempt failed.");
        b.append("ha4j_frontend_refused_total{").append(p).append("} ").append(st.refused()).append('\n');
        metric(b, "ha4j_backend_active_servers", "gauge", "Servers up, ready and of weight > 0.");
        b.append("ha4j_backend_active_servers{").append(p).append("} ").append(st.backendsUp()).append('\n');

        serverMetric(b, st, "ha4j_server_status", "gauge", "1 for the server's current status (UP, DOWN, DRAIN, MAINT).", null);
        serverMetric(b, st, "ha4j_server_check_up", "gauge", "1 when the health checker says UP.", s -> s.up() ? 1 : 0);
        serverMetric(b, st, "ha4j_server_weight", "gauge", "Configured weight.", s -> s.weight());
        serverMetric(b, st, "ha4j_server_effective_weight", "gauge", "Weight in use (lower during slowstart).", s -> s.effectiveWeight());
        serverMetric(b, st, "ha4j_server_current_sessions", "gauge", "Current connections.", s -> s.activeConnections());
        serverMetric(b, st, "ha4j_server_max_sessions", "gauge", "Highest number of connections seen.", s -> s.peakConnections());
        serverMetric(b, st, "ha4j_server_sessions_total", "counter", "Connections sent to the server.", s -> s.totalConnections());
        serverMetric(b, st, "ha4j_server_bytes_in_total", "counter", "Bytes relayed client to server.", s -> s.bytesIn());
        serverMetric(b, st, "ha4j_server_bytes_out_total", "counter", "Bytes relayed server to client.", s -> s.bytesOut());
        serverMetric(b, st, "ha4j_server_connection_errors_total", "counter", "Failed connect attempts.", s -> s.connectErrors());
        serverMetric(b, st, "ha4j_server_retry_warnings_total", "counter", "Connect attempts retried.", s -> s.retries());
        serverMetric(b, st, "ha4j_server_redispatch_warnings_total", "counter", "Connections redispatched to another server.", s -> s.redispatches());
        serverMetric(b, st, "ha4j_server_killed_total", "counter", "Connections closed by the balancer (marked down, admin, shutdown).", s -> s.killed());
        serverMetric(b, st, "ha4j_server_check_health", "gauge", "Health counter in [0, rise + fall - 1].", s -> s.health());
        serverMetric(b, st, "ha4j_server_check_up_down_total", "counter", "UP to DOWN transitions.", s -> s.downTransitions());
        return b.toString();
    }

    private interface Value {
        long of(BackendStats s);
    }

    private static void serverMetric(StringBuilder b, BalancerStats st, String name, String type, String help, Value value) {
        metric(b, name, type, help);
        String p = "proxy=\"" + label(st.name()) + "\",server=\"";
        for (BackendStats s : st.backends()) {
            if (value == null) {
                for (String state : new String[] {"UP", "DOWN", "DRAIN", "MAINT"}) {
                    b.append(name).append('{').append(p).append(label(s.name())).append("\",state=\"").append(state).append("\"} ")
                            .append(state.equals(s.status()) ? 1 : 0).append('\n');
                }
            } else {
                b.append(name).append('{').append(p).append(label(s.name())).append("\"} ").append(value.of(s)).append('\n');
            }
        }
    }

    private static void metric(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String label(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    // ---- HTML ----

    static String html(BalancerStats st, boolean actions) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ha4j statistics: ").append(esc(st.name()))
                .append("</title>\n<style>\n")
                .append("body{font-family:Arial,Helvetica,sans-serif;font-size:12px;}\n")
                .append("table{border-collapse:collapse;margin-bottom:1em;}th,td{border:1px solid #999;padding:2px 6px;text-align:right;}\n")
                .append("th{background:#20a0ff;color:#fff;}td.n{text-align:left;font-weight:bold;}\n")
                .append("tr.UP{background:#c0ffc0;}tr.DOWN{background:#ff9090;}tr.DRAIN{background:#b0d0ff;}tr.MAINT{background:#c07820;color:#fff;}\n")
                .append("tr.fe{background:#eee;}form{display:inline;margin:0;}\n")
                .append("</style></head><body>\n");
        b.append("<h1>ha4j statistics: ").append(esc(st.name())).append("</h1>\n");
        b.append("<p>Transport ").append(esc(st.transport())).append(", balance ").append(esc(st.balance().name().toLowerCase(Locale.ROOT)))
                .append(", listening on ").append(esc(String.join(", ", st.frontends()))).append(". ")
                .append("<a href=\"/stats.json\">JSON</a> &middot; <a href=\"/metrics\">Prometheus</a></p>\n");
        b.append("<table>\n<tr><th>Name</th><th>Status</th><th>Address</th><th>Weight</th><th>Cur</th><th>Max</th><th>Limit</th><th>Total</th>")
                .append("<th>Bytes in</th><th>Bytes out</th><th>Refused</th><th>Conn errors</th><th>Retries</th><th>Redisp</th><th>Killed</th>")
                .append("<th>Check</th><th>Last check</th><th>Down</th><th>Last change</th>").append(actions ? "<th>Actions</th>" : "").append("</tr>\n");
        b.append("<tr class=\"fe\"><td class=\"n\">Frontend</td><td>").append(st.backendsUp() > 0 ? "OPEN" : "NO SERVER").append("</td><td>")
                .append(esc(String.join(" ", st.frontends()))).append("</td><td></td><td>").append(st.activeConnections()).append("</td><td>")
                .append(st.peakConnections()).append("</td><td>").append(st.maxConnections()).append("</td><td>")
                .append(st.totalConnections()).append("</td><td>").append(st.bytesIn()).append("</td><td>").append(st.bytesOut())
                .append("</td><td>").append(st.refused()).append("</td><td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td>")
                .append(actions ? "<td></td>" : "").append("</tr>\n");
        for (BackendStats s : st.backends()) {
            String n = esc(s.name());
            b.append("<tr class=\"").append(s.status()).append("\"><td class=\"n\">").append(n).append(s.backup() ? " (backup)" : "")
                    .append("</td><td>").append(s.status()).append("</td><td>").append(esc(s.address())).append("</td><td>")
                    .append(s.effectiveWeight()).append('/').append(s.weight()).append("</td><td>").append(s.activeConnections())
                    .append("</td><td>").append(s.peakConnections()).append("</td><td></td><td>").append(s.totalConnections())
                    .append("</td><td>").append(s.bytesIn()).append("</td><td>").append(s.bytesOut()).append("</td><td></td><td>")
                    .append(s.connectErrors()).append("</td><td>").append(s.retries()).append("</td><td>").append(s.redispatches())
                    .append("</td><td>").append(s.killed()).append("</td><td>").append(esc(s.check())).append(' ')
                    .append(s.health()).append('/').append(s.rise() + s.fall() - 1).append("</td><td>").append(esc(s.lastCheck()))
                    .append("</td><td>").append(s.downTransitions()).append("</td><td>")
                    .append(s.secondsSinceChange() < 0 ? "-" : s.secondsSinceChange() + "s").append("</td>");
            if (!actions) {
                b.append("</tr>\n");
                continue;
            }
            b.append("<td>");
            for (String action : new String[] {"enable", "drain", "disable", "shutdown-sessions", "remove"}) {
                b.append("<form method=\"post\" action=\"/backends/").append(n).append('/').append(action)
                        .append("\"><input type=\"hidden\" name=\"redirect\" value=\"1\"><button>").append(action).append("</button></form> ");
            }
            b.append("<form method=\"post\" action=\"/backends/").append(n).append("/weight\"><input type=\"hidden\" name=\"redirect\" value=\"1\">")
                    .append("<input name=\"weight\" size=\"3\" value=\"").append(s.weight()).append("\"><button>weight</button></form>");
            b.append("</td></tr>\n");
        }
        b.append("</table>\n");
        if (!actions) {
            return b.append("</body></html>\n").toString();
        }
        b.append("<form method=\"post\" action=\"/backends\"><input type=\"hidden\" name=\"redirect\" value=\"1\">Add backend: ")
                .append("name <input name=\"name\" size=\"10\"> host <input name=\"host\" size=\"14\"> port <input name=\"port\" size=\"5\"> ")
                .append("weight <input name=\"weight\" size=\"3\" value=\"1\"> backup <input type=\"checkbox\" name=\"backup\" value=\"1\"> ")
                .append("<button>add</button></form>\n");
        b.append("</body></html>\n");
        return b.toString();
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                case '\'': b.append("&#39;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }
}
