package io.ha4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link HealthChecker} driving each kind of real check against loopback servers: UP and DOWN happen after
 * exactly {@code rise} and {@code fall} results (counted, not timed), and a hanging server gives timeouts
 * while the checker keeps checking.
 */
@Timeout(120)
class CheckTransitionsTest {

    private static final int RISE = 3;
    private static final int FALL = 2;
    /** Each hanging check waits this long; long enough that a loaded machine completes the passing ones. */
    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private static TestPki pki;
    private static TestServer http;
    private static TestServer https;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.get();
        http = TestServer.plain();
        https = TestServer.tls(pki.serverP12);
        // the JVM's first TLS handshake loads and initialises the providers; keep that out of the counted checks
        HttpCheck.builder("127.0.0.1", https.port()).tls(TlsOptions.trustAll()).build().run(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        https.close();
    }

    private static HealthChecker checker(String name, HealthCheck check) {
        return HealthChecker.builder(name)
                .check(check)
                .rise(RISE)
                .fall(FALL)
                .inter(Duration.ofSeconds(2))
                .fastInter(Duration.ofSeconds(1))
                .downInter(Duration.ofSeconds(5))
                .timeout(TIMEOUT)
                .initialState(HealthChecker.InitialState.FULLY_DOWN)
                .build();
    }

    /** Runs {@code RISE} passing checks and asserts UP comes with the last one, not before. */
    private static void riseTo(CheckerHarness h, int transitionsBefore) {
        for (int i = 1; i <= RISE; i++) {
            CheckResult r = h.step();
            assertTrue(r.isPassed(), r::toString);
            assertEquals(i == RISE ? HealthStatus.UP : HealthStatus.DOWN, h.checker.status(), "after " + i + " successes");
        }
        assertEquals(transitionsBefore + 1, h.transitions.size());
        CheckerHarness.Transition t = h.transitions.get(transitionsBefore);
        assertEquals(HealthStatus.UP, t.status);
        assertEquals(h.checker.checksRun(), t.afterResults);
    }

    /** Runs {@code FALL} failing checks and asserts DOWN comes with the last one, not before. */
    private static void fallTo(CheckerHarness h, int transitionsBefore, boolean expectTimeouts) {
        for (int i = 1; i <= FALL; i++) {
            CheckResult r = h.step();
            assertFalse(r.isPassed(), r::toString);
            assertEquals(expectTimeouts, r.timedOut(), r::toString);
            assertEquals(i == FALL ? HealthStatus.DOWN : HealthStatus.UP, h.checker.status(), "after " + i + " failures");
        }
        assertEquals(transitionsBefore + 1, h.transitions.size());
        CheckerHarness.Transition t = h.transitions.get(transitionsBefore);
        assertEquals(HealthStatus.DOWN, t.status);
        assertEquals(h.checker.checksRun(), t.afterResults);
        assertTrue(h.scheduler.pendingTasks() > 0, "the next check is scheduled");
    }

    @Test
    void httpCheck() {
        http.mode(TestServer.Mode.OK);
        try (CheckerHarness h = new CheckerHarness(checker("http", HttpCheck.builder("127.0.0.1", http.port()).build()))) {
            assertEquals(HealthStatus.DOWN, h.checker.status());
            riseTo(h, 0);
            http.mode(TestServer.Mode.ERROR_500);
            fallTo(h, 1, false);
            assertEquals("HTTP 500 Internal Server Error (expected 200)", h.checker.lastResult().reason());
            http.mode(TestServer.Mode.OK);
            riseTo(h, 2);
            http.mode(TestServer.Mode.HANG);
            fallTo(h, 3, true);
            http.mode(TestServer.Mode.CLOSE);
            assertFalse(h.step().isPassed());
            http.mode(TestServer.Mode.OK);
            riseTo(h, 4);
            assertEquals(List.of("UP@3", "DOWN@5", "UP@8", "DOWN@10", "UP@14"),
                    h.transitions.stream().map(Object::toString).collect(java.util.stream.Collectors.toList()));
        } finally {
            http.mode(TestServer.Mode.OK);
        }
    }

    @Test
    void httpsCheck() {
        https.mode(TestServer.Mode.OK);
        HttpCheck check = HttpCheck.kubernetesReadyz("127.0.0.1", https.port(), TlsOptions.trustCaFile(pki.serverCertPem));
        try (CheckerHarness h = new CheckerHarness(checker("https", check))) {
            riseTo(h, 0);
            https.mode(TestServer.Mode.ERROR_500);
            fallTo(h, 1, false);
            https.mode(TestServer.Mode.OK);
            riseTo(h, 2);
            https.mode(TestServer.Mode.HANG);
            fallTo(h, 3, true);
            assertEquals("timeout after 1500ms during TLS handshake", h.checker.lastResult().reason());
            https.mode(TestServer.Mode.CLOSE);
            assertFalse(h.step().isPassed());
            https.mode(TestServer.Mode.OK);
            riseTo(h, 4);
        } finally {
            https.mode(TestServer.Mode.OK);
        }
    }

    @Test
    void tlsHandshakeCheck() {
        https.mode(TestServer.Mode.OK);
        try (CheckerHarness h = new CheckerHarness(checker("tls", TlsHandshakeCheck.of("127.0.0.1", https.port(), TlsOptions.trustAll())))) {
            riseTo(h, 0);
            https.mode(TestServer.Mode.CLOSE);
            fallTo(h, 1, false);
            https.mode(TestServer.Mode.OK);
            riseTo(h, 2);
            https.mode(TestServer.Mode.HANG);
            fallTo(h, 3, true);
        } finally {
            https.mode(TestServer.Mode.OK);
        }
    }

    @Test
    void tcpCheckFollowsTheListenerGoingAwayAndComingBack() throws IOException {
        ServerSocket listener = listen(0);
        int port = listener.getLocalPort();
        try (CheckerHarness h = new CheckerHarness(checker("tcp", HealthCheck.tcp("127.0.0.1", port)))) {
            riseTo(h, 0);
            listener.close();
            fallTo(h, 1, false);
            assertTrue(h.checker.lastResult().reason().startsWith("connect failed"), h.checker.lastResult()::toString);
            listener = listen(port);
            riseTo(h, 2);
        } finally {
            listener.close();
        }
    }

    @Test
    void commandCheck() {
        try (CheckerHarness h = new CheckerHarness(checker("cmd", CommandCheck.builder("sh", "-c", "exit 0").build()))) {
            riseTo(h, 0);
        }
        HealthChecker failing = HealthChecker.builder("cmd-fail")
                .check(CommandCheck.builder("sh", "-c", "echo no; exit 1").build())
                .rise(RISE).fall(FALL).initialState(HealthChecker.InitialState.FULLY_UP).build();
        try (CheckerHarness h = new CheckerHarness(failing)) {
            fallTo(h, 0, false);
            assertEquals("exit 1: no", h.checker.lastResult().reason());
        }
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }
}
