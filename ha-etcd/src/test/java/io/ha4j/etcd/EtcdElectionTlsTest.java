package io.ha4j.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ha4j.core.Leadership;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS with client certificates, as the control planes' etcd runs it ({@code --client-cert-auth}): a CA, a server
 * and a client certificate made with {@code openssl} in a temporary directory, one etcd member on 127.0.0.1
 * serving only https, killed by its pid.
 */
@Tag("privileged")
@Timeout(60)
class EtcdElectionTlsTest {

    private Path dir;
    private Process etcd;
    private String url;

    private void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " failed: " + Files.readString(dir.resolve("openssl.log")));
        }
    }

    private void certificate(String name, String subject, String extension) throws Exception {
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", subject);
        Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
        run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "1", "-extfile", name + ".ext");
    }

    @BeforeEach
    void startEtcdWithClientCertAuth() throws Exception {
        if (!Files.isExecutable(Path.of(EtcdCluster.ETCD))) {
            fail(EtcdCluster.ETCD + " is missing: install Debian's etcd-server (scripts/test.sh does)");
        }
        dir = Files.createTempDirectory("ha4j-etcd-tls-");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "1", "-subj", "/CN=ha4j-test-ca");
        certificate("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth");
        certificate("client", "/CN=ha4j", "extendedKeyUsage=clientAuth");
        int client;
        int peer;
        try (ServerSocket s1 = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket s2 = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            client = s1.getLocalPort();
            peer = s2.getLocalPort();
        }
        url = "https://127.0.0.1:" + client;
        etcd = new ProcessBuilder(EtcdCluster.ETCD, "--name", "m0", "--data-dir", dir.resolve("m0").toString(),
                "--listen-client-urls", url, "--advertise-client-urls", url,
                "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-cluster", "m0=http://127.0.0.1:" + peer,
                "--cert-file", dir.resolve("server.crt").toString(), "--key-file", dir.resolve("server.key").toString(),
                "--trusted-ca-file", dir.resolve("ca.crt").toString(), "--client-cert-auth",
                "--logger", "zap", "--log-outputs", "stderr")
                .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
    }

    @AfterEach
    void stopEtcd() throws Exception {
        if (etcd != null) {
            etcd.destroyForcibly();
            etcd.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }

    private EtcdElection.Builder election(String id) {
        return EtcdElection.builder("tls").candidateId(id).ttl(Duration.ofSeconds(2)).keyPrefix("/test/tls/")
                .endpoints(url).trustedCertificates(dir.resolve("ca.crt"));
    }

    @Test
    void withTheClientCertificateItLeadsAndWithoutItNever() throws Exception {
        try (EtcdElection anonymous = election("anonymous").build();
             EtcdElection member = election("member")
                     .clientCertificate(dir.resolve("client.crt"), dir.resolve("client.key")).build()) {
            anonymous.start();
            member.start();
            Optional<Leadership> term = member.awaitLeadership(Duration.ofSeconds(30));
            assertTrue(term.isPresent(), "the client with a certificate signed by the CA leads; etcd log in " + dir);
            assertEquals(Optional.empty(), anonymous.awaitLeadership(Duration.ofSeconds(3)),
                    "etcd refuses a client without a certificate");
            assertEquals(Optional.empty(), anonymous.currentLeader(), "it cannot even read the election");
            List<String> log = Files.readAllLines(dir.resolve("etcd.log"));
            assertTrue(log.stream().anyMatch(l -> l.contains("rejected connection") || l.contains("bad certificate")
                    || l.contains("certificate")), "etcd logged the refused handshake");
        }
    }
}
