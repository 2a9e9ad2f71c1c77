package io.ha4j.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Configuration errors name the option and its allowed range, at the call or at {@code build()}. */
class EtcdElectionBuilderTest {

    @Test
    void missingEndpointsIsNamedAtBuild() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EtcdElection.builder("e").build());
        assertTrue(e.getMessage().startsWith("endpoints is required"), e.getMessage());
    }

    @Test
    void ttlOutsideItsRangeOrNotWholeSecondsIsRefused() {
        EtcdElection.Builder b = EtcdElection.builder("e");
        assertEquals("ttl must be in [1s, 3600s], was 0s",
                assertThrows(IllegalArgumentException.class, () -> b.ttl(Duration.ZERO)).getMessage());
        assertEquals("ttl must be in [1s, 3600s], was 7200s",
                assertThrows(IllegalArgumentException.class, () -> b.ttl(Duration.ofHours(2))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.ttl(Duration.ofMillis(2500))).getMessage()
                .startsWith("ttl must be a whole number of seconds"));
    }

    @Test
    void endpointsKeyPrefixAndAnnounceRepeatAreChecked() {
        EtcdElection.Builder b = EtcdElection.builder("e");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.endpoints("unix:///run/etcd.sock")).getMessage()
                .startsWith("endpoints must be http:// or https:// URLs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.endpoints("http://127.0.0.1")).getMessage()
                .startsWith("endpoints must name a host and a port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.keyPrefix("/no-slash")).getMessage()
                .startsWith("keyPrefix must be 2-512 characters ending with '/'"));
        assertEquals("announceRepeat must be in [1, 100], was 0",
                assertThrows(IllegalArgumentException.class, () -> b.announceRepeat(0)).getMessage());
    }

    @Test
    void tlsNeedsHttpsEndpointsOfOneSchemeAndReadableFiles() {
        assertTrue(assertThrows(IllegalStateException.class, () -> EtcdElection.builder("e")
                .endpoints("http://127.0.0.1:2379", "https://127.0.0.1:2380").build()).getMessage()
                .startsWith("endpoints must all be http:// or all https://"));
        assertTrue(assertThrows(IllegalStateException.class, () -> EtcdElection.builder("e")
                .endpoints("http://127.0.0.1:2379").trustedCertificates(Path.of("/etc/hostname")).build()).getMessage()
                .startsWith("trustedCertificates/clientCertificate need https:// endpoints"));
        assertEquals("TLS file /nonexistent/ca.pem is not readable", assertThrows(IllegalStateException.class,
                () -> EtcdElection.builder("e").endpoints("https://127.0.0.1:2379")
                        .trustedCertificates(Path.of("/nonexistent/ca.pem")).build()).getMessage());
    }

    @Test
    void defaultsAreKubeVipsTunedTtlAndAPrefixPerName() {
        EtcdElection e = EtcdElection.builder("controller").endpoints("http://127.0.0.1:2379").build();
        assertEquals(Duration.ofSeconds(5), e.ttl());
        assertEquals("/ha4j/elections/controller/", e.keyPrefix());
        assertTrue(e.candidateId().endsWith("/" + ProcessHandle.current().pid()));
    }
}
