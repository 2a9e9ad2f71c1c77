package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.proxy.TcpBalancer;
import io.ha4j.vrrp.VrrpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the agent maps a {@code listen} stats section: HAProxy's keywords honoured, the unsafe ones refused. */
class AgentStatsPageTest {

    private static final VrrpTransport.Factory NO_TRANSPORT = spec -> {
        throw new AssertionError("no VRRP here: " + spec);
    };

    private static String config(int front, int stats, String statsLines) {
        return """
                defaults
                    mode tcp
                    timeout connect 1s
                    timeout client 1m
                    timeout server 1m
                frontend f
                    bind 127.0.0.1:%d
                    default_backend b
                backend b
                    server s1 127.0.0.1:9
                listen stats
                    bind %s
                    mode http
                    stats enable
                %s""".formatted(front, stats < 0 ? "*:9000" : "127.0.0.1:" + stats, statsLines);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static TcpBalancer balancer(AgentPlan plan) {
        return plan.components().stream().filter(TcpBalancer.class::isInstance).map(TcpBalancer.class::cast).findFirst().orElseThrow();
    }

    @Test
    void anUnsupportedAdminConditionIsAnErrorAtItsLine() {
        Diagnostics d = new Diagnostics();
        HaproxyParser.parse("haproxy.cfg", config(7443, 9000, "    stats admin if { src 10.0.0.0/8 }\n"), Map.of(), d);
        Diagnostic e = d.errors().stream().filter(x -> x.keyword().equals("stats admin")).findFirst()
                .orElseThrow(() -> new AssertionError(TestFiles.dump(d)));
        assertEquals(15, e.line());
        assertEquals("haproxy.cfg", e.file());
        assertTrue(e.message().contains("'stats admin if TRUE'") && e.message().contains("'stats admin if { src 10.0.0.0/8 }' is not supported"),
                e.message());
    }

    @Test
    void aPageOnTheNetworkWithoutAuthIsServedOnLoopbackUnlessTheUserOptsIn() {
        for (boolean optIn : new boolean[] {false, true}) {
            Diagnostics d = new Diagnostics();
            Optional<HaproxyConfig> h = Optional.of(HaproxyParser.parse("haproxy.cfg", config(7443, -1, ""), Map.of(), d));
            new AgentMapper(d, NO_TRANSPORT).statsAllowRemoteWithoutAuth(optIn).map(Optional.empty(), h).close();
            assertFalse(d.hasErrors(), TestFiles.dump(d));
            boolean warned = d.warnings().stream().anyMatch(w -> w.keyword().equals("stats enable")
                    && w.message().contains("serves it on 127.0.0.1:9000 instead of *:9000")
                    && w.message().contains("--stats-allow-remote-without-auth"));
            assertEquals(!optIn, warned, optIn + ": " + TestFiles.dump(d));
        }
        assertEquals(true, HaAgent.parseArguments("--haproxy-cfg", "h.cfg", "--stats-allow-remote-without-auth")
                .statsAllowRemoteWithoutAuth());
    }

    @Test
    void uriAuthRealmAndReadOnlyByDefault() throws Exception {
        int stats = freePort();
        Diagnostics d = new Diagnostics();
        Optional<HaproxyConfig> h = Optional.of(HaproxyParser.parse("haproxy.cfg", config(freePort(), stats, """
                    stats uri /haproxy?stats
                    stats auth admin:pa:ss
                    stats realm Haproxy\\ Statistics
                """), Map.of(), d));
        AgentPlan plan = new AgentMapper(d, NO_TRANSPORT).map(Optional.empty(), h);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        HttpClient http = HttpClient.newHttpClient();
        try (plan; TcpBalancer balancer = balancer(plan)) { // the balancer closes first, then its event loops
            balancer.start();
            InetSocketAddress admin = balancer.adminBoundAddress().orElseThrow();
            assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), stats), admin);
            String base = "http://127.0.0.1:" + stats;
            HttpResponse<String> challenge = http.send(HttpRequest.newBuilder(URI.create(base + "/haproxy?stats")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, challenge.statusCode());
            assertEquals("Basic realm=\"Haproxy Statistics\", charset=\"UTF-8\"", challenge.headers().firstValue("www-authenticate").orElse(""));
            String auth = "Basic " + Base64.getEncoder().encodeToString("admin:pa:ss".getBytes());
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/haproxy?stats")).header("Authorization", auth)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("Read-only.") && !page.body().contains("<form"), "no 'stats admin': " + page.body());
            HttpResponse<String> drain = http.send(HttpRequest.newBuilder(URI.create(base + "/backends/s1/drain")).header("Authorization", auth)
                    .header("Content-Type", "application/x-ha4j-admin").POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, drain.statusCode());
            assertEquals("UP", balancer.stats().backend("s1").status(), "nothing drained");
        }
    }
}
