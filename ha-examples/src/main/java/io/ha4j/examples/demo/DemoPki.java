package io.ha4j.examples.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The demo's certificate: one self-signed serving certificate shared by the three stand-in apiservers, as
 * kubeadm gives every apiserver a certificate naming the node addresses and the control-plane endpoint
 * (the VIP). It is its own CA: clients and the balancers' {@code /readyz} checks trust exactly it
 * ({@code ca.crt}), with host name verification on, instead of turning verification off.
 *
 * <p>Made once per run with the JDK's {@code keytool} (the JDK has no public API to issue a certificate),
 * in the run's directory, and read by every node and client process from there.
 */
final class DemoPki {

    static final String KEYSTORE = "apiserver.p12";
    static final String CA_PEM = "ca.crt";
    private static final String ALIAS = "kube-apiserver";
    private static final char[] PASSWORD = "ha4j-demo".toCharArray();

    private final Path keystore;
    private final Path caPem;

    private DemoPki(Path dir) {
        this.keystore = dir.resolve(KEYSTORE);
        this.caPem = dir.resolve(CA_PEM);
    }

    /**
     * Generates the key pair and certificate in {@code dir}, valid for {@code addresses} (IP literals) and
     * the names a kube-apiserver certificate carries.
     */
    static DemoPki create(Path dir, List<String> addresses) throws IOException, InterruptedException, GeneralSecurityException {
        DemoPki pki = new DemoPki(dir);
        StringBuilder san = new StringBuilder("SAN=dns:localhost,dns:kubernetes,dns:kubernetes.default");
        for (String a : addresses) {
            san.append(",ip:").append(a);
        }
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-alias", ALIAS,
                "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=kube-apiserver", "-ext", san.toString(),
                "-storetype", "PKCS12", "-keystore", pki.keystore.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
        Commands.run(command, 60);
        Certificate cert = pki.load().getCertificate(ALIAS);
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        Files.writeString(pki.caPem, pem, StandardCharsets.US_ASCII);
        return pki;
    }

    /** The certificate made by {@link #create} in {@code dir}. */
    static DemoPki in(Path dir) throws IOException {
        DemoPki pki = new DemoPki(dir);
        if (!Files.isReadable(pki.keystore)) {
            throw new IOException("no demo keystore at " + pki.keystore);
        }
        return pki;
    }

    /** The CA certificate (PEM) that clients and health checks trust. */
    Path caPem() {
        return caPem;
    }

    /** TLS for a stand-in apiserver. */
    SSLContext serverContext() throws IOException, GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(), PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** TLS for a client that trusts the demo certificate and nothing else. */
    SSLContext clientContext() throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(ALIAS, load().getCertificate(ALIAS));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private KeyStore load() throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }
}
