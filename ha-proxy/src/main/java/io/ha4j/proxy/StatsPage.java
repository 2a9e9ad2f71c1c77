package io.ha4j.proxy;

import io.ha4j.core.ComponentStats;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The HTML stats page of a whole cluster, laid out like HAProxy's: one table per balancer (frontend row, then a row
 * per backend, coloured by status, with the admin buttons when the viewer may use them), then one table per other
 * kind of component ({@code vrrp}, a user's own) with a row per component, its columns taken from the fields of its
 * {@link ComponentStats}.
 *
 * @param title the cluster's name
 * @param version shown in the header; null with {@code stats hide-version}
 * @param refreshSeconds the page reloads itself this often (HAProxy's {@code stats refresh}); 0 for never
 * @param uri the page's own path, where the buttons return to
 * @param token the listener's anti-forgery token, put in every form
 * @param actions whether this viewer may change the pool (buttons are shown)
 * @param balancers the balancers' stats
 * @param others every other component's stats
 */
record StatsPage(String title, String version, long refreshSeconds, String uri, String token, boolean actions,
                 List<BalancerStats> balancers, List<ComponentStats> others) {

    String html() {
        StringBuilder b = new StringBuilder(8192);
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">");
        if (refreshSeconds > 0) {
            b.append("<meta http-equiv=\"refresh\" content=\"").append(refreshSeconds).append("\">");
        }
        b.append("<title>ha4j statistics: ").append(esc(title)).append("</title>\n<style>\n")
                .append("body{font-family:Arial,Helvetica,sans-serif;font-size:12px;}\n")
                .append("table{border-collapse:collapse;margin-bottom:1em;}th,td{border:1px solid #999;padding:2px 6px;text-align:right;}\n")
                .append("th{background:#20a0ff;color:#fff;}td.n{text-align:left;font-weight:bold;}td.t{text-align:left;}\n")
                .append("tr.UP,tr.MASTER{background:#c0ffc0;}tr.DOWN,tr.FAULT{background:#ff9090;}tr.DRAIN,tr.BACKUP{background:#b0d0ff;}")
                .append("tr.MAINT{background:#c07820;color:#fff;}tr.INITIALIZE{background:#e0e0e0;}\n")
                .append("tr.fe{background:#eee;}form{display:inline;margin:0;}h2{font-size:14px;margin:1em 0 .3em 0;}\n")
                .append("</style></head><body>\n");
        b.append("<h1>ha4j statistics: ").append(esc(title)).append("</h1>\n<p>");
        if (version != null) {
            b.append("ha4j ").append(esc(version)).append(". ");
        }
        b.append(actions ? "Admin actions enabled. " : "Read-only. ");
        if (refreshSeconds > 0) {
            b.append("Refreshes every ").append(refreshSeconds).append(" s. ");
        }
        b.append("<a href=\"").append(esc(uri)).append(";json\">JSON</a> &middot; <a href=\"/metrics\">Prometheus</a></p>\n");
        for (BalancerStats st : balancers) {
            balancer(b, st);
        }
        Map<String, List<ComponentStats>> byKind = new LinkedHashMap<>();
        for (ComponentStats c : others) {
            byKind.computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(c);
        }
        byKind.forEach((kind, list) -> generic(b, kind, list));
        return b.append("</body></html>\n").toString();
    }

    private void balancer(StringBuilder b, BalancerStats st) {
        String proxy = esc(st.name());
        b.append("<h2>Balancer ").append(proxy).append("</h2>\n<p>Transport ").append(esc(st.transport())).append(", balance ")
                .append(esc(st.balance().name().toLowerCase(Locale.ROOT))).append(", listening on ")
                .append(esc(String.join(", ", st.frontends()))).append(".</p>\n");
        b.append("<table class=\"balancer\" data-proxy=\"").append(proxy).append("\">\n<tr><th>Name</th><th>Status</th><th>Address</th>")
                .append("<th>Weight</th><th>Cur</th><th>Max</th><th>Limit</th><th>Total</th>")
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
            String segment = esc(URLEncoder.encode(s.name(), StandardCharsets.UTF_8).replace("+", "%20"));
            b.append("<tr class=\"").append(s.status()).append("\" id=\"").append(proxy).append('/').append(n)
                    .append("\"><td class=\"n\">").append(n).append(s.backup() ? " (backup)" : "")
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
                form(b, "/backends/" + segment + "/" + action, proxy);
                b.append("<button name=\"do\" value=\"").append(action).append("\">").append(action).append("</button></form> ");
            }
            form(b, "/backends/" + segment + "/weight", proxy);
            b.append("<input name=\"weight\" size=\"3\" value=\"").append(s.weight()).append("\"><button name=\"do\" value=\"weight\">weight</button></form>");
            b.append("</td></tr>\n");
        }
        b.append("</table>\n");
        if (actions) {
            form(b, "/backends", proxy);
            b.append("Add backend to ").append(proxy).append(": name <input name=\"name\" size=\"10\"> host <input name=\"host\" size=\"14\"> ")
                    .append("port <input name=\"port\" size=\"5\"> weight <input name=\"weight\" size=\"3\" value=\"1\"> ")
                    .append("backup <input type=\"checkbox\" name=\"backup\" value=\"1\"> <button>add</button></form>\n");
        }
    }

    private void form(StringBuilder b, String action, String proxy) {
        b.append("<form method=\"post\" action=\"").append(action).append("\"><input type=\"hidden\" name=\"redirect\" value=\"1\">")
                .append("<input type=\"hidden\" name=\"proxy\" value=\"").append(proxy).append("\">")
                .append("<input type=\"hidden\" name=\"token\" value=\"").append(esc(token)).append("\">");
    }

    private static void generic(StringBuilder b, String kind, List<ComponentStats> list) {
        Set<String> columns = new LinkedHashSet<>();
        for (ComponentStats c : list) {
            columns.addAll(c.fields().keySet());
        }
        columns.remove("name");
        b.append("<h2>").append(esc(kind.toUpperCase(Locale.ROOT))).append("</h2>\n<table class=\"").append(esc(kind))
                .append("\">\n<tr><th>Name</th>");
        for (String col : columns) {
            b.append("<th>").append(esc(words(col))).append("</th>");
        }
        b.append("</tr>\n");
        for (ComponentStats c : list) {
            Object state = c.fields().get("state");
            b.append("<tr class=\"").append(state == null ? "" : esc(state.toString())).append("\" id=\"").append(esc(kind))
                    .append('/').append(esc(c.name())).append("\"><td class=\"n\">").append(esc(c.name())).append("</td>");
            for (String col : columns) {
                Object v = c.fields().get(col);
                b.append(v instanceof Number ? "<td>" : "<td class=\"t\">");
                cell(b, v);
                b.append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n");
    }

    private static void cell(StringBuilder b, Object v) {
        if (v == null) {
            return;
        }
        if (v instanceof Map<?, ?> m) {
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(", ");
                }
                first = false;
                b.append(esc(String.valueOf(e.getKey()))).append('=');
                cell(b, e.getValue());
            }
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(l.get(i) instanceof Map ? "<br>" : ", ");
                }
                cell(b, l.get(i));
            }
        } else {
            b.append(esc(v.toString()));
        }
    }

    /** {@code advertIntervalSeconds} as "advert interval seconds", so that narrow columns can wrap. */
    static String words(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                b.append(' ').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
