package io.ha4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link HttpCheck} against real HTTP and HTTPS servers on loopback, one run at a time. */
@Timeout(60)
class HttpCheckTest {

    /** Generous for checks expected to complete, so that a loaded machine does not turn them into timeouts. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** For servers that never answer: the whole wait, so kept short. */
    private static final Duration HANG_TIMEOUT = Duration.ofMillis(500);
    private static TestPki pki;
    private static TestServer http;
    private static TestServer https;

    @BeforeAll
    static void startServers() throws Exception {
        pki = TestPki.get();
        http = TestServer.plain();
        https = TestServer.tls(pki.serverP12);
    }

    @AfterAll
    static void stopServers() throws Exception {
        http.close();
        https.close();
    }

    @BeforeEach
    void reset() {
        http.mode(TestServer.Mode.OK);
        https.mode(TestServer.Mode.OK);
        https.lastSni = null;
        https.lastClientCert = null;
    }

    private static HttpCheck.Builder plain() {
        return HttpCheck.builder("127.0.0.1", http.port());
    }

    private static HttpCheck.Builder secure(TlsOptions tls) {
        return HttpCheck.builder("127.0.0.1", https.port()).tls(tls);
    }

    @Test
    void passesOn200AndSendsAWellFormedRequest() throws Exception {
        CheckResult r = plain().path("/readyz?verbose").build().run(TIMEOUT);
        assertTrue(r.isPassed(), r::toString);
        assertEquals("HTTP 200 OK", r.reason());
        String request = http.lastRequest;
        assertTrue(request.startsWith("GET /readyz?verbose HTTP/1.1\r\n"), request);
        assertTrue(request.contains("\r\nHost: 127.0.0.1:" + http.port() + "\r\n"), request);
        assertTrue(request.contains("\r\nConnection: close\r\n"), request);
    }

    @Test
    void hostHeaderCanBeSet() throws Exception {
        assertTrue(plain().hostHeader("api.example:6443").build().run(TIMEOUT).isPassed());
        assertTrue(http.lastRequest.contains("\r\nHost: api.example:6443\r\n"), http.lastRequest);
    }

    @Test
    void failsOnAnUnexpectedStatusAndSaysWhich() throws Exception {
        http.mode(TestServer.Mode.ERROR_500);
        CheckResult r = plain().build().run(TIMEOUT);
        assertFalse(r.isPassed());
        assertFalse(r.timedOut());
        assertEquals("HTTP 500 Internal Server Error (expected 200)", r.reason());
    }

    @Test
    void acceptsAnyOfASetOfStatuses() throws Exception {
        http.mode(TestServer.Mode.UNAVAILABLE_503);
        HttpCheck check = plain().expectStatus(200, 503).build();
        assertEquals(Set.of(200, 503), check.expectedStatuses());
        CheckResult r = check.run(TIMEOUT);
        assertTrue(r.isPassed(), r::toString);
        assertEquals("HTTP 503 Service Unavailable", r.reason());
        http.mode(TestServer.Mode.ERROR_500);
        assertEquals("HTTP 500 Internal Server Error (expected one of [200, 503])", check.run(TIMEOUT).reason());
    }

    @Test
    void aHangingServerIsATimeoutOfTheResponse() throws Exception {
        http.mode(TestServer.Mode.HANG);
        CheckResult r = plain().build().run(HANG_TIMEOUT);
        assertFalse(r.isPassed());
        assertTrue(r.timedOut(), r::toString);
        assertEquals("timeout after 500ms during response", r.reason());
    }

    @Test
    void aServerThatClosesAtOnceFails() throws Exception {
        http.mode(TestServer.Mode.CLOSE);
        CheckResult r = plain().build().run(TIMEOUT);
        assertFalse(r.isPassed());
        assertFalse(r.timedOut());
        assertTrue(r.reason().equals("connection closed without a response") || r.reason().contains("reset")
                || r.reason().contains("Broken pipe"), r::toString);
    }

    @Test
    void somethingThatIsNotHttpFails() throws Exception {
        http.mode(TestServer.Mode.GARBAGE);
        assertEquals("not an HTTP response: 'SSH-2.0-OpenSSH_9.2'", plain().build().run(TIMEOUT).reason());
    }

