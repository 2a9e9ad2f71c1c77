package io.ha4j.core;

import io.ha4j.core.internal.Validation;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One network probe with a single deadline shared by connect, TLS handshake and reads: each step gets
 * only what is left of the check's timeout, so a check never outlives it by more than one scheduling
 * delay. Socket timeouts are real time by nature, so the deadline is on {@link Clock#system()}.
 */
final class Probe implements AutoCloseable {

    private final Duration timeout;
    private final long deadlineNanos;
    private String step = "connect";
    private Socket socket;

    Probe(Duration timeout) {
        this.timeout = timeout;
        this.deadlineNanos = Clock.system().nanoTime() + timeout.toNanos();
    }

    /** Connects to {@code host:port} and, if {@code tls} is set, completes a TLS handshake. */
    Socket open(String host, int port, TlsOptions tls) throws IOException, GeneralSecurityException {
        Socket plain = connect(new InetSocketAddress(host, port));
        if (tls == null) {
            return plain;
        }
        step = "TLS handshake";
        SSLSocket ssl = (SSLSocket) tls.sslContext().getSocketFactory().createSocket(plain, host, port, true);
        socket = ssl;
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm(null);
        params.setServerNames(tls.serverNameFor(host).map(n -> List.<SNIServerName>of(new SNIHostName(n))).orElse(List.of()));
        ssl.setSSLParameters(params);
        ssl.setUseClientMode(true);
        ssl.setSoTimeout(remainingMillis());
        ssl.startHandshake();
        if (tls.verifyHost().isPresent()) {
            tls.checkHost((X509Certificate) ssl.getSession().getPeerCertificates()[0]);
        }
        return ssl;
    }

    /** Connects to {@code target} within what is left of the timeout. */
    Socket connect(InetSocketAddress target) throws IOException {
        step = "connect";
        if (target.isUnresolved()) {
            throw new UnknownHostException(target.getHostString());
        }
        Socket plain = new Socket();
        socket = plain;
        plain.setTcpNoDelay(true);
        plain.connect(target, remainingMillis());
        return plain;
    }

    /** Names the step that a failure will be reported in (e.g. {@code "response"}). */
    void step(String name) {
        this.step = name;
    }

    /** What is left of the timeout, at least 1 ms; throws once nothing is left. */
    int remainingMillis() throws SocketTimeoutException {
        long left = deadlineNanos - Clock.system().nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.max(1L, Math.min(Integer.MAX_VALUE, (left + 999_999L) / 1_000_000L));
    }

    /** Re-arms the read timeout with what is left of the deadline. */
    void armRead() throws IOException {
        socket.setSoTimeout(remainingMillis());
    }

    /** The result for a failure of the current step, with the step in the reason. */
    CheckResult failure(Exception e) {
        if (e instanceof SocketTimeoutException) {
            return CheckResult.timedOut("timeout after " + Validation.format(timeout) + " during " + step);
        }
        if (e instanceof UnknownHostException) {
            return CheckResult.failed("unknown host " + e.getMessage());
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return CheckResult.failed("connect failed: " + e.getMessage());
        }
        if (e instanceof SSLException) {
            return CheckResult.failed("TLS handshake failed: " + message(e));
        }
        if (e instanceof GeneralSecurityException) {
            return CheckResult.failed("TLS configuration: " + message(e));
        }
        return CheckResult.failed(step + " failed: " + message(e));
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    @Override
    public void close() {
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do: the probe is over
            }
        }
    }
}
