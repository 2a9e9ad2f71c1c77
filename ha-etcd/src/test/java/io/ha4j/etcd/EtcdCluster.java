package io.ha4j.etcd;

import io.ha4j.core.testkit.Await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real etcd members (Debian's {@code etcd-server}) on 127.0.0.1 ports, data in a temporary directory that
 * {@link #close()} removes; every process is signalled and killed by its own pid. Raft runs with a 50 ms heartbeat
 * and a 500 ms election timeout so that member failures resolve in about a second.
 */
final class EtcdCluster implements AutoCloseable {

    static final String ETCD = "/usr/bin/etcd";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300)).build();

    private final Path dir;
    private final List<Member> members = new ArrayList<>();

    final class Member {
        final String name;
        final int clientPort;
        final int peerPort;
        final Path dataDir;
        Process process;
        boolean stopped;
        boolean killed;

        Member(String name, int clientPort, int peerPort) {
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
            this.dataDir = dir.resolve(name);
        }

        String clientUrl() {
            return "http://127.0.0.1:" + clientPort;
        }

        String peerUrl() {
            return "http://127.0.0.1:" + peerPort;
        }

        void start(boolean initial) throws IOException {
            String initialCluster = members.stream().map(m -> m.name + "=" + m.peerUrl()).collect(Collectors.joining(","));
            List<String> cmd = List.of(ETCD, "--name", name, "--data-dir", dataDir.toString(),
                    "--listen-client-urls", clientUrl(), "--advertise-client-urls", clientUrl(),
                    "--listen-peer-urls", peerUrl(), "--initial-advertise-peer-urls", peerUrl(),
                    "--initial-cluster", initialCluster, "--initial-cluster-state", initial ? "new" : "existing",
                    "--initial-cluster-token", dir.getFileName().toString(),
                    "--heartbeat-interval", "50", "--election-timeout", "500",
                    "--logger", "zap", "--log-outputs", "stderr");
            killed = false;
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()))
                    .start();
            stopped = false;
        }

        long pid() {
            return process.pid();
        }

        boolean healthy() {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(clientUrl() + "/health"))
                        .timeout(Duration.ofMillis(500)).build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 && r.body().contains("\"true\"");
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** Whether this member is the Raft leader, from its own metrics (etcd_server_is_leader). */
        boolean isLeader() {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(clientUrl() + "/metrics"))
                        .timeout(Duration.ofMillis(500)).build(), HttpResponse.BodyHandlers.ofString());
                return r.body().lines().anyMatch(l -> l.equals("etcd_server_is_leader 1"));
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        void kill() throws InterruptedException {
            killed = true;
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }

        void signal(String signal) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IOException("kill -" + signal + " " + pid() + " failed");
            }
            stopped = "STOP".equals(signal);
        }

        @Override
        public String toString() {
            return name + "(pid " + (process == null ? "-" : pid()) + ", client " + clientPort + ")";
        }
    }

    private EtcdCluster(int size) throws IOException {
        if (!Files.isExecutable(Path.of(ETCD))) {
            throw new IllegalStateException(ETCD + " is missing: install Debian's etcd-server (scripts/test.sh does)");
        }
        dir = Files.createTempDirectory("ha4j-etcd-");
        for (int i = 0; i < size; i++) {
            members.add(new Member("m" + i, freePort(), freePort()));
        }
    }

    static EtcdCluster start(int size) throws Exception {
        EtcdCluster cluster = new EtcdCluster(size);
        try {
            for (Member m : cluster.members) {
                m.start(true);
            }
            cluster.awaitHealthy();
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    List<Member> members() {
        return members;
    }

    Member member(int i) {
        return members.get(i);
    }

    String[] clientUrls() {
        return members.stream().map(Member::clientUrl).toArray(String[]::new);
    }

    /** The Raft leader among the running members. */
    Member leader() {
        return Await.value(Duration.ofSeconds(10), "an etcd leader (logs in " + dir + ")",
                () -> members.stream().filter(m -> !m.stopped && m.process.isAlive() && m.isLeader()).findFirst(),
                Optional::isPresent).orElseThrow();
    }

    /** Waits until every running member answers /health with true. */
    void awaitHealthy() {
        Await.until(Duration.ofSeconds(20), "etcd healthy (logs in " + dir + ")", () -> {
            for (Member m : members) {
                if (!m.killed && !m.process.isAlive()) {
                    throw new AssertionError(m + " exited with " + m.process.exitValue() + "; log in " + dir);
                }
            }
            return members.stream().filter(m -> !m.killed && !m.stopped).allMatch(Member::healthy);
        });
    }

    /** Restarts a killed member on its data directory. */
    void restart(Member m) throws IOException {
        m.start(false);
    }

    /** Kills every member by its pid (a stopped one is killed too: SIGKILL needs no SIGCONT) and removes the data. */
    @Override
    public void close() throws IOException {
        for (Member m : members) {
            if (m.process != null && m.process.isAlive()) {
                m.killed = true;
                m.process.destroyForcibly();
            }
        }
        for (Member m : members) {
            if (m.process != null) {
                try {
                    m.process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
