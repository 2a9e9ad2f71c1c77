package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static io.ha4j.proxy.TestSupport.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.testkit.Await;
import io.ha4j.proxy.TestSupport.EchoServer;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /stats.json} read with a real JSON parser and {@code /metrics} read line by line by the Prometheus text
 * format's grammar, after real traffic: every figure equals the balancer's own {@link BalancerStats}.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatsEndpointsTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(InetSocketAddress admin, String path) throws Exception {
        URI uri = URI.create("http://" + admin.getAddress().getHostAddress() + ":" + admin.getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void statsJsonAndMetricsParseAndMatchTheBalancersCounters() throws Exception {
        try (EchoServer a = new EchoServer("a", true);
             EchoServer b = new EchoServer("b", true);
             TcpBalancer balancer = TestSupport.balancer("stats \"q\"", a, b)
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .slowStart(Duration.ZERO)
                     .adminPort(0)
                     .build()) {
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            for (int i = 0; i < 5; i++) {
                try (Socket s = connect(front)) {
                    readLine(s.getInputStream());
                    s.getOutputStream().write(("payload-" + i + "\n").getBytes());
                    readLine(s.getInputStream());
                }
            }
            Await.until(Duration.ofSeconds(5), "all sessions closed", () -> balancer.stats().activeConnections() == 0);
            BalancerStats st = balancer.stats();
            InetSocketAddress admin = balancer.adminBoundAddress().orElseThrow();

            HttpResponse<String> jsonResponse = get(admin, "/stats.json");
            assertEquals(200, jsonResponse.statusCode());
            assertTrue(jsonResponse.headers().firstValue("content-type").orElse("").startsWith("application/json"),
                    jsonResponse.headers().map().toString());
            JsonNode root = new ObjectMapper().readTree(jsonResponse.body());
            assertEquals(1, root.get("components").size(), "a balancer without a cluster shows itself: " + root);
            JsonNode json = root.get("components").get(0);
            assertEquals("balancer", json.get("kind").asText());
            assertEquals("stats \"q\"", json.get("name").asText(), "the name, quotes escaped and read back");
            assertEquals(st.balance().name(), json.get("balance").asText());
            assertEquals(st.transport(), json.get("transport").asText());
            assertEquals(5, json.get("totalConnections").asLong());
            assertEquals(0, json.get("activeConnections").asLong());
            assertEquals(st.maxConnections(), json.get("maxConnections").asLong());
            assertEquals(st.bytesIn(), json.get("bytesIn").asLong());
            assertEquals(st.bytesOut(), json.get("bytesOut").asLong());
            assertEquals(2, json.get("backendsUp").asInt());
            Map<String, JsonNode> rows = new HashMap<>();
            json.get("backends").forEach(r -> rows.put(r.get("name").asText(), r));
            assertEquals(2, rows.size(), json.toPrettyString());
            long total = 0;
            for (BackendStats s : st.backends()) {
                JsonNode r = rows.get(s.name());
                assertEquals("127.0.0.1:" + (s.name().equals("a") ? a.port() : b.port()), r.get("address").asText());
                assertEquals("UP", r.get("status").asText());
                assertTrue(r.get("up").asBoolean());
                assertEquals(s.totalConnections(), r.get("totalConnections").asLong());
                assertEquals(s.bytesIn(), r.get("bytesIn").asLong());
                assertEquals(s.bytesOut(), r.get("bytesOut").asLong());
                assertEquals(1, r.get("weight").asInt());
                total += r.get("totalConnections").asLong();
            }
            assertEquals(5, total, "every session counted at one backend");

            HttpResponse<String> metricsResponse = get(admin, "/metrics");
            assertEquals(200, metricsResponse.statusCode());
            assertTrue(metricsResponse.headers().firstValue("content-type").orElse("").startsWith("text/plain"),
                    metricsResponse.headers().map().toString());
            PrometheusText prom = PrometheusText.parse(metricsResponse.body());
            Map<String, String> proxy = Map.of("proxy", "stats \"q\"");
            assertEquals("counter", prom.types.get("ha4j_frontend_sessions_total"));
            assertEquals("gauge", prom.types.get("ha4j_frontend_current_sessions"));
            assertEquals(5.0, prom.value("ha4j_frontend_sessions_total", proxy));
            assertEquals(0.0, prom.value("ha4j_frontend_current_sessions", proxy));
            assertEquals((double) st.maxConnections(), prom.value("ha4j_frontend_limit_sessions", proxy));
            assertEquals((double) st.bytesIn(), prom.value("ha4j_frontend_bytes_in_total", proxy));
            for (BackendStats s : st.backends()) {
                Map<String, String> server = Map.of("proxy", "stats \"q\"", "server", s.name());
                assertEquals((double) s.bytesIn(), prom.value("ha4j_server_bytes_in_total", server));
                assertEquals((double) s.bytesOut(), prom.value("ha4j_server_bytes_out_total", server));
                assertEquals((double) s.totalConnections(), prom.value("ha4j_server_sessions_total", server));
                Map<String, String> up = new HashMap<>(server);
                up.put("state", "UP");
                assertEquals(1.0, prom.value("ha4j_server_status", up));
            }
            prom.samples.forEach(sample -> assertTrue(prom.types.containsKey(sample.name()),
                    "every sample's metric has a TYPE: " + sample));
            prom.types.forEach((name, type) -> assertEquals(name.endsWith("_total"), type.equals("counter"),
                    "counters and only counters end in _total: " + name));
        }
    }
}
