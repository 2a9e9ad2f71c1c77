package io.ha4j.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client load of {@code benchmarks/soak.sh}: {@code --workers} threads, each opening one connection after
 * another to {@code --target} until {@code --duration-s} has passed. A connection reads the backend's greeting
 * line (the node that served it), then sends between {@code --min-bytes} and {@code --max-bytes} of a pattern
 * that depends on the connection's number and the byte's position, in 16 KiB blocks, reads each block back from
 * the echo backend and checks it byte by byte. Each connection ends as one line:
 *
 * <pre>
 * CONN &lt;n&gt; &lt;node|?&gt; &lt;start-ms&gt; &lt;end-ms&gt; OK|REFUSED|CUT|CORRUPT &lt;bytes-sent&gt; &lt;bytes-verified&gt; &lt;detail&gt;
 * CONNFAIL &lt;n&gt; &lt;start-ms&gt; &lt;end-ms&gt; &lt;detail&gt;
 * </pre>
 *
 * {@code REFUSED} is a connection the balancer closed before the greeting, when no byte was at stake (its backend is
 * down). {@code CUT} is a connection that ended before all its bytes came back (reset, early end, 5 s without data);
 * the harness decides whether a fault explains it. {@code CORRUPT} is a byte that came back different. While
 * the {@code --pause-file} exists no new connection starts (the harness samples descriptors without load).
 * Every loop is bounded by the deadline; the sizes come from {@code --seed}.
 *
 * <pre>
 * ip netns exec NS java -cp benchmarks/target/benchmarks.jar io.ha4j.benchmarks.SoakClientMain \
 *     --target 198.18.0.10:7443 --workers 4 --duration-s 60 --seed 42 --pause-file /tmp/pause
 * </pre>
 */
public final class SoakClientMain {

    private static final int BLOCK = 16 * 1024;
    private static final int READ_TIMEOUT_MS = 5000;
    private static final int CONNECT_TIMEOUT_MS = 2000;

    private SoakClientMain() {
    }

    /** Parsed command line. */
    static final class Options {
        InetSocketAddress target;
        int workers = 4;
        long durationSeconds = 60;
        long seed = 1;
        int minBytes = 16 * 1024;
        int maxBytes = 1024 * 1024;
        long blockPauseMillis = 2;
        Path pauseFile;

