package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.CommandCheck;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.HealthChecker;
import io.ha4j.core.HttpCheck;
import io.ha4j.core.TlsHandshakeCheck;
import io.ha4j.examples.agent.HaproxyConfig.Backend;
import io.ha4j.examples.agent.HaproxyConfig.Server;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HealthCheckMappingTest {

    private static HaproxyConfig haproxy(String text) {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = HaproxyParser.parse("haproxy.cfg", text, Map.of(), d);
        assertTrue(!d.hasErrors(), TestFiles.dump(d));
        return c;
    }

    @Test
    void seed001ScriptBecomesACommandCheckerWithKeepalivedTimers() {
        Diagnostics d = new Diagnostics();
        KeepalivedConfig k = KeepalivedParser.parse("k.conf", TestFiles.text("seed001-keepalived-master01.conf"), d);
        HealthChecker checker = HealthCheckMapping.scriptChecker(k.script("check_apiserver").orElseThrow());
        assertEquals("check_apiserver", checker.name());
        CommandCheck command = assertInstanceOf(CommandCheck.class, checker.check());
        assertEquals(List.of("/etc/keepalived/check_apiserver.sh"), command.command());
        assertEquals(Duration.ofSeconds(3), checker.inter());
        assertEquals(Duration.ofSeconds(3), checker.timeout());
        assertEquals(2, checker.rise());
        assertEquals(10, checker.fall());
    }

    @Test
    void seed003ScriptIsSplitIntoWordsWithoutAShell() {
        Diagnostics d = new Diagnostics();
        KeepalivedConfig k = KeepalivedParser.parse("k.conf", TestFiles.text("seed003-keepalived-master.conf"), d);
        HealthChecker checker = HealthCheckMapping.scriptChecker(k.script("chk_haproxy").orElseThrow());
        assertEquals(List.of("killall", "-0", "haproxy"), ((CommandCheck) checker.check()).command());
        assertEquals(Duration.ofSeconds(2), checker.inter());
        assertEquals(1, checker.rise());
        assertEquals(1, checker.fall());
    }

    @Test
    void commandWordsFollowKeepalivedQuoting() {
        assertEquals(List.of("sh", "-c", "curl -sk https://localhost:6443/readyz | grep ok"),
                CommandLineWords.split("sh -c 'curl -sk https://localhost:6443/readyz | grep ok'"));
        assertEquals(List.of("/opt/my script", "a\"b"), CommandLineWords.split("\"/opt/my script\" a\\\"b"));
        assertThrows(IllegalArgumentException.class, () -> CommandLineWords.split("sh -c 'oops"));
    }

    @Test
    void seed001SslHelloBecomesATlsHandshakeCheckOfEachServer() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = HaproxyParser.parse("h.cfg", TestFiles.text("seed001-haproxy-example.cfg"), Map.of(), d);
        Backend b = c.backend("apiserver").orElseThrow();
        Server s = b.server("master02").orElseThrow();
        TlsHandshakeCheck check = assertInstanceOf(TlsHandshakeCheck.class, HealthCheckMapping.serverCheck(b, s).orElseThrow());
        assertEquals("10.0.2.11", check.host());
        assertEquals(6443, check.port());
        assertTrue(check.tls().isTrustAll(), "ssl-hello-chk verifies no certificate");
        HealthChecker checker = HealthCheckMapping.serverChecker("apiserver/master02", b, s, check);
        assertEquals(Duration.ofSeconds(2), checker.inter());
        assertEquals(Duration.ofSeconds(2), checker.timeout(), "no timeout check: inter bounds the check");
        assertEquals(2, checker.rise());
        assertEquals(3, checker.fall());
    }

    @Test
    void seed002TcpCheck() {
        HaproxyConfig c = haproxy(TestFiles.text("seed002-haproxy.cfg"));
        Backend b = c.backend("kubernetes-backend").orElseThrow();
        HealthCheck check = HealthCheckMapping.serverCheck(b, b.servers().get(0)).orElseThrow();
        assertEquals("tcp 192.168.1.11:6443", check.description());
    }

    @Test
    void seed003TimeoutCheckAddsToTheConnectPart() {
        HaproxyConfig c = haproxy(TestFiles.text("seed003-haproxy.cfg"));
        Backend b = c.backend("app").orElseThrow();
        // timeout connect 4s > inter 2s: min(4s, 2s) + timeout check 5s
        assertEquals(Duration.ofSeconds(7), HealthCheckMapping.checkTimeout(b, b.servers().get(0)));
    }

    @Test
    void httpsCheckWithExpectedStatusAndHostHeader() {
        HaproxyConfig c = haproxy("""
                frontend f
                    bind :7443
                    default_backend b
                backend b
                    option httpchk
                    http-check connect ssl
                    http-check send meth GET uri /readyz hdr Host api.example
                    http-check expect status 200
                    server s1 198.18.0.11:6443 check verify none port 8443 init-state fully-down inter 5s fastinter 1s
                """);
        Backend b = c.backend("b").orElseThrow();
        Server s = b.servers().get(0);
        HttpCheck check = assertInstanceOf(HttpCheck.class, HealthCheckMapping.serverCheck(b, s).orElseThrow());
        assertEquals("/readyz", check.path());
        assertEquals(8443, check.port());
        assertEquals(Set.of(200), check.expectedStatuses());
        assertEquals("api.example", check.hostHeader());
        assertTrue(check.tls().orElseThrow().isTrustAll());
        HealthChecker checker = HealthCheckMapping.serverChecker("b/s1", b, s, check);
        assertEquals(Duration.ofSeconds(1), checker.fastInter());
        assertEquals(Duration.ofSeconds(5), checker.downInter());
        assertEquals(io.ha4j.core.HealthStatus.DOWN, checker.status(), "init-state fully-down");
    }

    @Test
    void bareHttpchkAcceptsTwoAndThreeHundredsLikeHaproxy() {
        HaproxyConfig c = haproxy("""
                frontend f
                    bind :7443
                    default_backend b
                backend b
                    option httpchk GET /healthz
                    server s1 198.18.0.11:8080 check
                """);
        Backend b = c.backend("b").orElseThrow();
        HttpCheck check = (HttpCheck) HealthCheckMapping.serverCheck(b, b.servers().get(0)).orElseThrow();
        assertEquals(IntStream.rangeClosed(200, 399).boxed().collect(Collectors.toSet()), check.expectedStatuses());
        assertTrue(check.tls().isEmpty());
    }

    @Test
    void serverWithoutCheckHasNone() {
        HaproxyConfig c = haproxy("frontend f\n bind :7443\n default_backend b\nbackend b\n server s 198.18.0.11:6443\n");
        Backend b = c.backend("b").orElseThrow();
        assertTrue(HealthCheckMapping.serverCheck(b, b.servers().get(0)).isEmpty());
    }
}
