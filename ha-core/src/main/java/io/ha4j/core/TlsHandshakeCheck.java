package io.ha4j.core;

import io.ha4j.core.internal.Validation;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Passes when a TCP connection and a full TLS handshake with the target complete within the timeout: HAProxy's
 * {@code check check-ssl} without an HTTP check. It proves that the server's TLS stack answers (and, with
 * {@link TlsOptions#trustCaFile}, that it holds a certificate of the right CA), not that the application
 * behind it is ready; prefer {@link HttpCheck} when there is an endpoint to ask.
 *
 * <p>Unlike HAProxy's legacy {@code option ssl-hello-chk}, which sends an SSLv3 hello and passes on any TLS
 * record in reply (a handshake failure alert included), this check fails unless the handshake succeeds.
 */
public final class TlsHandshakeCheck implements HealthCheck {

    private final String host;
    private final int port;
    private final TlsOptions tls;

    private TlsHandshakeCheck(String host, int port, TlsOptions tls) {
        this.host = host;
        this.port = port;
        this.tls = tls;
    }

    /** A handshake check of {@code host:port}; {@code port} in [1, 65535]. */
    public static TlsHandshakeCheck of(String host, int port, TlsOptions tls) {
        Validation.notNull("host", host);
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        Validation.inRange("port", port, 1, 65535);
        return new TlsHandshakeCheck(host, port, Validation.notNull("tls", tls));
    }

    @Override
    public CheckResult run(Duration timeout) throws InterruptedException {
        try (Probe probe = new Probe(timeout)) {
            try {
                Socket socket = probe.open(host, port, tls);
                SSLSession session = ((SSLSocket) socket).getSession();
                return CheckResult.passed("TLS handshake completed (" + session.getProtocol() + ", "
                        + session.getCipherSuite() + ")");
            } catch (Exception e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("check interrupted");
                }
                return probe.failure(e);
            }
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public TlsOptions tls() {
        return tls;
    }

    @Override
    public String description() {
        return "tls " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return "TlsHandshakeCheck[" + description() + ", " + tls + "]";
    }
}
