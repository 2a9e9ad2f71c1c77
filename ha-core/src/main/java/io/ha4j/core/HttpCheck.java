package io.ha4j.core;

import io.ha4j.core.internal.Validation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP or HTTPS {@code GET} of a path, passing when the status is one of the expected ones (HAProxy
 * {@code option httpchk} + {@code http-check expect status}; with TLS, {@code http-check connect ssl}).
 *
 * <pre>{@code
 * HealthCheck check = HttpCheck.builder("198.18.0.11", 6443)
 *         .path("/readyz")
 *         .tls(TlsOptions.trustCaFile(Path.of("/etc/kubernetes/pki/ca.crt")))
 *         .build();
 * }</pre>
 *
 * <p>Each run opens a new connection, sends one {@code HTTP/1.1} request with a {@code Host} header and
 * {@code Connection: close}, reads the status line and the header block (at most
 * {@value #MAX_HEADER_BYTES} bytes, never the body) and closes. The check's timeout is one deadline for
 * connect, TLS handshake and response together. The result's reason carries the status ({@code "HTTP 500
 * Internal Server Error"}) or what went wrong ({@code "connect failed: Connection refused"}, {@code "timeout
 * after 5s during response"}, {@code "TLS handshake failed: ..."}).
 *
 * <p>Unlike HAProxy's bare {@code option httpchk} (which accepts any 2xx or 3xx), the default expectation is
 * exactly 200: the Kubernetes endpoints answer 200 when healthy, and a redirect from a health endpoint is a
 * misconfiguration worth seeing.
 *
 * <p>Implemented on plain and {@link javax.net.ssl.SSLSocket}s rather than {@code java.net.http}, which
 * cannot turn off host name verification per client (needed for HAProxy's {@code verify none}) and has no
 * bound on the response it reads. The host name is resolved at each run (and that lookup is not bounded by
 * the timeout); configure IP literals for backends, as the seeds do.
 */
public final class HttpCheck implements HealthCheck {

    /** Upper bound of the status line plus headers read from a response. */
    public static final int MAX_HEADER_BYTES = 16 * 1024;

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/\\d(?:\\.\\d)? (\\d{3})(?: (.*))?");
    private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e]*");
    private static final Pattern HOST_HEADER = Pattern.compile("[\\x21-\\x7e]+");

    private final String host;
    private final int port;
    private final String path;
    private final Set<Integer> expectedStatuses;
    private final String hostHeader;
    private final TlsOptions tls;
    private final byte[] request;

    private HttpCheck(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.path = b.path != null ? b.path : "/";
        this.expectedStatuses = b.expectedStatuses != null ? b.expectedStatuses : Set.of(200);
        this.tls = b.tls;
        this.hostHeader = b.hostHeader != null ? b.hostHeader : defaultHostHeader(host, port, tls != null);
        this.request = ("GET " + path + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "User-Agent: ha4j-health-check\r\n"
                + "Accept: */*\r\n"
                + "Connection: close\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A check of {@code http://host:port/}; call {@link Builder#tls} for HTTPS. */
    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /**
     * The kube-apiserver check: HTTPS {@code GET /readyz}, expect 200. Pair it with
     * {@link HealthChecker.Builder#kubernetesDefaults()} (inter 2s, fastinter 1s, downinter 5s, rise 2, fall 3,
     * timeout 5s).
     *
     * <p>Why {@code /readyz} and not {@code /healthz}: {@code /readyz} fails (503) the moment an apiserver
     * receives SIGTERM, while {@code /healthz} keeps answering 200 throughout
     * {@code --shutdown-delay-duration}, so a balancer probing {@code /healthz} keeps sending new connections
     * to a server that is going away (kubernetes PR #88911; {@code /healthz} is deprecated since 1.16).
     *
     * <p>Why the HTTP request really runs: the long-copied HAProxy snippet {@code option httpchk GET /healthz}
     * followed by {@code option ssl-hello-chk} never requested {@code /healthz} at all; the last check option
     * replaces the earlier one, so HAProxy only sent an SSLv3 hello and accepted any TLS answer, even an alert.
     * This check completes the TLS handshake and judges the HTTP status. With anonymous authentication
     * disabled on the apiserver, {@code /readyz} answers 401; give {@code tls} a client certificate then.
     *
     * @param tls how to trust the apiserver: {@link TlsOptions#trustCaFile} with the cluster CA
     *            ({@code /etc/kubernetes/pki/ca.crt}), or {@link TlsOptions#trustAll()} as HAProxy's
     *            {@code verify none}
     */
    public static HttpCheck kubernetesReadyz(String host, int port, TlsOptions tls) {
        return builder(host, port).path("/readyz").expectStatus(200).tls(Validation.notNull("tls", tls)).build();
    }

    @Override
    public CheckResult run(Duration timeout) throws InterruptedException {
        try (Probe probe = new Probe(timeout)) {
            try {
                Socket socket = probe.open(host, port, tls);
                probe.step("request");
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                probe.step("response");
                return judge(readStatusLine(probe, socket.getInputStream()));
            } catch (BadResponse e) {
                return CheckResult.failed(e.getMessage());
            } catch (Exception e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("check interrupted");
                }
                return probe.failure(e);
            }
        }
    }

    /** Reads up to the end of the header block and returns the status line. */
    private static String readStatusLine(Probe probe, InputStream in) throws IOException {
        byte[] buf = new byte[MAX_HEADER_BYTES];
        int len = 0;
        while (true) {
            int end = headEnd(buf, len);
            if (end >= 0) {
                break;
            }
            if (len == buf.length) {
                throw new BadResponse("response headers exceed " + MAX_HEADER_BYTES + " bytes");
            }
            probe.armRead();
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                if (lineEnd(buf, len) >= 0) {
                    break; // status line complete; the server closed early, which is its right with Connection: close
                }
                throw new BadResponse(len == 0 ? "connection closed without a response"
                        : "connection closed inside the status line");
            }
            len += n;
        }
        int eol = lineEnd(buf, len);
        int textEnd = eol > 0 && buf[eol - 1] == '\r' ? eol - 1 : eol;
        return new String(buf, 0, textEnd, StandardCharsets.ISO_8859_1);
    }

    private CheckResult judge(String statusLine) {
        Matcher m = STATUS_LINE.matcher(statusLine);
        if (!m.matches()) {
            return CheckResult.failed("not an HTTP response: '" + printable(statusLine, 64) + "'");
        }
        int status = Integer.parseInt(m.group(1));
        String phrase = m.group(2) == null ? "" : printable(m.group(2).trim(), 64);
        String text = "HTTP " + status + (phrase.isEmpty() ? "" : " " + phrase);
        if (expectedStatuses.contains(status)) {
            return CheckResult.passed(text);
        }
        return CheckResult.failed(text + " (expected " + expectedText() + ")");
    }

    private String expectedText() {
        return expectedStatuses.size() == 1 ? String.valueOf(expectedStatuses.iterator().next())
                : "one of " + expectedStatuses;
    }

    private static int headEnd(byte[] buf, int len) {
        for (int i = 1; i < len; i++) {
            if (buf[i] == '\n' && (buf[i - 1] == '\n' || (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n'))) {
                return i;
            }
        }
        return -1;
    }

    private static int lineEnd(byte[] buf, int len) {
        for (int i = 0; i < len; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String printable(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }

    private static String defaultHostHeader(String host, int port, boolean https) {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return (https ? port == 443 : port == 80) ? h : h + ":" + port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String path() {
        return path;
    }

    /** The statuses that pass, in ascending order. */
    public Set<Integer> expectedStatuses() {
        return expectedStatuses;
    }

    public String hostHeader() {
        return hostHeader;
    }

    /** The TLS options if this is an HTTPS check. */
    public Optional<TlsOptions> tls() {
        return Optional.ofNullable(tls);
    }

    @Override
    public String description() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "GET " + (tls == null ? "http" : "https") + "://" + h + ":" + port + path
                + " expect " + expectedText();
    }

    @Override
    public String toString() {
        return "HttpCheck[" + description() + (tls == null ? "" : ", " + tls) + "]";
    }

    /** A response this check cannot judge; its message is the result's reason. */
    private static final class BadResponse extends IOException {
        private static final long serialVersionUID = 1L;

        BadResponse(String message) {
            super(message);
        }
    }

    /** Builds an {@link HttpCheck}; options are set once and validated when set. */
    public static final class Builder {
        private final String host;
        private final int port;
        private String path;
        private Set<Integer> expectedStatuses;
        private String hostHeader;
        private TlsOptions tls;

        private Builder(String host, int port) {
            Validation.notNull("host", host);
            if (host.isBlank() || !HOST_HEADER.matcher(host).matches()) {
                throw new IllegalArgumentException("host must be a non-empty host name or IP literal without spaces, was '" + host + "'");
            }
            this.host = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            this.port = Validation.inRange("port", port, 1, 65535);
        }

        /** The request path, starting with {@code /}, printable ASCII without spaces; default {@code /}. */
        public Builder path(String path) {
            Validation.setOnce("path", this.path);
            Validation.notNull("path", path);
            if (!PATH.matcher(path).matches()) {
                throw new IllegalArgumentException("path must start with '/' and be printable ASCII without spaces, was '" + path + "'");
            }
            this.path = path;
            return this;
        }

        /** The statuses that pass, each in [100, 599]; default 200 (HAProxy {@code http-check expect status}). */
        public Builder expectStatus(int status, int... more) {
            Validation.setOnce("expectStatus", this.expectedStatuses);
            Set<Integer> set = new TreeSet<>();
            set.add(Validation.inRange("expectStatus", status, 100, 599));
            for (int s : more) {
                set.add(Validation.inRange("expectStatus", s, 100, 599));
            }
            this.expectedStatuses = Collections.unmodifiableSet(set);
            return this;
        }

        /** The {@code Host} header; default {@code host[:port]} (port omitted when it is the scheme's default). */
        public Builder hostHeader(String hostHeader) {
            Validation.setOnce("hostHeader", this.hostHeader);
            Validation.notNull("hostHeader", hostHeader);
            if (!HOST_HEADER.matcher(hostHeader).matches()) {
                throw new IllegalArgumentException("hostHeader must be non-empty printable ASCII without spaces, was '" + hostHeader + "'");
            }
            this.hostHeader = hostHeader;
            return this;
        }

        /** Speak HTTPS with these options; default plain HTTP. */
        public Builder tls(TlsOptions tls) {
            Validation.setOnce("tls", this.tls);
            this.tls = Validation.notNull("tls", tls);
            return this;
        }

        public HttpCheck build() {
            return new HttpCheck(this);
        }
    }
}