    @Test
    void headersAreReadOnlyUpToTheBound() throws Exception {
        http.mode(TestServer.Mode.HUGE_HEADERS);
        CheckResult r = plain().build().run(TIMEOUT);
        assertFalse(r.isPassed());
        assertEquals("response headers exceed " + HttpCheck.MAX_HEADER_BYTES + " bytes", r.reason());
    }

    @Test
    void aClosedPortIsAConnectFailure() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = s.getLocalPort();
        }
        CheckResult r = HttpCheck.builder("127.0.0.1", port).build().run(TIMEOUT);
        assertFalse(r.isPassed());
        assertTrue(r.reason().startsWith("connect failed: "), r::toString);
    }

    @Test
    void httpsWithTrustAllPasses() throws Exception {
        CheckResult r = secure(TlsOptions.trustAll()).build().run(TIMEOUT);
        assertTrue(r.isPassed(), r::toString);
        assertEquals("HTTP 200 OK", r.reason());
        assertTrue(https.lastRequest.startsWith("GET / HTTP/1.1\r\n"), https.lastRequest);
    }

    @Test
    void httpsWithTheRightCaPasses() throws Exception {
        CheckResult r = secure(TlsOptions.trustCaFile(pki.serverCertPem)).build().run(TIMEOUT);
        assertTrue(r.isPassed(), r::toString);
    }

    @Test
    void httpsWithAnotherCaFailsTheHandshake() throws Exception {
        CheckResult r = secure(TlsOptions.trustCaFile(pki.otherCertPem)).build().run(TIMEOUT);
        assertFalse(r.isPassed());
        assertFalse(r.timedOut());
        assertTrue(r.reason().startsWith("TLS handshake failed: "), r::toString);
    }

    @Test
    void httpsReportsServer500() throws Exception {
        https.mode(TestServer.Mode.ERROR_500);
        assertEquals("HTTP 500 Internal Server Error (expected 200)", secure(TlsOptions.trustAll()).build().run(TIMEOUT).reason());
    }

    @Test
    void httpsToAHangingServerTimesOutInTheHandshake() throws Exception {
        https.mode(TestServer.Mode.HANG);
        CheckResult r = secure(TlsOptions.trustAll()).build().run(HANG_TIMEOUT);
        assertTrue(r.timedOut(), r::toString);
        assertEquals("timeout after 500ms during TLS handshake", r.reason());
    }

    @Test
    void httpsToAServerThatClosesFailsTheHandshake() throws Exception {
        https.mode(TestServer.Mode.CLOSE);
        CheckResult r = secure(TlsOptions.trustAll()).build().run(TIMEOUT);
        assertFalse(r.isPassed());
        assertFalse(r.timedOut());
        assertTrue(r.reason().startsWith("TLS handshake failed: ") || r.reason().contains("reset"), r::toString);
    }

    @Test
    void httpsToAPlainServerFails() throws Exception {
        // the plain server waits for a request line that a ClientHello never completes
        CheckResult r = HttpCheck.builder("127.0.0.1", http.port()).tls(TlsOptions.trustAll()).build().run(HANG_TIMEOUT);
        assertFalse(r.isPassed());
        assertTrue(r.reason().contains("TLS handshake"), r::toString);
    }

    @Test
    void sniIsTheHostNameByDefault() throws Exception {
        CheckResult r = HttpCheck.builder("localhost", https.port()).tls(TlsOptions.trustAll()).build().run(TIMEOUT);
        assertTrue(r.isPassed(), r::toString);
        assertEquals("localhost", https.lastSni);
    }

    @Test
    void noSniForAnIpLiteral() throws Exception {
        https.lastSni = "unset";
        assertTrue(secure(TlsOptions.trustAll()).build().run(TIMEOUT).isPassed());
        assertNull(https.lastSni);
    }

    @Test
    void sniCanBeSet() throws Exception {
        TlsOptions tls = TlsOptions.builder().trustAll().serverName("kubernetes.default.svc").build();
        assertTrue(secure(tls).build().run(TIMEOUT).isPassed());
        assertEquals("kubernetes.default.svc", https.lastSni);
    }

    @Test
    void noClientCertificateUnlessConfigured() throws Exception {
        assertTrue(secure(TlsOptions.trustAll()).build().run(TIMEOUT).isPassed());
        assertNull(https.lastClientCert);
    }

    @Test
    void clientCertificateFromPemAndPkcs8Key() throws Exception {
        TlsOptions tls = TlsOptions.builder().caFile(pki.serverCertPem)
                .clientCertificate(pki.clientCertPem, pki.clientKeyPkcs8Pem).build();
        assertTrue(tls.hasClientCertificate());
        assertTrue(secure(tls).build().run(TIMEOUT).isPassed());
        assertEquals(pki.clientCert, https.lastClientCert);
    }

    @Test
    void clientCertificateFromPemAndPkcs1RsaKey() throws Exception {
        TlsOptions tls = TlsOptions.builder().trustAll()
                .clientCertificate(pki.clientCertPem, pki.clientKeyPkcs1Pem).build();
        assertTrue(secure(tls).build().run(TIMEOUT).isPassed());
        assertEquals(pki.clientCert, https.lastClientCert);
    }

    @Test
    void clientCertificateFromPkcs12() throws Exception {
        TlsOptions tls = TlsOptions.builder().trustAll().clientKeyStore(pki.clientP12, TestPki.PASSWORD).build();
        assertTrue(secure(tls).build().run(TIMEOUT).isPassed());
        assertEquals(pki.clientCert, https.lastClientCert);
    }

    @Test
    void aRotatedCaFileIsReadAgain() throws Exception {
        Path ca = Files.createTempFile(pki.dir, "rotating-ca", ".crt");
        Files.copy(pki.serverCertPem, ca, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(ca, FileTime.fromMillis(1_000_000_000_000L));
        HttpCheck check = secure(TlsOptions.trustCaFile(ca)).build();
        assertTrue(check.run(TIMEOUT).isPassed());
        Files.copy(pki.otherCertPem, ca, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(ca, FileTime.fromMillis(1_000_000_100_000L));
        CheckResult r = check.run(TIMEOUT);
        assertFalse(r.isPassed());
        assertTrue(r.reason().startsWith("TLS handshake failed: "), r::toString);
    }

    @Test
    void kubernetesReadyzIsHttpsGetReadyzExpecting200() throws Exception {
        HttpCheck check = HttpCheck.kubernetesReadyz("127.0.0.1", https.port(), TlsOptions.trustAll());
        assertEquals("/readyz", check.path());
        assertEquals(Set.of(200), check.expectedStatuses());
        assertTrue(check.tls().isPresent());
        assertTrue(check.run(TIMEOUT).isPassed());
        assertTrue(https.lastRequest.startsWith("GET /readyz HTTP/1.1\r\n"), https.lastRequest);
        assertEquals("GET https://127.0.0.1:" + https.port() + "/readyz expect 200", check.description());
    }

    @Test
    void tlsHandshakeCheckPassesFailsAndTimesOut() throws Exception {
        TlsHandshakeCheck check = TlsHandshakeCheck.of("127.0.0.1", https.port(), TlsOptions.trustCaFile(pki.serverCertPem));
        CheckResult ok = check.run(TIMEOUT);
        assertTrue(ok.isPassed(), ok::toString);
        assertTrue(ok.reason().startsWith("TLS handshake completed (TLSv1."), ok::toString);

        CheckResult wrongCa = TlsHandshakeCheck.of("127.0.0.1", https.port(), TlsOptions.trustCaFile(pki.otherCertPem)).run(TIMEOUT);
        assertTrue(wrongCa.reason().startsWith("TLS handshake failed: "), wrongCa::toString);

        https.mode(TestServer.Mode.HANG);
        CheckResult hang = check.run(HANG_TIMEOUT);
        assertTrue(hang.timedOut(), hang::toString);
        assertEquals("timeout after 500ms during TLS handshake", hang.reason());

        CheckResult plainServer = TlsHandshakeCheck.of("127.0.0.1", http.port(), TlsOptions.trustAll()).run(HANG_TIMEOUT);
        assertFalse(plainServer.isPassed());
    }

    @Test
    void tcpCheckFollowsTheListener() throws Exception {
        ServerSocket listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = listener.getLocalPort();
        HealthCheck check = HealthCheck.tcp("127.0.0.1", port);
        assertEquals("tcp 127.0.0.1:" + port, check.description());
        assertTrue(check.run(TIMEOUT).isPassed());
        listener.close();
        CheckResult down = check.run(TIMEOUT);
        assertFalse(down.isPassed());
        assertTrue(down.reason().startsWith("connect failed: "), down::toString);
    }

    @Test
    void badTlsFilesAreConfigurationErrorsNamingTheOption() throws Exception {
        Path missing = pki.dir.resolve("missing.crt");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TlsOptions.trustCaFile(missing));
        assertTrue(e.getMessage().startsWith("caFile " + missing + " cannot be read"), e.getMessage());

        Path notPem = Files.writeString(pki.dir.resolve("not.pem"), "hello");
        e = assertThrows(IllegalArgumentException.class, () -> TlsOptions.trustCaFile(notPem));
        assertTrue(e.getMessage().startsWith("caFile " + notPem), e.getMessage());

        Path encrypted = Files.writeString(pki.dir.resolve("enc.key"), TestPki.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
        e = assertThrows(IllegalArgumentException.class,
                () -> TlsOptions.builder().trustAll().clientCertificate(pki.clientCertPem, encrypted).build());
        assertTrue(e.getMessage().contains("is encrypted"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> TlsOptions.builder().trustAll().clientCertificate(pki.clientCertPem, pki.clientCertPem).build());
        assertTrue(e.getMessage().contains("holds no PEM private key"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> TlsOptions.builder().trustAll().clientKeyStore(pki.clientP12, "wrong".toCharArray()).build());
        assertNotNull(e.getMessage());
    }

    @Test
    void ipv6LiteralsAreBracketedInTheHostHeaderAndDescription() {
        HttpCheck https6 = HttpCheck.builder("[fd00::11]", 6443).tls(TlsOptions.trustAll()).build();
        assertEquals("fd00::11", https6.host());
        assertEquals("[fd00::11]:6443", https6.hostHeader());
        assertEquals("GET https://[fd00::11]:6443/ expect 200", https6.description());
        assertEquals("198.18.0.11", HttpCheck.builder("198.18.0.11", 80).build().hostHeader(), "default port omitted");
        assertEquals("api.example", HttpCheck.builder("api.example", 443).tls(TlsOptions.trustAll()).build().hostHeader());
        assertEquals("api.example:80", HttpCheck.builder("api.example", 80).tls(TlsOptions.trustAll()).build().hostHeader());
        assertTrue(TlsOptions.trustAll().serverNameFor("fd00::11").isEmpty());
        assertTrue(TlsOptions.trustAll().serverNameFor("198.18.0.11").isEmpty());
        assertEquals("api.example", TlsOptions.trustAll().serverNameFor("api.example").orElseThrow());
    }

    @Test
    void verifyHostChecksTheCertificateNames() throws Exception {
        for (String good : List.of("localhost", "LOCALHOST.", "127.0.0.1")) {
            TlsOptions tls = TlsOptions.builder().caFile(pki.serverCertPem).verifyHost(good).build();
            CheckResult r = secure(tls).build().run(TIMEOUT);
            assertTrue(r.isPassed(), good + ": " + r);
        }
        for (String bad : List.of("other.example", "10.0.0.1", "::1")) {
            TlsOptions tls = TlsOptions.builder().caFile(pki.serverCertPem).verifyHost(bad).build();
            CheckResult r = secure(tls).build().run(TIMEOUT);
            assertEquals("TLS handshake failed: server certificate does not match verifyHost '" + bad + "'", r.reason());
        }
    }

    @Test
    void dnsNamesMatchWithWildcardsOnlyAsTheLeftMostLabel() {
        assertTrue(TlsOptions.dnsMatches("api.example.com", "API.example.com."));
        assertTrue(TlsOptions.dnsMatches("*.example.com", "api.example.com"));
        assertFalse(TlsOptions.dnsMatches("*.example.com", "example.com"));
        assertFalse(TlsOptions.dnsMatches("*.example.com", "a.b.example.com"));
        assertFalse(TlsOptions.dnsMatches("*.com", "example.com"));
        assertFalse(TlsOptions.dnsMatches("api.example.com", "api.example.org"));
    }
}
