package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HealthCheck;
import io.ha4j.proxy.TestSupport.EchoServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin listener's access rules, spoken over a raw socket so that every header (Host, Origin, Sec-Fetch-Site,
 * Authorization) is exactly what a browser or an attacker's page would send: HAProxy's {@code stats auth},
 * {@code stats uri}, {@code stats refresh}, {@code stats hide-version}, and the refusal of forged cross-origin
 * actions.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminAccessTest {

    record Reply(int status, String head, String body) {
        boolean header(String line) {
            return head.toLowerCase().contains("\r\n" + line.toLowerCase() + "\r\n");
        }
    }

    /** One HTTP/1.1 request with exactly these header lines, answered on a connection that then closes. */
    static Reply request(InetSocketAddress admin, String method, String path, String body, String... headers) throws IOException {
        StringBuilder r = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (String h : headers) {
            r.append(h).append("\r\n");
            host |= h.regionMatches(true, 0, "Host:", 0, 5);
        }
        if (!host) {
            r.append("Host: 127.0.0.1:").append(admin.getPort()).append("\r\n");
        }
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        r.append("Content-Length: ").append(content.length).append("\r\nConnection: close\r\n\r\n");
        try (Socket s = new Socket()) {
            s.connect(admin, 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(r.toString().getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().write(content);
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            return new Reply(Integer.parseInt(text.substring(9, 12)), text.substring(0, split + 2), text.substring(split + 4));
        }
    }

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void testAuthUriRefreshAndHiddenVersion() throws Exception {
        try (EchoServer a = new EchoServer("a", true);
             TcpBalancer balancer = TestSupport.balancer("auth", a)
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .adminPort(0)
                     .adminUri("/haproxy_stats")
                     .adminRefresh(Duration.ofSeconds(10))
                     .adminUser("admin", "s3cret")
                     .adminUser("viewer", "other")
                     .adminRealm("HAProxy Statistics")
                     .adminHideVersion()
                     .build()) {
            balancer.start();
            InetSocketAddress admin = balancer.adminBoundAddress().orElseThrow();

            Reply anonymous = request(admin, "GET", "/haproxy_stats", "");
            assertEquals(401, anonymous.status());
            assertTrue(anonymous.header("WWW-Authenticate: Basic realm=\"HAProxy Statistics\", charset=\"UTF-8\""), anonymous.head());
            assertEquals(401, request(admin, "GET", "/haproxy_stats", "", basic("admin", "s3cre")).status(), "a wrong password");
            assertEquals(401, request(admin, "GET", "/haproxy_stats", "", basic("admin", "s3cret!")).status(), "a longer one");
            assertEquals(401, request(admin, "GET", "/metrics", "", basic("viewer", "s3cret")).status(), "another user's password");
            assertEquals(401, request(admin, "GET", "/metrics", "", "Authorization: Basic !!!").status(), "not base64");
            assertEquals(401, request(admin, "POST", "/backends/a/drain", "", "Content-Type: application/x-ha4j-admin").status());
            assertEquals("UP", balancer.stats().backend("a").status(), "no action without credentials");

            Reply page = request(admin, "GET", "/haproxy_stats", "", basic("viewer", "other"));
            assertEquals(200, page.status(), page.body());
            assertTrue(page.header("Refresh: 10"), page.head());
            assertTrue(page.body().contains("<meta http-equiv=\"refresh\" content=\"10\">"), page.body());
            assertFalse(page.body().contains("ha4j (development build)") || page.body().matches("(?s).*ha4j \\d.*"),
                    "hide-version: " + page.body());
            assertTrue(page.body().contains("id=\"auth/a\""), page.body());
            assertEquals(404, request(admin, "GET", "/stats", "", basic("viewer", "other")).status(), "only the configured uri");
            Reply json = request(admin, "GET", "/haproxy_stats;json", "", basic("viewer", "other"));
            assertEquals(200, json.status());
            assertFalse(json.body().contains("\"version\""), json.body());
            Reply root = request(admin, "GET", "/", "", basic("viewer", "other"));
            assertEquals(303, root.status());
            assertTrue(root.header("Location: /haproxy_stats"), root.head());

            Reply drained = request(admin, "POST", "/backends/a/drain", "", basic("admin", "s3cret"),
                    "Content-Type: application/x-ha4j-admin");
            assertEquals(200, drained.status(), drained.body());
            assertEquals("DRAIN", balancer.stats().backend("a").status());
        }
    }

    @Test
    void testForgedCrossOriginActionsAreRefused() throws Exception {
        try (EchoServer a = new EchoServer("a", true);
             TcpBalancer balancer = TestSupport.balancer("csrf", a)
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .adminPort(0)
                     .build()) {
            balancer.start();
            InetSocketAddress admin = balancer.adminBoundAddress().orElseThrow();
            String self = "127.0.0.1:" + admin.getPort();
            String form = "Content-Type: application/x-www-form-urlencoded";

            Reply evil = request(admin, "POST", "/backends/a/drain", "redirect=1", form, "Origin: http://evil.example");
            assertEquals(403, evil.status(), evil.body());
            assertTrue(evil.body().contains("Origin http://evil.example is not this listener"), evil.body());
            Reply fetched = request(admin, "POST", "/backends", "name=x&host=127.0.0.1&port=1", "Content-Type: text/plain",
                    "Sec-Fetch-Site: cross-site");
            assertEquals(403, fetched.status(), fetched.body());
            Reply noToken = request(admin, "POST", "/backends/a/drain", "redirect=1", form);
            assertEquals(403, noToken.status(), "a form post without the page's token: " + noToken.body());
            Reply noType = request(admin, "POST", "/backends/a/disable", "");
            assertEquals(403, noType.status(), "no content type is what fetch(..., {mode: 'no-cors'}) sends");
            Reply rebound = request(admin, "POST", "/backends/a/drain", "", "Host: attacker.example:" + admin.getPort(),
                    "Content-Type: application/x-ha4j-admin");
            assertEquals(403, rebound.status(), "DNS rebinding: " + rebound.body());
            Reply wrongToken = request(admin, "POST", "/backends/a/drain", "redirect=1&token=00", form, "Origin: http://" + self);
            assertEquals(403, wrongToken.status());
            assertEquals("UP", balancer.stats().backend("a").status(), "no forged request changed anything");
            assertEquals(1, balancer.stats().backends().size(), "and none added a backend");

            Reply page = request(admin, "GET", "/stats", "");
            Matcher token = Pattern.compile("name=\"token\" value=\"([0-9a-f]{32})\"").matcher(page.body());
            assertTrue(token.find(), page.body());
            Reply same = request(admin, "POST", "/backends/a/drain", "redirect=1&proxy=csrf&token=" + token.group(1), form,
                    "Origin: http://" + self, "Sec-Fetch-Site: same-origin");
            assertEquals(303, same.status(), "the page's own form: " + same.body());
            assertTrue(same.header("Location: /stats"), same.head());
            assertEquals("DRAIN", balancer.stats().backend("a").status());
            Reply localhost = request(admin, "POST", "/backends/a/enable", "", "Host: localhost:" + admin.getPort(),
                    "Content-Type: application/x-ha4j-admin");
            assertEquals(200, localhost.status(), localhost.body());
            assertEquals("UP", balancer.stats().backend("a").status());
            assertEquals(404, request(admin, "POST", "/backends/a/drain", "proxy=nope", "Content-Type: application/x-ha4j-admin").status(),
                    "an unknown balancer");
        }
    }

    @Test
    void testReadOnlyPageHasNoFormsAndRefusesActions() throws Exception {
        try (EchoServer a = new EchoServer("a", true);
             TcpBalancer balancer = TestSupport.balancer("ro", a)
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .adminPort(0)
                     .adminActions(false)
                     .build()) {
            balancer.start();
            InetSocketAddress admin = balancer.adminBoundAddress().orElseThrow();
            Reply page = request(admin, "GET", "/stats", "");
            assertTrue(page.body().contains("Read-only.") && !page.body().contains("<form"), page.body());
            Reply refused = request(admin, "POST", "/backends/a/drain", "", "Content-Type: application/x-ha4j-admin");
            assertEquals(403, refused.status());
            assertTrue(refused.body().contains("read-only"), refused.body());
            assertEquals("UP", balancer.stats().backend("a").status());
        }
    }

    @Test
    void testNonLoopbackAdminAddressNeedsAuthOrAnExplicitOptIn() throws Exception {
        InetSocketAddress wildcard = new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 8404);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TcpBalancer.builder("open").bind("127.0.0.1", 0).adminAddress(wildcard).build());
        assertTrue(e.getMessage().contains("adminAddress 0.0.0.0:8404 is not a loopback address and no adminUser is set")
                && e.getMessage().contains("adminAllowRemoteWithoutAuth()"), e.getMessage());
        TcpBalancer.builder("auth").bind("127.0.0.1", 0).adminAddress(wildcard).adminUser("u", "p").build();
        TcpBalancer.builder("opt-in").bind("127.0.0.1", 0).adminAddress(wildcard).adminAllowRemoteWithoutAuth().build();
        assertThrows(IllegalArgumentException.class, () -> TcpBalancer.builder("x").adminUri("stats"));
        assertThrows(IllegalArgumentException.class, () -> TcpBalancer.builder("x").adminUser("a:b", "c"));
        IllegalStateException noAddress = assertThrows(IllegalStateException.class,
                () -> TcpBalancer.builder("x").bind("127.0.0.1", 0).adminUser("u", "p").build());
        assertTrue(noAddress.getMessage().contains("adminAddress"), noAddress.getMessage());
    }
}
