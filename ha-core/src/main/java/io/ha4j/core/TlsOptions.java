package io.ha4j.core;

import io.ha4j.core.internal.Validation;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a health check talks TLS to its target: whom to trust, which server name to send (SNI), and an
 * optional client certificate. Immutable; build with {@link #trustAll()}, {@link #trustCaFile(Path)} or
 * {@link #builder()}.
 *
 * <p><b>Trust.</b> Exactly one of:
 * <ul>
 *   <li>{@link Builder#caFile(Path)}: the server's chain must lead to one of the CA certificates in that PEM
 *       file (HAProxy {@code verify required ca-file <file>}). The certificate's names are not compared with
 *       the host unless {@link Builder#verifyHost(String)} is set, as HAProxy without {@code verifyhost}:
 *       kube-apiservers are usually checked by IP address, and trusting only the cluster CA is what makes the
 *       check meaningful.</li>
 *   <li>{@link Builder#trustAll()}: any certificate is accepted (HAProxy {@code verify none}, what the
 *       kubeadm and OpenShift snippets use). The check then proves that something speaks TLS and answers
 *       HTTP, not who it is; fine for a health probe, never for carrying data.</li>
 * </ul>
 *
 * <p><b>SNI.</b> By default the check's host is sent as server name when it is a DNS name (never for an IP
 * literal, which SNI does not allow); {@link Builder#serverName(String)} overrides it (HAProxy {@code sni}).
 *
 * <p><b>Client certificate</b> (HAProxy {@code crt}): a PEM certificate chain plus a PEM private key
 * (PKCS#8 {@code BEGIN PRIVATE KEY}, or PKCS#1 {@code BEGIN RSA PRIVATE KEY} as kubeadm writes them), or a
 * PKCS#12 key store. Use one when the apiserver runs with anonymous authentication disabled, where
 * {@code /readyz} answers 401 to anonymous checks.
 *
 * <p>Files are read when the options are built (so a bad file is a configuration error at once) and read
 * again when their modification time changes, so rotated certificates are picked up without a restart.
 */
public final class TlsOptions {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private final boolean trustAll;
    private final Path caFile;
    private final String serverName;
    private final String verifyHost;
    private final Path clientCertFile;
    private final Path clientKeyFile;
    private final Path keyStoreFile;
    private final char[] keyStorePassword;
    private final Object contextLock = new Object();
    private SSLContext context;
    private List<Long> contextStamp;

    private TlsOptions(Builder b) {
        this.trustAll = b.trustAll;
        this.caFile = b.caFile;
        this.serverName = b.serverName;
        this.verifyHost = b.verifyHost;
        this.clientCertFile = b.clientCertFile;
        this.clientKeyFile = b.clientKeyFile;
        this.keyStoreFile = b.keyStoreFile;
        this.keyStorePassword = b.keyStorePassword;
    }

    /** Accepts any server certificate: HAProxy's {@code verify none}. */
    public static TlsOptions trustAll() {
        return builder().trustAll().build();
    }

    /** Trusts the CA certificates in the PEM file {@code caFile}: HAProxy's {@code verify required ca-file}. */
    public static TlsOptions trustCaFile(Path caFile) {
        return builder().caFile(caFile).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether every server certificate is accepted. */
    public boolean isTrustAll() {
        return trustAll;
    }

    /** The CA file, unless {@link #isTrustAll()}. */
    public Optional<Path> caFile() {
        return Optional.ofNullable(caFile);
    }

    /** The configured SNI name, if one was set explicitly. */
    public Optional<String> serverName() {
        return Optional.ofNullable(serverName);
    }

    /** The name or address the server certificate must match, if one was set (HAProxy {@code verifyhost}). */
    public Optional<String> verifyHost() {
        return Optional.ofNullable(verifyHost);
    }

    /**
     * Checks that {@code certificate} names {@link #verifyHost()} (if set): an IP address must be one of its
     * IP subject alternative names; a host name must match one of its DNS names, with a {@code *} only as the
     * whole left-most label, or its common name if it has no DNS names.
     *
     * @throws SSLPeerUnverifiedException if it does not
     */
    public void checkHost(X509Certificate certificate) throws SSLPeerUnverifiedException {
        if (verifyHost == null) {
            return;
        }
        if (!certificateNames(certificate, verifyHost)) {
            throw new SSLPeerUnverifiedException("server certificate does not match verifyHost '" + verifyHost + "'");
        }
    }

    private static boolean certificateNames(X509Certificate cert, String host) {
        boolean ip = isIpLiteral(host);
        boolean anyDns = false;
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                String value = String.valueOf(san.get(1));
                if (type == 7 && ip && sameAddress(value, host)) {
                    return true;
                }
                if (type == 2) {
                    anyDns = true;
                    if (!ip && dnsMatches(value, host)) {
                        return true;
                    }
                }
            }
        }
        if (ip || anyDns) {
            return false;
        }
        Matcher cn = Pattern.compile("(?:^|,)\\s*CN=([^,]+)").matcher(cert.getSubjectX500Principal().getName());
        return cn.find() && dnsMatches(cn.group(1).trim(), host);
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return VirtualAddress.parseLiteral(a).equals(VirtualAddress.parseLiteral(b));
        } catch (IllegalArgumentException notLiterals) {
            return false;
        }
    }

    /** RFC 6125 matching: case-insensitive, a {@code *} only as the whole left-most label, covering one label. */
    static boolean dnsMatches(String pattern, String host) {
        String p = stripDot(pattern.toLowerCase(java.util.Locale.ROOT));
        String h = stripDot(host.toLowerCase(java.util.Locale.ROOT));
        if (!p.startsWith("*.")) {
            return p.equals(h);
        }
        String suffix = p.substring(1); // ".example.com"
        int firstDot = h.indexOf('.');
        return firstDot > 0 && h.substring(firstDot).equals(suffix) && suffix.indexOf('.', 1) > 0;
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** Whether a client certificate is presented. */
    public boolean hasClientCertificate() {
        return clientCertFile != null || keyStoreFile != null;
    }

    /**
     * The server name to send for a connection to {@code host}: the configured one, else {@code host} if it
     * is a DNS name, else none.
     */
    public Optional<String> serverNameFor(String host) {
        if (serverName != null) {
            return Optional.of(serverName);
        }
        if (host == null || isIpLiteral(host)) {
            return Optional.empty();
        }
        try {
            new SNIHostName(host);
            return Optional.of(host);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The SSL context for these options, re-read when a file changed since the last call.
     *
     * @throws GeneralSecurityException if a file cannot be read or parsed
     */
    public SSLContext sslContext() throws GeneralSecurityException {
        List<Long> stamp = fileStamp();
        synchronized (contextLock) {
            if (context == null || !stamp.equals(contextStamp)) {
                context = newContext();
                contextStamp = stamp;
            }
            return context;
        }
    }

    private List<Long> fileStamp() {
        List<Long> stamp = new ArrayList<>(4);
        for (Path p : Arrays.asList(caFile, clientCertFile, clientKeyFile, keyStoreFile)) {
            long modified = -1L;
            if (p != null) {
                try {
                    modified = Files.getLastModifiedTime(p).toMillis();
                } catch (IOException e) {
                    modified = -2L; // missing now; newContext() reports the real error
                }
            }
            stamp.add(modified);
        }
        return stamp;
    }

    private SSLContext newContext() throws GeneralSecurityException {
        TrustManager[] trust = trustAll ? new TrustManager[] {TrustAllManager.INSTANCE} : caTrustManagers(caFile);
        KeyManager[] keys = null;
        if (clientCertFile != null) {
            keys = pemKeyManagers(clientCertFile, clientKeyFile);
        } else if (keyStoreFile != null) {
            keys = keyStoreManagers(keyStoreFile, keyStorePassword);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys, trust, new SecureRandom());
        return ctx;
    }

    private static TrustManager[] caTrustManagers(Path caFile) throws GeneralSecurityException {
        List<X509Certificate> cas = readCertificates("caFile", caFile);
        KeyStore store = emptyKeyStore();
        for (int i = 0; i < cas.size(); i++) {
            store.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf.getTrustManagers();
    }

    private static KeyManager[] pemKeyManagers(Path certFile, Path keyFile) throws GeneralSecurityException {
        List<X509Certificate> chain = readCertificates("clientCertificate", certFile);
        PrivateKey key = readPrivateKey(keyFile);
        KeyStore store = emptyKeyStore();
        char[] password = new char[0];
        store.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, password);
        return kmf.getKeyManagers();
    }

    private static KeyManager[] keyStoreManagers(Path file, char[] password) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        } catch (IOException e) {
            throw new GeneralSecurityException("clientKeyStore " + file + " cannot be read: " + e.getMessage(), e);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, password);
        return kmf.getKeyManagers();
    }

    private static KeyStore emptyKeyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }

    private static List<X509Certificate> readCertificates(String option, Path file) throws GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(file)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new GeneralSecurityException(option + " " + file + " cannot be read: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException(option + " " + file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new GeneralSecurityException(option + " " + file + " holds no certificate");
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : certs) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    private static PrivateKey readPrivateKey(Path file) throws GeneralSecurityException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new GeneralSecurityException("clientKey " + file + " cannot be read: " + e.getMessage(), e);
        }
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(file, der);
                case "RSA PRIVATE KEY":
                    return pkcs8(file, wrapPkcs1Rsa(der));
                case "ENCRYPTED PRIVATE KEY":
                    throw new GeneralSecurityException("clientKey " + file + " is encrypted; decrypt it with"
                            + " 'openssl pkcs8 -topk8 -nocrypt' or use a PKCS#12 clientKeyStore");
                case "EC PRIVATE KEY":
                    throw new GeneralSecurityException("clientKey " + file + " is a SEC1 EC key; convert it with"
                            + " 'openssl pkcs8 -topk8 -nocrypt'");
                default:
                    // other blocks (EC PARAMETERS, certificates) may precede the key
            }
        }
        throw new GeneralSecurityException("clientKey " + file + " holds no PEM private key (BEGIN PRIVATE KEY)");
    }

    private static PrivateKey pkcs8(Path file, byte[] der) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("clientKey " + file + " is not an RSA, EC or EdDSA PKCS#8 key", last);
    }

    /** PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: version 0, rsaEncryption, the key as OCTET STRING. */
    private static byte[] wrapPkcs1Rsa(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = derTagged(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
        return derTagged(0x30, body);
    }

    private static byte[] derTagged(int tag, byte[] content) {
        int n = content.length;
        byte[] length;
        if (n < 0x80) {
            length = new byte[] {(byte) n};
        } else if (n < 0x100) {
            length = new byte[] {(byte) 0x81, (byte) n};
        } else if (n < 0x10000) {
            length = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        } else {
            length = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        }
        byte[] out = new byte[1 + length.length + n];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, n);
        return out;
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    @Override
    public String toString() {
        return "TlsOptions[" + (trustAll ? "trust all" : "ca " + caFile)
                + (serverName == null ? "" : ", sni " + serverName)
                + (verifyHost == null ? "" : ", verifyhost " + verifyHost)
                + (clientCertFile != null ? ", crt " + clientCertFile : keyStoreFile != null ? ", p12 " + keyStoreFile : "")
                + "]";
    }

    /** Accepts every certificate; HAProxy's {@code verify none}. Extended so that the JDK adds no checks of its own. */
    private static final class TrustAllManager extends X509ExtendedTrustManager {
        static final TrustAllManager INSTANCE = new TrustAllManager();

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

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

    /**
     * Builds {@link TlsOptions}. Options are set once; {@link #build()} requires exactly one trust option and
     * reads the files, failing with an {@link IllegalArgumentException} that names the option.
     */
    public static final class Builder {
        private boolean trustAll;
        private Path caFile;
        private String serverName;
        private String verifyHost;
        private Path clientCertFile;
        private Path clientKeyFile;
        private Path keyStoreFile;
        private char[] keyStorePassword;

        private Builder() {
        }

        /** Accept any server certificate (HAProxy {@code verify none}). Exclusive with {@link #caFile}. */
        public Builder trustAll() {
            Validation.setOnce("trustAll", trustAll ? Boolean.TRUE : null);
            this.trustAll = true;
            return this;
        }

        /** Trust the CA certificates in this PEM file (HAProxy {@code ca-file}). Exclusive with {@link #trustAll()}. */
        public Builder caFile(Path pemFile) {
            Validation.setOnce("caFile", caFile);
            this.caFile = Validation.notNull("caFile", pemFile);
            return this;
        }

        /** The SNI name to send (HAProxy {@code sni}): a DNS host name. Default: the check's host if it is a name. */
        public Builder serverName(String name) {
            Validation.setOnce("serverName", serverName);
            Validation.notNull("serverName", name);
            try {
                new SNIHostName(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("serverName must be a DNS host name (not an IP literal), was '" + name + "'");
            }
            if (isIpLiteral(name)) {
                throw new IllegalArgumentException("serverName must be a DNS host name (not an IP literal), was '" + name + "'");
            }
            this.serverName = name;
            return this;
        }

        /**
         * Also require the server certificate to name {@code hostOrAddress} (HAProxy {@code verifyhost}): a DNS
         * name (wildcards as RFC 6125) or an IP literal matched against the certificate's IP addresses. Needs
         * {@link #caFile}; with {@link #trustAll()} nothing is verified.
         */
        public Builder verifyHost(String hostOrAddress) {
            Validation.setOnce("verifyHost", verifyHost);
            Validation.notNull("verifyHost", hostOrAddress);
            if (hostOrAddress.isBlank() || hostOrAddress.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
                throw new IllegalArgumentException("verifyHost must be a host name or IP literal, was '" + hostOrAddress + "'");
            }
            this.verifyHost = hostOrAddress;
            return this;
        }

        /** Present this client certificate: a PEM chain (leaf first) and its PEM private key (HAProxy {@code crt}). */
        public Builder clientCertificate(Path certificateChainPem, Path privateKeyPem) {
            Validation.setOnce("clientCertificate", clientCertFile);
            this.clientCertFile = Validation.notNull("clientCertificate", certificateChainPem);
            this.clientKeyFile = Validation.notNull("clientKey", privateKeyPem);
            return this;
        }

        /** Present the key and certificate chain of this PKCS#12 key store. Exclusive with {@link #clientCertificate}. */
        public Builder clientKeyStore(Path pkcs12, char[] password) {
            Validation.setOnce("clientKeyStore", keyStoreFile);
            this.keyStoreFile = Validation.notNull("clientKeyStore", pkcs12);
            this.keyStorePassword = Validation.notNull("clientKeyStore password", password).clone();
            return this;
        }

        public TlsOptions build() {
            if (trustAll == (caFile != null)) {
                throw new IllegalArgumentException("exactly one of trustAll or caFile must be set"
                        + (trustAll ? ", both were" : ", neither was"));
            }
            if (verifyHost != null && trustAll) {
                throw new IllegalArgumentException("verifyHost needs caFile; with trustAll no certificate is verified");
            }
            if (clientCertFile != null && keyStoreFile != null) {
                throw new IllegalArgumentException("clientCertificate and clientKeyStore are exclusive; set one");
            }
            TlsOptions options = new TlsOptions(this);
            try {
                options.sslContext();
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            return options;
        }
    }
}
