package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.examples.agent.HaproxyConfig.Backend;
import io.ha4j.examples.agent.HaproxyConfig.Balance;
import io.ha4j.examples.agent.HaproxyConfig.Frontend;
import io.ha4j.examples.agent.HaproxyConfig.Server;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class HaproxyParserTest {

    private static HaproxyConfig parseResource(String name, Diagnostics d) {
        return HaproxyParser.parse(name, TestFiles.text(name), Map.of(), d);
    }

    private static HaproxyConfig parseText(String text, Diagnostics d) {
        return HaproxyParser.parse("haproxy.cfg", text, Map.of(), d);
    }

    private static Diagnostic warningAbout(Diagnostics d, String keyword) {
        return d.warnings().stream().filter(w -> w.keyword().equals(keyword)).findFirst()
                .orElseThrow(() -> new AssertionError("no warning about '" + keyword + "' in:\n" + TestFiles.dump(d)));
    }

    @Test
    void seed001ExampleSslHelloCheckOverridesHttpchkAsInHaproxy() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = parseResource("seed001-haproxy-example.cfg", d);
        assertFalse(d.hasErrors(), TestFiles.dump(d));

        Frontend f = c.frontend("apiserver").orElseThrow();
        assertEquals(1, f.binds().size());
        assertEquals(Optional.empty(), f.binds().get(0).address());
        assertEquals(1644, f.binds().get(0).port());
        assertEquals("apiserver", f.defaultBackend());
        assertEquals(Optional.of(Duration.ofMillis(50000)), f.timeouts().client(), "timeout without unit is milliseconds");
        assertTrue(f.logConnections(), "option tcplog");

        Backend b = c.backend("apiserver").orElseThrow();
        assertEquals(Balance.ROUNDROBIN, b.balance());
        assertEquals(3, b.retries(), "HAProxy default");
        assertFalse(b.redispatch());
        assertEquals(Optional.of(Duration.ofSeconds(5)), b.timeouts().connect());
        assertEquals(Optional.of(Duration.ofSeconds(50)), b.timeouts().server());
        // the last check option wins: TLS hello, /healthz is never requested
        HaproxyConfig.SslHello check = assertInstanceOf(HaproxyConfig.SslHello.class, b.check());
        assertEquals(52, check.origin().line());
        assertEquals(List.of("master01", "master02"), b.servers().stream().map(Server::name).toList());
        Server s = b.server("master01").orElseThrow();
        assertEquals("10.0.2.10", s.host());
        assertEquals(6443, s.port());
        assertTrue(s.check());
        assertEquals(Duration.ofSeconds(2), s.inter());
        assertEquals(2, s.rise());
        assertEquals(3, s.fall());
        assertEquals(1, s.weight());

        Diagnostic override = warningAbout(d, "option ssl-hello-chk");
        assertEquals(52, override.line());
        assertTrue(override.message().contains("/healthz is never requested"), override.message());
        assertTrue(override.message().contains("http-check connect ssl"), override.message());
        assertTrue(override.message().contains("/readyz"), override.message());
        Diagnostic ignoredExpect = warningAbout(d, "http-check");
        assertEquals(50, ignoredExpect.line());

        // everything else that is ignored says so, line by line
        List<String> ignored = TestFiles.keywords(d.warnings());
        for (String k : List.of("log", "chroot", "stats", "user", "group", "daemon", "ca-base", "crt-base",
                "ssl-default-bind-ciphers", "ssl-default-bind-ciphersuites", "ssl-default-bind-options",
                "option httplog", "option dontlognull", "errorfile")) {
            assertTrue(ignored.contains(k), k + " not warned about:\n" + TestFiles.dump(d));
        }
        assertEquals(7, ignored.stream().filter("errorfile"::equals).count());
    }

    @Test
    void seed001TemplateDefaultsAndHttpModeOptions() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = parseResource("seed001-haproxy-template.cfg", d);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        Backend b = c.backend("apiserver").orElseThrow();
        assertEquals(1, b.retries());
        assertTrue(b.redispatch());
        assertEquals(Optional.of(Duration.ofSeconds(20)), b.timeouts().queue());
        assertEquals(Optional.of(Duration.ofSeconds(10)), b.timeouts().check());
        assertEquals(Optional.of(Duration.ofSeconds(20)), c.frontend("apiserver").orElseThrow().timeouts().client());
        assertInstanceOf(HaproxyConfig.SslHello.class, b.check());
        assertEquals(1, b.servers().size());
        for (String k : List.of("option http-server-close", "option forwardfor", "timeout http-request", "timeout http-keep-alive")) {
            warningAbout(d, k);
        }
    }

    @Test
    void seed002TcpCheckWithFallAndRise() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = parseResource("seed002-haproxy.cfg", d);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        Frontend f = c.frontend("kubernetes-frontend").orElseThrow();
        assertEquals(6443, f.binds().get(0).port());
        Backend b = c.backend("kubernetes-backend").orElseThrow();
        HaproxyConfig.TcpConnect check = assertInstanceOf(HaproxyConfig.TcpConnect.class, b.check());
        assertEquals(OptionalInt.of(10), check.origin().map(o -> OptionalInt.of(o.line())).orElse(OptionalInt.empty()));
        assertEquals(3, b.servers().size());
        for (Server s : b.servers()) {
            assertEquals(3, s.fall());
            assertEquals(2, s.rise());
            assertTrue(s.check());
        }
        assertEquals("192.168.1.13", b.servers().get(2).host());
        // no defaults section: HAProxy warns about missing timeouts, so do we
        assertTrue(d.warnings().stream().anyMatch(w -> w.message().contains("timeout client")), TestFiles.dump(d));
        assertTrue(d.warnings().stream().anyMatch(w -> w.message().contains("timeout connect, timeout server")), TestFiles.dump(d));
    }

    @Test
    void seed003VipBindBackendAndStatsPage() throws Exception {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = parseResource("seed003-haproxy.cfg", d);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        assertEquals(OptionalInt.of(4000), c.global().maxConnections());
        Frontend f = c.frontend("main").orElseThrow();
        assertEquals(Optional.of(InetAddress.getByName("192.168.218.189")), f.binds().get(0).address());
        assertEquals(7443, f.binds().get(0).port());
        assertEquals(Optional.of(Duration.ofMinutes(30)), f.timeouts().client());
        Backend b = c.backend("app").orElseThrow();
        assertEquals(2, b.retries());
        assertEquals(Optional.of(Duration.ofSeconds(4)), b.timeouts().connect());
        assertEquals(Optional.of(Duration.ofSeconds(5)), b.timeouts().check());
        assertEquals(HaproxyConfig.TcpConnect.class, b.check().getClass());
        assertEquals(3, b.servers().size());

        assertEquals(1, c.stats().size());
        HaproxyConfig.Stats stats = c.stats().get(0);
        assertEquals("stats", stats.name());
        assertEquals(9000, stats.binds().get(0).port());
        assertEquals("/haproxy_stats", stats.uri());
        assertEquals(Optional.of("Haproxy Statistics"), stats.realm(), "escaped blank, comment after it dropped");
        assertTrue(stats.hideVersion());
        assertTrue(c.frontend("stats").isEmpty(), "a stats-only listen is not a balancer");
    }

    @Test
    void kubeadmCurrentHttpsCheck() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = parseText("""
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 35s
                    timeout server 35s
                    timeout check 10s
                frontend apiserver
                    bind *:7443
                    default_backend apiserverbackend
                backend apiserverbackend
                    option httpchk
                    http-check connect ssl
                    http-check send meth GET uri /readyz
                    http-check expect status 200
                    balance roundrobin
                    server n1 198.18.0.11:6443 check verify none inter 3s fastinter 1s downinter 10s fall 2 rise 3 weight 10
                    server n2 198.18.0.12:6443 check verify none backup slowstart 60s maxconn 100 port 8443
                """, d);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        assertTrue(d.warnings().isEmpty(), TestFiles.dump(d));
        Backend b = c.backend("apiserverbackend").orElseThrow();
        HaproxyConfig.Http http = assertInstanceOf(HaproxyConfig.Http.class, b.check());
        assertEquals("GET", http.method());
        assertEquals("/readyz", http.uri());
        assertTrue(http.ssl());
        assertEquals(Optional.of(new HaproxyConfig.StatusRange(200, 200)), http.expectStatus());
        Server n1 = b.server("n1").orElseThrow();
        assertTrue(n1.verifyNone());
        assertEquals(Duration.ofSeconds(3), n1.inter());
        assertEquals(Duration.ofSeconds(1), n1.fastInter());
        assertEquals(Duration.ofSeconds(10), n1.downInter());
        assertEquals(2, n1.fall());
        assertEquals(3, n1.rise());
        assertEquals(10, n1.weight());
        Server n2 = b.server("n2").orElseThrow();
        assertTrue(n2.backup());
        assertEquals(Optional.of(Duration.ofSeconds(60)), n2.slowStart());
        assertEquals(OptionalInt.of(100), n2.maxConnections());
        assertEquals(OptionalInt.of(8443), n2.checkPort());
        assertEquals(Duration.ofSeconds(2), n2.inter());
    }

    @Test
    void bareHttpchkUsesHaproxyDefaultsAndWarnsAboutPlainHttpToTheApiserverPort() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = parseText("""
                defaults
                    timeout connect 5s
                    timeout client 1m
                    timeout server 1m
                frontend f
                    bind :7443
                    default_backend b
                backend b
                    option httpchk
                    server s1 198.18.0.11:6443 check
                """, d);
        HaproxyConfig.Http http = assertInstanceOf(HaproxyConfig.Http.class, c.backend("b").orElseThrow().check());
        assertEquals("OPTIONS", http.method());
        assertEquals("/", http.uri());
        assertEquals("HTTP/1.0", http.version());
        assertEquals(Optional.empty(), http.expectStatus());
        Diagnostic w = warningAbout(d, "server s1");
        assertEquals(10, w.line());
        assertTrue(w.message().contains("speaks only TLS"), w.message());
    }

    @Test
    void tlsCheckWithoutVerifyNoneIsRefusedLikeHaproxy() {
        Diagnostics d = new Diagnostics();
        parseText("""
                frontend f
                    bind :7443
                    default_backend b
                backend b
                    server s1 198.18.0.11:6443 check check-ssl
                """, d);
        assertEquals(List.of("server s1"), TestFiles.keywords(d.errors()), TestFiles.dump(d));
        assertEquals(5, d.errors().get(0).line());
        assertTrue(d.errors().get(0).message().contains("verify none"));
    }

    @Test
    void caFileResolvesAgainstCaBaseAndAllowsVerification() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = parseText("""
                global
                    ca-base /etc/kubernetes/pki
                frontend f
                    bind :7443
                    default_backend b
                backend b
                    server s1 198.18.0.11:6443 check check-ssl verify required ca-file ca.crt
                    server s2 198.18.0.12:6443 check check-ssl ca-file /srv/ca.pem
                """, d);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        Backend b = c.backend("b").orElseThrow();
        assertEquals(Optional.of(java.nio.file.Path.of("/etc/kubernetes/pki/ca.crt")), b.server("s1").orElseThrow().caFile());
        assertFalse(b.server("s1").orElseThrow().verifyNone());
        assertEquals(Optional.of(java.nio.file.Path.of("/srv/ca.pem")), b.server("s2").orElseThrow().caFile());
    }

    @Test
    void httpCheckRulesWithoutHttpchkAreIgnoredWithAWarning() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = parseText("""
                frontend f
                    bind :7443
                    default_backend b
                backend b
                    http-check expect status 200
                    server s1 198.18.0.11:6443 check
                """, d);
        assertInstanceOf(HaproxyConfig.TcpConnect.class, c.backend("b").orElseThrow().check());
        assertEquals(5, warningAbout(d, "http-check").line());
    }

    @Test
    void checkOptionsInheritFromDefaultsAndTheLastOneWins() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = parseText("""
                defaults
                    option ssl-hello-chk
                frontend f
                    bind :7443
                    default_backend b
                backend b
                    option httpchk GET /readyz
                    http-check connect ssl
                    server s1 198.18.0.11:6443 check verify none
                """, d);
        HaproxyConfig.Http http = assertInstanceOf(HaproxyConfig.Http.class, c.backend("b").orElseThrow().check());
        assertEquals("/readyz", http.uri());
        Diagnostic w = warningAbout(d, "option httpchk");
        assertEquals(7, w.line());
        assertTrue(w.message().contains("haproxy.cfg:2"), w.message());
    }

    @Test
    void eachDefaultsSectionStartsFromScratch() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = parseText("""
                defaults
                    retries 5
                    option redispatch
                frontend f1
                    bind :7443
                    default_backend b1
                backend b1
                    server s 198.18.0.11:6443
                defaults
                    timeout connect 1s
                frontend f2
                    bind :7444
                    default_backend b2
                backend b2
                    server s 198.18.0.11:6443
                """, d);
        assertEquals(5, c.backend("b1").orElseThrow().retries());
        assertTrue(c.backend("b1").orElseThrow().redispatch());
        assertEquals(3, c.backend("b2").orElseThrow().retries());
        assertFalse(c.backend("b2").orElseThrow().redispatch());
        assertEquals(Optional.of(Duration.ofSeconds(1)), c.backend("b2").orElseThrow().timeouts().connect());
    }

    @Test
    void listenWithServersIsFrontendAndBackend() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = parseText("""
                listen api
                    bind 127.0.0.1:7443
                    mode tcp
                    balance leastconn
                    default-server check inter 1s fall 2
                    server a 127.0.0.1:6443
                    server b 127.0.0.1:6444 no-check
                """, d);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        assertEquals("api", c.frontend("api").orElseThrow().defaultBackend());
        Backend b = c.backend("api").orElseThrow();
        assertEquals(Balance.LEASTCONN, b.balance());
        assertTrue(b.server("a").orElseThrow().check());
        assertEquals(Duration.ofSeconds(1), b.server("a").orElseThrow().inter());
        assertEquals(2, b.server("a").orElseThrow().fall());
        assertFalse(b.server("b").orElseThrow().check());
    }

    @Test
    void unknownKeywordNamesFileLineAndKeyword() {
        Diagnostics d = new Diagnostics();
        parseText("""
                global
                    frobnicate on
                backend b
                    server s 198.18.0.11:6443 check bogus-option
                    option bogus
                """, d);
        assertEquals(List.of("frobnicate", "server bogus-option", "option bogus"), TestFiles.keywords(d.errors()), TestFiles.dump(d));
        assertEquals(List.of(2, 4, 5), d.errors().stream().map(Diagnostic::line).toList());
        assertTrue(d.errors().get(0).toString().startsWith("[ERROR] haproxy.cfg:2: 'frobnicate': "));
    }

    @Test
    void badNumbersAndTimesNameTheRange() {
        Diagnostics d = new Diagnostics();
        parseText("""
                defaults
                    timeout connect 5x
                    retries -1
                frontend f
                    bind *:70000
                    default_backend b
                backend b
                    server s 198.18.0.11:6443 check fall 0 weight 300 inter 1ms
                    server t ${HOST1_ADDRESS}:${APISERVER_SRC_PORT} check
                """, d);
        List<Diagnostic> e = d.errors();
        assertEquals("timeout connect", e.get(0).keyword());
        assertTrue(e.get(0).message().contains("in [1ms, 2147483647ms], was '5x'"), e.get(0).message());
        assertEquals("must be an integer in [0, 100], was '-1'", e.get(1).message());
        assertEquals("must be an integer in [1, 65535], was '70000'", e.get(2).message());
        assertEquals("server fall", e.get(3).keyword());
        assertEquals("must be an integer in [1, 1000], was '0'", e.get(3).message());
        assertEquals(8, e.get(3).line());
        assertTrue(e.stream().anyMatch(x -> x.line() == 9 && x.message().contains("template placeholder")), TestFiles.dump(d));
    }

    @Test
    void layer7AndTlsTerminationAreErrors() {
        Diagnostics d = new Diagnostics();
        parseText("""
                defaults
                    mode http
                frontend f
                    bind :443 ssl crt /etc/x.pem
                    use_backend b if { path /x }
                    default_backend b
                backend b
                    server s 198.18.0.11:6443 ssl send-proxy
                """, d);
        List<String> k = TestFiles.keywords(d.errors());
        assertTrue(k.containsAll(List.of("bind", "use_backend", "server ssl", "server send-proxy", "mode")), TestFiles.dump(d));
    }

    @Test
    void environmentVariablesExpandInDoubleQuotesOnly() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = HaproxyParser.parse("haproxy.cfg", """
                frontend f
                    bind "*:${HAPROXY_PORT}"
                    default_backend b
                backend b
                    server s "${NODE}:6443"
                """, Map.of("HAPROXY_PORT", "7443"), d);
        assertEquals(7443, c.frontend("f").orElseThrow().binds().get(0).port());
        assertTrue(d.warnings().stream().anyMatch(w -> w.keyword().equals("${NODE}")), TestFiles.dump(d));
        assertTrue(d.errors().stream().anyMatch(e -> e.line() == 5), TestFiles.dump(d));
    }

    @Test
    void unknownDefaultBackendIsAnError() {
        Diagnostics d = new Diagnostics();
        parseText("frontend f\n bind :7443\n default_backend nope\n", d);
        assertEquals(List.of("default_backend"), TestFiles.keywords(d.errors()));
        assertEquals(3, d.errors().get(0).line());
    }

    @Test
    void nbthreadSetsTheEventLoopsAndTuneBufsizeIsAWarning() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig c = parseText("global\n nbthread 3\n tune.bufsize 32768\n", d);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        assertEquals(OptionalInt.of(3), c.global().threads());
        assertTrue(warningAbout(d, "tune.bufsize").message().contains("ignored"), TestFiles.dump(d));
        assertEquals(OptionalInt.empty(), parseText("global\n maxconn 10\n", new Diagnostics()).global().threads());

        Diagnostics bad = new Diagnostics();
        parseText("global\n nbthread 0\n", bad);
        assertEquals(List.of("nbthread"), TestFiles.keywords(bad.errors()));
    }
}
