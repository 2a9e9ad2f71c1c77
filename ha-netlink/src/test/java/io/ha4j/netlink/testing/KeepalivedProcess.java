package io.ha4j.netlink.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Debian's {@code keepalived} running in the foreground inside a network namespace, for interop tests:
 *
 * <pre>{@code
 * try (KeepalivedProcess k = KeepalivedProcess.start(node.namespace(), config)) {
 *     k.awaitLog(line -> line.contains("Entering MASTER STATE"), Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>The configuration is written to a temp directory together with the pid files, and keepalived runs as
 * {@code ip netns exec NS keepalived -n -l -D -G -P -f CONF -p PID -r VRRP_PID} (keepalived 2.2: no fork, log
 * to the console and not to syslog, detailed log, VRRP only). Every output line is captured; {@link #close()}
 * sends SIGTERM (keepalived then removes its VIPs and sends priority 0), kills after 5 s, and deletes the temp
 * directory; {@link #crash()} kills it without a chance to do anything. Needs root and the {@code keepalived}
 * package ({@code apt-get install -y keepalived}).
 */
public final class KeepalivedProcess implements AutoCloseable {

    private final Process process;
    private final Path directory;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private final Thread shutdownHook;

    private KeepalivedProcess(Process process, Path directory) {
        this.process = process;
        this.directory = directory;
        this.shutdownHook = new Thread(this::kill, "keepalived-cleanup-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        this.reader = new Thread(this::readOutput, "keepalived-log-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Writes {@code config} (keepalived.conf syntax) and starts keepalived in {@code namespace}.
     *
     * @throws IllegalStateException when keepalived is not installed or does not start
     */
    public static KeepalivedProcess start(String namespace, String config) throws IOException {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(config, "config");
        if (!Commands.installed("keepalived")) {
            throw new IllegalStateException("this test needs keepalived (apt-get install -y keepalived)");
        }
        Path dir = Files.createTempDirectory("ha4j-keepalived");
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, config, StandardCharsets.UTF_8);
        List<String> command = TestNetwork.withNamespace(namespace, "keepalived", "-n", "-l", "-D", "-G", "-P",
                "-f", conf.toString(), "-p", dir.resolve("keepalived.pid").toString(),
                "-r", dir.resolve("vrrp.pid").toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // keepalived writes its JSON and stats dumps to $TMPDIR (default /tmp, shared by every keepalived on the
        // machine): each process gets its own directory
        builder.environment().put("TMPDIR", dir.toString());
        Process process = builder.start();
        return new KeepalivedProcess(process, dir);
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // the process ended; what was read is kept
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    /** Every line keepalived printed so far. */
    public List<String> log() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /**
     * Waits at most {@code timeout} for a log line matching {@code condition} (lines already printed count)
     * and returns it.
     *
     * @throws IllegalStateException on timeout or when keepalived exits first, with the log so far
     */
    public String awaitLog(Predicate<String> condition, Duration timeout) throws InterruptedException {
        long deadline = io.ha4j.core.Clock.system().nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (condition.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - io.ha4j.core.Clock.system().nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    throw new IllegalStateException("keepalived " + (process.isAlive() ? "did not log the expected line within "
                            + timeout : "exited with " + process.exitValue()) + "; its log:\n" + String.join("\n", lines));
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Waits for a line containing {@code text}. */
    public String awaitLog(String text, Duration timeout) throws InterruptedException {
        return awaitLog(line -> line.contains(text), timeout);
    }

    /**
     * keepalived's own view of one VRRP instance, from its JSON dump ({@code keepalived --signum=JSON}, signal 36
     * in Debian's 2.2.7, which is built with {@code --enable-json}).
     *
     * @param state            keepalived's state number: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT
     * @param advertReceived   adverts that passed keepalived's type, version, length, TTL and checksum checks
     * @param packetErrors     the error counters of the dump by name (length, TTL, type, interval, address list,
     *                         authentication); all zero when keepalived refused nothing it counts
     */
    public record InstanceStats(String name, int state, int effectivePriority, int masterPriority, double preemptDelay,
            long advertReceived, long advertSent, long becameMaster, long releasedMaster, long priorityZeroReceived,
            long priorityZeroSent, java.util.Map<String, Long> packetErrors) {

        public static final int BACKUP = 1;
        public static final int MASTER = 2;
        public static final int FAULT = 3;

        /** The error counters that are not zero (empty when keepalived refused nothing). */
        public java.util.Map<String, Long> nonZeroErrors() {
            java.util.Map<String, Long> bad = new java.util.TreeMap<>();
            packetErrors.forEach((k, v) -> {
                if (v != 0) {
                    bad.put(k, v);
                }
            });
            return bad;
        }
    }

    private static final List<String> ERROR_COUNTERS = List.of("packet_len_err", "advert_interval_err", "ip_ttl_err",
            "invalid_type_rcvd", "addr_list_err", "invalid_authtype", "authtype_mismatch", "auth_failure");
    private static final int SIGJSON = 36;

    /**
     * Asks keepalived for its JSON dump and returns the stats of every VRRP instance in it, by name. Waits at most
     * 5 s for the file.
     *
     * @throws IllegalStateException when keepalived is not running or writes no dump
     */
    public java.util.Map<String, InstanceStats> stats() throws IOException, InterruptedException {
        Path json = directory.resolve("keepalived.json");
        Files.deleteIfExists(json);
        long pid = Long.parseLong(Files.readString(directory.resolve("keepalived.pid")).trim());
        CommandResult r = Commands.run(List.of("kill", "-" + SIGJSON, Long.toString(pid)));
        if (!r.succeeded()) {
            throw new IllegalStateException("cannot signal keepalived " + pid + ": " + r);
        }
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        List<java.util.Map<String, InstanceStats>> dump = new ArrayList<>(1);
        boolean written = io.ha4j.core.testkit.Await.holdsWithin(Duration.ofSeconds(5), () -> {
            try {
                com.fasterxml.jackson.databind.JsonNode root = Files.exists(json) ? mapper.readTree(json.toFile()) : null;
                if (root != null && root.isArray()) {
                    dump.add(parse(root));
                    return true;
                }
            } catch (IOException stillBeingWritten) {
                // keepalived writes the file in pieces: read again
            }
            return false;
        });
        if (!written) {
            throw new IllegalStateException("keepalived wrote no JSON dump within 5 s; its log:\n" + String.join("\n", log()));
        }
        return dump.get(0);
    }

    private static java.util.Map<String, InstanceStats> parse(com.fasterxml.jackson.databind.JsonNode root) {
        java.util.Map<String, InstanceStats> result = new java.util.LinkedHashMap<>();
        for (com.fasterxml.jackson.databind.JsonNode instance : root) {
            com.fasterxml.jackson.databind.JsonNode data = instance.required("data");
            com.fasterxml.jackson.databind.JsonNode stats = instance.required("stats");
            java.util.Map<String, Long> errors = new java.util.LinkedHashMap<>();
            for (String counter : ERROR_COUNTERS) {
                errors.put(counter, stats.required(counter).asLong());
            }
            String name = data.required("iname").asText();
            result.put(name, new InstanceStats(name, data.required("state").asInt(),
                    data.required("effective_priority").asInt(), data.required("master_priority").asInt(),
                    data.required("preempt_delay").asDouble(), stats.required("advert_rcvd").asLong(),
                    stats.required("advert_sent").asLong(), stats.required("become_master").asLong(),
                    stats.required("release_master").asLong(), stats.required("pri_zero_rcvd").asLong(),
                    stats.required("pri_zero_sent").asLong(), java.util.Map.copyOf(errors)));
        }
        return result;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Crashes keepalived as a power loss would: SIGSTOP to its main process, then to every process it started (its
     * VRRP child among them), then SIGKILL to all of them, and waits (at most 10 s) until they are gone. Nothing
     * keepalived does on the way out reaches the LAN, so its VIPs stay where they were and no priority-0 advert is
     * sent.
     *
     * <p>A plain SIGKILL of the main process is not a crash: keepalived gives its VRRP child a parent-death signal
     * of SIGTERM, so the child shuts down gracefully (priority 0, VIPs removed); and killing only the child makes the
     * parent start a new one. Stopping them all first leaves none of them able to react. {@link #close()} afterwards
     * still deletes the temp directory.
     *
     * @throws IllegalStateException when keepalived is not running, or does not die within 10 s
     */
    public void crash() throws InterruptedException {
        if (!process.isAlive()) {
            throw new IllegalStateException("keepalived is not running (exit " + process.exitValue() + ")");
        }
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        stop(process.toHandle());
        // listed once the main process is stopped, so it cannot start another child after the listing
        process.descendants().forEach(h -> {
            stop(h);
            all.add(h);
        });
        all.forEach(ProcessHandle::destroyForcibly);
        long deadline = io.ha4j.core.Clock.system().nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : all) {
            long left = deadline - io.ha4j.core.Clock.system().nanoTime();
            try {
                h.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("keepalived process " + h.pid() + " did not die after SIGKILL", e);
            }
        }
    }

    private static void stop(ProcessHandle h) {
        // Java has no SIGSTOP; kill(1) sends it. A process that already exited cannot react anyway.
        CommandResult r = Commands.run(List.of("kill", "-STOP", Long.toString(h.pid())));
        if (!r.succeeded() && h.isAlive()) {
            throw new IllegalStateException("kill -STOP " + h.pid() + " failed: " + r);
        }
    }

    /**
     * SIGTERM, SIGKILL after 5 s, then deletes the temp directory. Idempotent. A JVM shutdown hook does the
     * same for a process a test forgot to close.
     */
    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files left behind are harmless
        }
    }
}
