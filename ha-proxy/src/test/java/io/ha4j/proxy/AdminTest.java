package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static io.ha4j.proxy.TestSupport.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HealthCheck;
import io.ha4j.proxy.TestSupport.EchoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The admin listener: stats pages with real numbers, and admin actions that change what the balancer does. */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(InetSocketAddress admin, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(admin, path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(InetSocketAddress admin, String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(admin, path)).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/x-ha4j-admin") // a script's request: not a type a browser sends cross-origin
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(InetSocketAddress a, String path) {
        return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + path);
    }

    private static Map<String, Integer> spread(InetSocketAddress front, int clients) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < clients; i++) {
            try (Socket s = connect(front)) {
                counts.merge(String.valueOf(readLine(s.getInputStream())), 1, Integer::sum);
            }
        }
        return counts;
    }

    @Test
    void testStatsShowRealNumbersAndAdminActionsSteerTraffic() throws Exception {
        try (EchoServer a = new EchoServer("a", true);
             EchoServer b = new EchoServer("b", true);
             EchoServer c = new EchoServer("c", true);
             TcpBalancer balancer = TestSupport.balancer("admin", a, b)
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .slowStart(Duration.ZERO)
                     .adminPort(0)
                     .build()) {
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            InetSocketAddress admin = balancer.adminBoundAddress().orElseThrow();
            assertTrue(admin.getAddress().isLoopbackAddress(), "admin listens on loopback by default");

            for (int i = 0; i < 4; i++) {
                try (Socket s = connect(front)) {
                    readLine(s.getInputStream());
                    s.getOutputStream().write(("payload-" + i + "\n").getBytes());
                    readLine(s.getInputStream());
                }
            }
            assertTrue(TestSupport.await(Duration.ofSeconds(5), () -> balancer.stats().activeConnections() == 0));
            BackendStats sa = balancer.stats().backend("a");
            assertEquals(2, sa.totalConnections());
            assertTrue(sa.bytesIn() > 0 && sa.bytesOut() > sa.bytesIn(), sa.toString());

            HttpResponse<String> html = get(admin, "/stats");
            assertEquals(200, html.statusCode());
            Matcher row = Pattern.compile("<tr class=\"UP\" id=\"admin/a\"><td class=\"n\">a</td>(.*?)</tr>").matcher(html.body());
            assertTrue(row.find(), html.body());
            String cells = row.group(1);
            assertTrue(cells.contains("<td>" + sa.bytesIn() + "</td><td>" + sa.bytesOut() + "</td>"), "bytes of a in its row: " + cells);
            assertTrue(cells.contains("<td>UP</td>") && cells.contains("<td>" + sa.totalConnections() + "</td>"), cells);

            String json = get(admin, "/stats.json").body();
            assertTrue(json.contains("\"name\":\"a\",\"address\":\"127.0.0.1:" + a.port() + "\""), json);
            assertTrue(json.contains("\"bytesIn\":" + sa.bytesIn() + ",\"bytesOut\":" + sa.bytesOut()), json);
            assertTrue(json.contains("\"totalConnections\":4"), json);

            String prom = get(admin, "/metrics").body();
            assertTrue(prom.contains("ha4j_server_bytes_in_total{proxy=\"admin\",server=\"a\"} " + sa.bytesIn() + "\n"), prom);
            assertTrue(prom.contains("ha4j_server_status{proxy=\"admin\",server=\"a\",state=\"UP\"} 1\n"), prom);
            assertTrue(prom.contains("ha4j_frontend_sessions_total{proxy=\"admin\"} 4\n"), prom);

            // an established connection to a survives disabling a
            try (Socket kept = connect(front)) {
                String keptOn = readLine(kept.getInputStream());
                assertEquals(200, post(admin, "/backends/" + keptOn + "/disable", "").statusCode());
                assertEquals("MAINT", balancer.stats().backend(keptOn).status());
                String other = keptOn.equals("a") ? "b" : "a";
                assertEquals(Map.of(other, 6), spread(front, 6), "disabled backend gets no new connections");
                kept.getOutputStream().write("still here\n".getBytes());
                assertEquals("still here", readLine(kept.getInputStream()));
                assertEquals(200, post(admin, "/backends/" + keptOn + "/enable", "").statusCode());
            }
            assertEquals(Map.of("a", 3, "b", 3), spread(front, 6));

            assertEquals(200, post(admin, "/backends/b/weight", "weight=3").statusCode());
            assertEquals(Map.of("a", 10, "b", 30), spread(front, 40), "weight 3:1");
            assertEquals(200, post(admin, "/backends/b/drain", "").statusCode());
            assertEquals(Map.of("a", 5), spread(front, 5));
            assertEquals(200, post(admin, "/backends/b/enable", "").statusCode());
            assertEquals(200, post(admin, "/backends/b/weight", "weight=1").statusCode());

            HttpResponse<String> added = post(admin, "/backends", "name=c&host=127.0.0.1&port=" + c.port() + "&weight=1");
            assertEquals(200, added.statusCode(), added.body());
            assertEquals(Map.of("a", 3, "b", 3, "c", 3), spread(front, 9), "added backend takes traffic");
            HttpResponse<String> removed = post(admin, "/backends/c/remove", "redirect=1");
            assertEquals(303, removed.statusCode(), "page buttons redirect back to the stats page");
            assertNull(spread(front, 6).get("c"), "removed backend takes none");
            assertNull(balancer.stats().backend("c"));

            HttpResponse<String> bad = post(admin, "/backends/a/weight", "weight=999");
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("weight must be in [0, 256], was 999"), bad.body());
            assertEquals(400, post(admin, "/backends/nope/drain", "").statusCode());
            assertEquals(404, get(admin, "/nope").statusCode());
        }
    }

    @Test
    void testReadOnlyListenerServesStatsButRefusesActions() throws Exception {
        try (EchoServer a = new EchoServer("a", true);
             TcpBalancer balancer = TestSupport.balancer("read-only", a)
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .adminPort(0)
                     .adminActions(false)
                     .build()) {
            balancer.start();
            InetSocketAddress admin = balancer.adminBoundAddress().orElseThrow();
            HttpResponse<String> page = get(admin, "/stats");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<td class=\"n\">a</td>") && !page.body().contains("<form"), page.body());
            HttpResponse<String> refused = post(admin, "/backends/a/disable", "");
            assertEquals(403, refused.statusCode());
            assertEquals("UP", balancer.stats().backend("a").status(), "nothing changed");
        }
    }
}
