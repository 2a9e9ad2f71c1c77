package io.ha4j.examples.agent;

import io.ha4j.core.CommandCheck;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.HealthChecker;
import io.ha4j.core.HttpCheck;
import io.ha4j.core.TlsHandshakeCheck;
import io.ha4j.core.TlsOptions;
import io.ha4j.examples.agent.HaproxyConfig.Backend;
import io.ha4j.examples.agent.HaproxyConfig.Server;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Turns the checks of both files into ha4j {@link HealthCheck}s and {@link HealthChecker}s.
 *
 * <p>keepalived {@code vrrp_script}: a {@link CommandCheck} (no shell, words split as keepalived splits
 * them), run every {@code interval} with the {@code timeout}, rise and fall of the script (keepalived's
 * counter and HAProxy's are the same). Where it starts: keepalived decides on the first result, which is
 * {@link HealthChecker.InitialState#UP} here (up, and down at the first failure); {@code init_fail} starts
 * {@link HealthChecker.InitialState#FULLY_DOWN}.
 *
 * <p>HAProxy {@code server ... check}: the backend's effective check (see {@link HaproxyParser}) against the
 * server's address and {@code port}: a TCP connect; a TLS handshake for {@code check-ssl} and for
 * {@code option ssl-hello-chk} (HAProxy's legacy SSLv3 hello passes on any TLS record in reply, even an
 * alert; a full handshake is the stricter reading of the same intent); an HTTP(S) GET for
 * {@code option httpchk}. Timers are the server's {@code inter/fastinter/downinter/rise/fall}. The check
 * timeout follows HAProxy: without {@code timeout check} the check must finish within {@code inter}; with
 * it, {@code min(timeout connect, inter) + timeout check}.
 */
final class HealthCheckMapping {

    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    private HealthCheckMapping() {
    }

    /** The checker of a {@code vrrp_script}; its name is the script's. */
    static HealthChecker scriptChecker(KeepalivedConfig.Script script) {
        List<String> command = CommandLineWords.split(script.command());
        return HealthChecker.builder(script.name())
                .check(CommandCheck.builder(command).build())
                .inter(script.interval())
                .timeout(script.timeout())
                .rise(script.rise())
                .fall(script.fall())
                .initialState(script.initFail() ? HealthChecker.InitialState.FULLY_DOWN : HealthChecker.InitialState.UP)
                .build();
    }

    /** The probe of one server, or empty when the server has no {@code check}. */
    static Optional<HealthCheck> serverCheck(Backend backend, Server server) {
        if (!server.check()) {
            return Optional.empty();
        }
        int port = server.checkPort().orElse(server.port());
        HaproxyConfig.CheckSpec spec = backend.check();
        // ssl-hello-chk verifies nothing; otherwise verify none, or the ca-file (the parser refused verify without one)
        TlsOptions tls = server.verifyNone() || spec instanceof HaproxyConfig.SslHello || server.caFile().isEmpty()
                ? TlsOptions.trustAll() : TlsOptions.trustCaFile(server.caFile().get());
        if (spec instanceof HaproxyConfig.SslHello) {
            return Optional.of(TlsHandshakeCheck.of(server.host(), port, tls));
        }
        if (spec instanceof HaproxyConfig.TcpConnect) {
            return Optional.of(server.checkSsl() ? TlsHandshakeCheck.of(server.host(), port, tls) : HealthCheck.tcp(server.host(), port));
        }
        HaproxyConfig.Http http = (HaproxyConfig.Http) spec;
        HttpCheck.Builder b = HttpCheck.builder(server.host(), port).path(http.uri());
        HaproxyConfig.StatusRange range = http.expectStatus().orElse(new HaproxyConfig.StatusRange(200, 399));
        int[] more = new int[range.to() - range.from()];
        for (int i = 0; i < more.length; i++) {
            more[i] = range.from() + 1 + i;
        }
        b.expectStatus(range.from(), more);
        for (HaproxyConfig.Header h : http.headers()) {
            if (h.name().equalsIgnoreCase("host")) {
                b.hostHeader(h.value());
            }
        }
        if (http.ssl() || server.checkSsl()) {
            b.tls(tls);
        }
        return Optional.of(b.build());
    }

    /** Warnings about what an HTTP check sends differently from HAProxy; once per backend. */
    static void warnHttpDifferences(Backend backend, Diagnostics diagnostics) {
        if (!(backend.check() instanceof HaproxyConfig.Http http) || backend.servers().stream().noneMatch(Server::check)) {
            return;
        }
        Origin at = http.origin();
        if (!http.method().equals("GET")) {
            diagnostics.warn(at.file(), at.line(), "option httpchk", "ha4j's HTTP check always sends GET, not " + http.method()
                    + (http.method().equals("OPTIONS") ? " (HAProxy's default)" : "") + "; write the method explicitly to silence this");
        }
        for (HaproxyConfig.Header h : http.headers()) {
            if (!h.name().equalsIgnoreCase("host")) {
                diagnostics.warn(at.file(), at.line(), "http-check send hdr " + h.name(), "ha4j's HTTP check sends only a Host header; ignored");
            }
        }
    }

    /** The checker of one server around {@code check}. */
    static HealthChecker serverChecker(String name, Backend backend, Server server, HealthCheck check) {
        HealthChecker.Builder b = HealthChecker.builder(name)
                .check(check)
                .inter(server.inter())
                .fastInter(server.fastInter())
                .downInter(server.downInter())
                .rise(server.rise())
                .fall(server.fall())
                .timeout(checkTimeout(backend, server));
        server.initialState().ifPresent(b::initialState);
        return b.build();
    }

    static Duration checkTimeout(Backend backend, Server server) {
        Duration inter = server.inter();
        Optional<Duration> check = backend.timeouts().check();
        if (check.isEmpty()) {
            return inter;
        }
        Duration connect = backend.timeouts().connect().filter(c -> c.compareTo(inter) < 0).orElse(inter);
        Duration total = connect.plus(check.get());
        return total.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT : total;
    }
}
