package io.ha4j.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed key pairs made once per test JVM with the JDK's own {@code keytool}, plus PEM exports:
 * a server certificate, an unrelated "other" server certificate, and a client certificate (RSA, so that
 * its key can also be written as PKCS#1).
 */
final class TestPki {

    static final char[] PASSWORD = "changeit".toCharArray();

    final Path dir;
    final Path serverP12;
    final Path serverCertPem;
    final Path otherP12;
    final Path otherCertPem;
    final Path clientP12;
    final Path clientCertPem;
    final Path clientKeyPkcs8Pem;
    final Path clientKeyPkcs1Pem;
    final X509Certificate clientCert;

    private static TestPki instance;

    static synchronized TestPki get() {
        if (instance == null) {
            try {
                instance = new TestPki();
            } catch (Exception e) {
                throw new IllegalStateException("cannot generate test certificates with keytool: " + e, e);
            }
        }
        return instance;
    }

    private TestPki() throws Exception {
        dir = Files.createTempDirectory("ha4j-pki-");
        dir.toFile().deleteOnExit();
        serverP12 = genKeyPair("server", "EC", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        otherP12 = genKeyPair("other", "EC", "CN=other.example", "SAN=dns:other.example");
        clientP12 = genKeyPair("client", "RSA", "CN=ha4j-check-client", null);
        serverCertPem = writeCertPem(serverP12, "server");
        otherCertPem = writeCertPem(otherP12, "other");
        clientCertPem = writeCertPem(clientP12, "client");
        KeyStore client = load(clientP12);
        clientCert = (X509Certificate) client.getCertificate("client");
        PrivateKey key = (PrivateKey) client.getKey("client", PASSWORD);
        clientKeyPkcs8Pem = write("client-key.pem", pem("PRIVATE KEY", key.getEncoded()));
        clientKeyPkcs1Pem = write("client-key-rsa.pem", pem("RSA PRIVATE KEY", unwrapPkcs8(key.getEncoded())));
    }

    static KeyStore load(Path p12) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    private Path genKeyPair(String alias, String alg, String dname, String san) throws Exception {
        Path out = dir.resolve(alias + ".p12");
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", alias, "-keyalg", alg, "-dname", dname, "-validity", "2",
                "-keystore", out.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
        if (alg.equals("EC")) {
            cmd.addAll(List.of("-groupname", "secp256r1"));
        } else {
            cmd.addAll(List.of("-keysize", "2048"));
        }
        if (san != null) {
            cmd.addAll(List.of("-ext", san));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
        }
        return out;
    }

    private Path writeCertPem(Path p12, String alias) throws Exception {
        Certificate cert = load(p12).getCertificate(alias);
        return write(alias + ".crt", pem("CERTIFICATE", cert.getEncoded()));
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.US_ASCII);
        p.toFile().deleteOnExit();
        return p;
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The PKCS#1 key inside a PKCS#8 PrivateKeyInfo: the content of its OCTET STRING (the third element). */
    static byte[] unwrapPkcs8(byte[] der) {
        int[] pos = {0};
        readHeader(der, pos, 0x30);
        skip(der, pos); // version
        skip(der, pos); // algorithm
        int len = readHeader(der, pos, 0x04);
        return Arrays.copyOfRange(der, pos[0], pos[0] + len);
    }

    private static int readHeader(byte[] der, int[] pos, int tag) {
        if ((der[pos[0]++] & 0xff) != tag) {
            throw new IllegalArgumentException("unexpected DER tag");
        }
        int len = der[pos[0]++] & 0xff;
        if (len >= 0x80) {
            int n = len & 0x7f;
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (der[pos[0]++] & 0xff);
            }
        }
        return len;
    }

    private static void skip(byte[] der, int[] pos) {
        int tag = der[pos[0]] & 0xff;
        int len = readHeader(der, pos, tag);
        pos[0] += len;
    }

}