        static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--target": o.target = BalancerMain.Options.address(v); break;
                    case "--workers": o.workers = inRange(a, Integer.parseInt(v), 1, 256); break;
                    case "--duration-s": o.durationSeconds = inRange(a, Integer.parseInt(v), 1, 86_400); break;
                    case "--seed": o.seed = Long.parseLong(v); break;
                    case "--min-bytes": o.minBytes = inRange(a, Integer.parseInt(v), 1, 1 << 30); break;
                    case "--max-bytes": o.maxBytes = inRange(a, Integer.parseInt(v), 1, 1 << 30); break;
                    case "--block-pause-ms": o.blockPauseMillis = inRange(a, Integer.parseInt(v), 0, 1000); break;
                    case "--pause-file": o.pauseFile = Path.of(v); break;
                    default:
                        throw new IllegalArgumentException("unknown option " + a + " (known: --target --workers --duration-s"
                                + " --seed --min-bytes --max-bytes --block-pause-ms --pause-file)");
                }
            }
            if (o.target == null) {
                throw new IllegalArgumentException("--target host:port is required, e.g. --target 198.18.0.10:7443");
            }
            if (o.minBytes > o.maxBytes) {
                throw new IllegalArgumentException("--min-bytes (" + o.minBytes + ") must not exceed --max-bytes (" + o.maxBytes + ")");
            }
            return o;
        }

        private static int inRange(String option, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(option + " must be in [" + min + ", " + max + "], was " + value);
            }
            return value;
        }
    }

    /** The byte at {@code position} of connection {@code n}'s stream: not periodic within a block or across connections. */
    static byte pattern(long n, long position) {
        long x = position * 0x9E3779B97F4A7C15L + n * 0xC2B2AE3D27D4EB4FL;
        x ^= x >>> 29;
        return (byte) (x ^ (x >>> 17));
    }

    public static void main(String[] args) throws InterruptedException {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("SoakClientMain: " + e.getMessage());
            System.exit(2);
            return;
        }
        long deadline = Instant.now().toEpochMilli() + o.durationSeconds * 1000;
        AtomicLong connections = new AtomicLong();
        PrintStream out = System.out;
        Thread[] workers = new Thread[o.workers];
        for (int w = 0; w < o.workers; w++) {
            SplittableRandom random = new SplittableRandom(o.seed * 1_000_003L + w);
            workers[w] = new Thread(() -> work(o, deadline, connections, random, out), "soak-client-" + w);
            workers[w].start();
        }
        for (Thread t : workers) {
            t.join();
        }
        out.println("DONE " + Instant.now().toEpochMilli() + " connections " + connections.get());
        out.flush();
    }

    private static void work(Options o, long deadline, AtomicLong connections, SplittableRandom random, PrintStream out) {
        byte[] sent = new byte[BLOCK];
        byte[] received = new byte[BLOCK];
        while (Instant.now().toEpochMilli() < deadline) {
            if (o.pauseFile != null && Files.exists(o.pauseFile)) {
                sleep(50);
                continue;
            }
            long n = connections.incrementAndGet();
            int total = o.minBytes + random.nextInt(o.maxBytes - o.minBytes + 1);
            String line = oneConnection(o, n, total, sent, received);
            synchronized (out) {
                out.println(line);
                out.flush();
            }
            if (line.startsWith("CONNFAIL") || line.contains(" REFUSED ")) {
                sleep(100);
            }
        }
    }

    private static String oneConnection(Options o, long n, int total, byte[] sent, byte[] received) {
        long start = Instant.now().toEpochMilli();
        String node = "?";
        long written = 0;
        long verified = 0;
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            try {
                socket.connect(o.target, CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                return "CONNFAIL " + n + " " + start + " " + Instant.now().toEpochMilli() + " " + describe(e);
            }
            InputStream in = socket.getInputStream();
            OutputStream os = socket.getOutputStream();
            try {
                node = readGreeting(in);
            } catch (IOException e) {
                return conn(n, node, start, "REFUSED", 0, 0, describe(e));
            }
            try {
                while (verified < total) {
                    int len = (int) Math.min(BLOCK, total - verified);
                    for (int i = 0; i < len; i++) {
                        sent[i] = pattern(n, verified + i);
                    }
                    os.write(sent, 0, len);
                    written += len;
                    int got = 0;
                    while (got < len) {
                        int r = in.read(received, got, len - got);
                        if (r < 0) {
                            throw new IOException("end of stream");
                        }
                        got += r;
                    }
                    for (int i = 0; i < len; i++) {
                        if (received[i] != sent[i]) {
                            return conn(n, node, start, "CORRUPT", written, verified + i, "byte " + (verified + i)
                                    + " was " + (received[i] & 0xff) + " not " + (sent[i] & 0xff));
                        }
                    }
                    verified += len;
                    if (o.blockPauseMillis > 0) {
                        sleep(o.blockPauseMillis);
                    }
                }
                socket.shutdownOutput();
                int r = in.read();
                if (r >= 0) {
                    return conn(n, node, start, "CORRUPT", written, verified, "byte after the echo of everything sent");
                }
                return conn(n, node, start, "OK", written, verified, "-");
            } catch (IOException e) {
                return conn(n, node, start, "CUT", written, verified, describe(e));
            }
        } catch (IOException e) {
            return conn(n, node, start, "CUT", written, verified, "close: " + describe(e));
        }
    }

    private static String readGreeting(InputStream in) throws IOException {
        StringBuilder id = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("end of stream before the greeting");
            }
            if (c == '\n') {
                return id.toString();
            }
            if (id.length() >= 16) {
                throw new IOException("greeting longer than 16 bytes");
            }
            id.append((char) c);
        }
    }

    private static String conn(long n, String node, long start, String outcome, long written, long verified, String detail) {
        return "CONN " + n + " " + node + " " + start + " " + Instant.now().toEpochMilli() + " " + outcome + " " + written
                + " " + verified + " " + detail;
    }

    private static String describe(IOException e) {
        String kind = e instanceof SocketTimeoutException ? "timeout" : e.getClass().getSimpleName();
        return (kind + ":" + e.getMessage()).replace(' ', '_');
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
