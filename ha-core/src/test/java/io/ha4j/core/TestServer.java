package io.ha4j.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A tiny HTTP(S) server on 127.0.0.1 for health-check tests. Its {@link Mode} decides what each new
 * connection gets: an answer, nothing at all (hang), an immediate close. For TLS it records the SNI name
 * and the client certificate it saw.
 */
final class TestServer implements AutoCloseable {

    enum Mode {
        OK("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"),
        ERROR_500("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
        UNAVAILABLE_503("HTTP/1.0 503 Service Unavailable\r\n\r\n"),
        GARBAGE("SSH-2.0-OpenSSH_9.2\r\n\r\n"),
        HUGE_HEADERS("HTTP/1.1 200 OK\r\nX-Filler: " + "x".repeat(20_000) + "\r\n\r\n"),
        /** Accept, never read or write (for TLS: never handshake). */
        HANG(null),
        /** Accept and close at once. */
        CLOSE(null);

        final String response;

        Mode(String response) {
            this.response = response;
        }
    }

    private final ServerSocket server;
    private final SSLContext tls;
    private final ExecutorService pool;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile Mode mode = Mode.OK;
    volatile String lastRequest;
    volatile String lastSni;
    volatile X509Certificate lastClientCert;

    private TestServer(ServerSocket server, SSLContext tls) {
        this.server = server;
        this.tls = tls;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-server-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.execute(this::acceptLoop);
    }

    static TestServer plain() throws IOException {
        return new TestServer(bound(), null);
    }

    /** A TLS server with the key pair in {@code p12}, asking (not requiring) a client certificate. */
    static TestServer tls(Path p12) throws Exception {
        KeyStore ks = TestPki.load(p12);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, TestPki.PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), new TrustManager[] {new AcceptAnyClient()}, null);
        return new TestServer(bound(), ctx);
    }

    private static ServerSocket bound() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return s;
    }

    int port() {
        return server.getLocalPort();
    }

    void mode(Mode mode) {
        this.mode = mode;
    }

    int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                open.add(s);
                Mode m = mode;
                pool.execute(() -> serve(s, m));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket accepted, Mode m) {
        Socket s = accepted;
        try {
            if (m == Mode.CLOSE) {
                s.setSoLinger(true, 0);
                return;
            }
            if (m == Mode.HANG) {
                InputStream in = s.getInputStream();
                byte[] sink = new byte[1024];
                while (in.read(sink) >= 0) {
                    // swallow the request; block until the client or close() ends the connection
                }
                return;
            }
            s.setSoTimeout(10_000);
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, (InputStream) null, true);
                ssl.setUseClientMode(false);
                ssl.setWantClientAuth(true);
                ssl.startHandshake();
                s = ssl;
                ExtendedSSLSession session = (ExtendedSSLSession) ssl.getSession();
                List<SNIServerName> names = session.getRequestedServerNames();
                lastSni = names.isEmpty() ? null : ((SNIHostName) names.get(0)).getAsciiName();
                try {
                    lastClientCert = (X509Certificate) session.getPeerCertificates()[0];
                } catch (SSLPeerUnverifiedException none) {
                    lastClientCert = null;
                }
            }
            lastRequest = readHead(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(m.response.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the client went away or the handshake failed: what the test provokes
        } finally {
            open.remove(accepted);
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while (b.length() < 8192 && (c = in.read()) >= 0) {
            b.append((char) c);
            if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            try {
                s.close();
            } catch (SocketException ignored) {
                // closing
            }
        }
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class AcceptAnyClient implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
