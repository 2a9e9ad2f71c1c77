package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.ha4j.core.HaComponent;
import io.ha4j.proxy.Backend;
import io.ha4j.proxy.TcpBalancer;
import io.ha4j.vrrp.VrrpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11, item 6: a server added at runtime to a balancer the agent built from haproxy.cfg is checked with
 * its backend section's check ({@code option httpchk GET /healthz}), not the library's default HTTPS
 * {@code /readyz}. The backend answers only plain-HTTP {@code GET /healthz}, so it comes UP only with the
 * section's check.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentRuntimeBackendCheckTest {

    @Test
    void serverAddedAtRuntimeGetsTheSectionsCheck() throws Exception {
        HttpServer health = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        health.createContext("/", ex -> {
            ex.sendResponseHeaders(ex.getRequestURI().getPath().equals("/healthz") ? 200 : 404, -1);
            ex.close();
        });
        health.start();
        int front;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            front = free.getLocalPort();
        }
        int port = health.getAddress().getPort();
        String cfg = """
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend fe
                    bind 127.0.0.1:%d
                    default_backend be
                backend be
                    option httpchk GET /healthz
                    server s1 127.0.0.1:%d check inter 100ms rise 1 fall 1
                """.formatted(front, port);
        Diagnostics d = new Diagnostics();
        HaproxyConfig h = HaproxyParser.parse("haproxy.cfg", cfg, Map.of(), d);
        VrrpTransport.Factory noTransport = spec -> {
            throw new AssertionError("no VRRP here: " + spec);
        };
        AgentPlan plan = new AgentMapper(d, noTransport).map(Optional.empty(), Optional.of(h));
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        TcpBalancer balancer = plan.components().stream().filter(c -> c.name().equals("fe")).map(TcpBalancer.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no balancer fe in " + plan.components().stream().map(HaComponent::name).toList()));
        try {
            balancer.start();
            balancer.addBackend(Backend.of("late", "127.0.0.1", port)); // what POST /backends on the admin listener calls
            String check = balancer.healthChecker("late").check().description();
            assertTrue(check.contains("/healthz") && !check.contains("https"), check);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!balancer.healthChecker("late").isUp() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(balancer.healthChecker("late").isUp(), "late is UP: " + balancer.healthChecker("late").lastResult());
        } finally {
            balancer.close(Duration.ZERO);
            plan.close();
            health.stop(0);
        }
    }
}
