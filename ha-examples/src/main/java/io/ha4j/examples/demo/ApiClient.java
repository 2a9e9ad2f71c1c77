package io.ha4j.examples.demo;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The smallest HTTPS/1.1 client the demo's client needs, on plain {@link SSLSocket}s: one new connection per
 * request (so that every request goes through the VIP and the balancer again, and a failover shows up in the
 * next request, not in a pooled connection), bounded waits, and a streaming reader for watches.
 *
 * <p>The server certificate is checked against the demo CA with host name verification on the address
 * dialled (the VIP is in the certificate, as kubeadm puts the control-plane endpoint in the apiserver's).
 */
final class ApiClient {

    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int MAX_BODY_BYTES = 1024 * 1024;

    private final SSLContext tls;

    ApiClient(SSLContext tls) {
        this.tls = tls;
    }

    /** A complete response. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }
    }

    /**
     * {@code GET path} on a new connection: at most {@code connectTimeout} to connect, then at most
     * {@code readTimeout} for each read of the handshake and the response.
     */
    Response get(InetSocketAddress target, String path, Duration connectTimeout, Duration readTimeout) throws IOException {
        try (SSLSocket socket = connect(target, connectTimeout, readTimeout)) {
            InputStream in = request(socket, target, path);
            Map<String, String> headers = new TreeMap<>();
            int status = readHead(in, headers);
            byte[] body;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = new ChunkedInputStream(in).readNBytes(MAX_BODY_BYTES);
            } else {
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                if (length > MAX_BODY_BYTES) {
                    throw new IOException("response body of " + length + " bytes is over the limit");
                }
                body = in.readNBytes(length);
            }
            return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
        }
    }

    /**
     * Opens a watch: sends {@code GET path}, reads the head, and returns the stream of event lines. A read
     * that waits longer than {@code idleTimeout} fails with {@link java.net.SocketTimeoutException}, the way
     * client-go gives up on a silent connection.
     */
    Watch watch(InetSocketAddress target, String path, Duration connectTimeout, Duration idleTimeout) throws IOException {
        SSLSocket socket = connect(target, connectTimeout, idleTimeout);
        try {
            InputStream in = request(socket, target, path);
            Map<String, String> headers = new TreeMap<>();
            int status = readHead(in, headers);
            if (status != 200) {
                throw new IOException("watch answered HTTP " + status);
            }
            InputStream body = "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? new ChunkedInputStream(in) : in;
            return new Watch(socket, body, headers.getOrDefault(StandInApiServer.SERVED_BY.toLowerCase(Locale.ROOT), "?"));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** An open watch stream. */
    static final class Watch implements AutoCloseable {
        private final Socket socket;
        private final InputStream body;
        private final String servedBy;

        private Watch(Socket socket, InputStream body, String servedBy) {
            this.socket = socket;
            this.body = body;
            this.servedBy = servedBy;
        }

        /** The node whose apiserver answered. */
        String servedBy() {
            return servedBy;
        }

        /** The next event line; {@link EOFException} when the server ended the stream. */
        String nextLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(512);
            while (true) {
                int b = body.read();
                if (b < 0) {
                    throw new EOFException("watch stream ended by the server");
                }
                if (b == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                if (line.size() >= MAX_BODY_BYTES) {
                    throw new IOException("watch event longer than " + MAX_BODY_BYTES + " bytes");
                }
                line.write(b);
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken connection; nothing left to release
            }
        }
    }

    private SSLSocket connect(InetSocketAddress target, Duration connectTimeout, Duration readTimeout) throws IOException {
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(target, (int) Math.max(1, connectTimeout.toMillis()));
            plain.setSoTimeout((int) Math.max(1, readTimeout.toMillis()));
            String host = target.getAddress().getHostAddress();
            SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, target.getPort(), true);
            SSLParameters params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(params);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private static InputStream request(SSLSocket socket, InetSocketAddress target, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + target.getAddress().getHostAddress() + ":" + target.getPort()
                + "\r\nUser-Agent: ha4j-demo-client\r\nAccept: application/json\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket.getInputStream();
    }

    /** Reads the status line and headers (names lower-cased); returns the status code. */
    private static int readHead(InputStream in, Map<String, String> headers) throws IOException {
        String statusLine = readLine(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: '" + statusLine + "'");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad status in '" + statusLine + "'");
        }
        int total = statusLine.length();
        while (true) {
            String line = readLine(in);
            total += line.length();
            if (total > MAX_HEADER_BYTES) {
                throw new IOException("response head longer than " + MAX_HEADER_BYTES + " bytes");
            }
            if (line.isEmpty()) {
                return status;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed before the end of the response head");
            }
            if (b == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            if (sb.length() > MAX_HEADER_BYTES) {
                throw new IOException("header line longer than " + MAX_HEADER_BYTES + " bytes");
            }
            sb.append((char) b);
        }
    }

    /** Decodes HTTP/1.1 chunked transfer coding; ends at the last (zero-length) chunk. */
    private static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (!nextChunk()) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a chunk");
            }
            left--;
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!nextChunk()) {
                return -1;
            }
            int n = in.read(buf, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("connection closed inside a chunk");
            }
            left -= n;
            return n;
        }

        private boolean nextChunk() throws IOException {
            if (done) {
                return false;
            }
            if (left > 0) {
                return true;
            }
            String size = readLine(in);
            if (size.isEmpty()) { // the CRLF that ends the previous chunk
                size = readLine(in);
            }
            int semicolon = size.indexOf(';');
            try {
                left = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size '" + size + "'");
            }
            if (left == 0) {
                done = true;
                return false;
            }
            return true;
        }
    }
}
