package io.ha4j.core;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Every invalid value of every builder option fails at once with a message that names the option and, where
 * there is one, the allowed range.
 */
class BuilderValidationTest {

    private static final class Case {
        final String name;
        final Class<? extends Throwable> type;
        final Executable action;
        final String[] mustContain;

        Case(String name, Class<? extends Throwable> type, Executable action, String... mustContain) {
            this.name = name;
            this.type = type;
            this.action = action;
            this.mustContain = mustContain;
        }
    }

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<NullPointerException> NPE = NullPointerException.class;
    private static final Class<IllegalStateException> ISE = IllegalStateException.class;
    private static final HealthCheck OK = HealthCheck.of("ok", () -> true);

    private static HealthChecker.Builder checker() {
        return HealthChecker.builder("hc").check(OK);
    }

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // HaCluster
        c.add(new Case("cluster name empty", IAE, () -> HaCluster.builder().name(""), "name must be 1-64 characters of [A-Za-z0-9._-]", "was ''"));
        c.add(new Case("cluster name too long", IAE, () -> HaCluster.builder().name("a".repeat(65)), "name must be 1-64 characters"));
        c.add(new Case("cluster name with a space", IAE, () -> HaCluster.builder().name("a b"), "name must be 1-64 characters", "'a b'"));
        c.add(new Case("cluster name starting with a dot", IAE, () -> HaCluster.builder().name(".a"), "starting with a letter or digit"));
        c.add(new Case("cluster name null", NPE, () -> HaCluster.builder().name(null), "name must not be null"));
        c.add(new Case("cluster name twice", ISE, () -> HaCluster.builder().name("a").name("b"), "name was already set to a"));
        c.add(new Case("cluster scheduler null", NPE, () -> HaCluster.builder().scheduler(null), "scheduler must not be null"));
        c.add(new Case("cluster random null", NPE, () -> HaCluster.builder().random(null), "random must not be null"));
        c.add(new Case("cluster vipManager null", NPE, () -> HaCluster.builder().vipManager(null), "vipManager must not be null"));
        c.add(new Case("cluster component null", NPE, () -> HaCluster.builder().add(null), "component must not be null"));
        c.add(new Case("cluster listener null", NPE, () -> HaCluster.builder().listener(null), "listener must not be null"));
        c.add(new Case("cluster listener executor null", NPE, () -> HaCluster.builder().listener(e -> { }, null), "executor must not be null"));
        c.add(new Case("cluster duplicate component names", IAE, () -> HaCluster.builder()
                .add(TestComponent.ok("x", Phase.BALANCERS, new ArrayList<>()))
                .add(TestComponent.ok("x", Phase.VRRP, new ArrayList<>())).build(), "component names must be unique", "'x'"));

        // HealthChecker
        c.add(new Case("checker name null", NPE, () -> HealthChecker.builder(null), "name must not be null"));
        c.add(new Case("checker name blank", IAE, () -> HealthChecker.builder(" "), "name must not be blank"));
        c.add(new Case("checker without check", ISE, () -> HealthChecker.builder("hc").build(), "check must be set"));
        c.add(new Case("checker check null", NPE, () -> HealthChecker.builder("hc").check(null), "check must not be null"));
        for (String option : List.of("inter", "fastInter", "downInter")) {
            c.add(new Case(option + " too short", IAE, () -> setInterval(option, Duration.ofMillis(9)), option + " must be in [10ms, 3600s], was 9ms"));
            c.add(new Case(option + " too long", IAE, () -> setInterval(option, Duration.ofHours(2)), option + " must be in [10ms, 3600s], was 7200s"));
            c.add(new Case(option + " negative", IAE, () -> setInterval(option, Duration.ofSeconds(-1)), option + " must be in [10ms, 3600s]"));
            c.add(new Case(option + " null", NPE, () -> setInterval(option, null), option + " must not be null"));
            c.add(new Case(option + " twice", ISE, () -> setInterval(option, Duration.ofSeconds(1)).fastInter(Duration.ofSeconds(1))
                    .inter(Duration.ofSeconds(1)).downInter(Duration.ofSeconds(1)), "already set"));
        }
        c.add(new Case("timeout zero", IAE, () -> checker().timeout(Duration.ZERO), "timeout must be in [1ms, 3600s], was 0s"));
        c.add(new Case("timeout too long", IAE, () -> checker().timeout(Duration.ofMinutes(61)), "timeout must be in [1ms, 3600s], was 3660s"));
        c.add(new Case("timeout sub-millisecond", IAE, () -> checker().timeout(Duration.ofNanos(999_999)), "timeout must be in [1ms, 3600s], was 999999ns"));
        c.add(new Case("rise zero", IAE, () -> checker().rise(0), "rise must be in [1, 1000], was 0"));
        c.add(new Case("rise too big", IAE, () -> checker().rise(1001), "rise must be in [1, 1000], was 1001"));
        c.add(new Case("fall zero", IAE, () -> checker().fall(0), "fall must be in [1, 1000], was 0"));
        c.add(new Case("fall too big", IAE, () -> checker().fall(1001), "fall must be in [1, 1000], was 1001"));
        c.add(new Case("spreadChecks negative", IAE, () -> checker().spreadChecks(-1), "spreadChecks must be in [0, 50], was -1"));
        c.add(new Case("spreadChecks too big", IAE, () -> checker().spreadChecks(51), "spreadChecks must be in [0, 50], was 51"));
        c.add(new Case("initialState null", NPE, () -> checker().initialState(null), "initialState must not be null"));
        c.add(new Case("rise twice", ISE, () -> checker().rise(2).rise(3), "rise was already set to 2"));
        c.add(new Case("kubernetesDefaults after rise", ISE, () -> checker().rise(2).kubernetesDefaults(), "rise was already set"));

        // HttpCheck
        c.add(new Case("http host null", NPE, () -> HttpCheck.builder(null, 80), "host must not be null"));
        c.add(new Case("http host blank", IAE, () -> HttpCheck.builder("", 80), "host must be a non-empty host name or IP literal"));
        c.add(new Case("http host with space", IAE, () -> HttpCheck.builder("a b", 80), "host must be", "'a b'"));
        c.add(new Case("http port zero", IAE, () -> HttpCheck.builder("h", 0), "port must be in [1, 65535], was 0"));
        c.add(new Case("http port too big", IAE, () -> HttpCheck.builder("h", 65536), "port must be in [1, 65535], was 65536"));
        c.add(new Case("http path relative", IAE, () -> HttpCheck.builder("h", 80).path("readyz"), "path must start with '/'", "'readyz'"));
        c.add(new Case("http path with space", IAE, () -> HttpCheck.builder("h", 80).path("/a b"), "path must start with '/' and be printable ASCII without spaces"));
        c.add(new Case("http path with CRLF", IAE, () -> HttpCheck.builder("h", 80).path("/a\r\nX: y"), "path must"));
        c.add(new Case("http path null", NPE, () -> HttpCheck.builder("h", 80).path(null), "path must not be null"));
        c.add(new Case("http status too small", IAE, () -> HttpCheck.builder("h", 80).expectStatus(99), "expectStatus must be in [100, 599], was 99"));
        c.add(new Case("http status too big", IAE, () -> HttpCheck.builder("h", 80).expectStatus(600), "expectStatus must be in [100, 599], was 600"));
        c.add(new Case("http extra status too big", IAE, () -> HttpCheck.builder("h", 80).expectStatus(200, 204, 1000), "expectStatus must be in [100, 599], was 1000"));
        c.add(new Case("http hostHeader with space", IAE, () -> HttpCheck.builder("h", 80).hostHeader("a b"), "hostHeader must be non-empty printable ASCII"));
        c.add(new Case("http hostHeader empty", IAE, () -> HttpCheck.builder("h", 80).hostHeader(""), "hostHeader must be non-empty"));
        c.add(new Case("http tls null", NPE, () -> HttpCheck.builder("h", 80).tls(null), "tls must not be null"));
        c.add(new Case("http path twice", ISE, () -> HttpCheck.builder("h", 80).path("/a").path("/b"), "path was already set to /a"));
        c.add(new Case("readyz tls null", NPE, () -> HttpCheck.kubernetesReadyz("h", 6443, null), "tls must not be null"));
        c.add(new Case("tls check port", IAE, () -> TlsHandshakeCheck.of("h", 70000, TlsOptions.trustAll()), "port must be in [1, 65535], was 70000"));
        c.add(new Case("tls check host blank", IAE, () -> TlsHandshakeCheck.of(" ", 443, TlsOptions.trustAll()), "host must not be blank"));

        // TlsOptions
        c.add(new Case("tls without trust", IAE, () -> TlsOptions.builder().build(), "exactly one of trustAll or caFile must be set, neither was"));
        c.add(new Case("tls with both trusts", IAE, () -> TlsOptions.builder().trustAll().caFile(Path.of("/x")).build(), "exactly one of trustAll or caFile must be set, both were"));
        c.add(new Case("tls serverName IP", IAE, () -> TlsOptions.builder().serverName("10.0.0.1"), "serverName must be a DNS host name", "'10.0.0.1'"));
        c.add(new Case("tls serverName invalid", IAE, () -> TlsOptions.builder().serverName("bad name!"), "serverName must be a DNS host name"));
        c.add(new Case("tls verifyHost with trustAll", IAE, () -> TlsOptions.builder().trustAll().verifyHost("h").build(), "verifyHost needs caFile"));
        c.add(new Case("tls verifyHost blank", IAE, () -> TlsOptions.builder().verifyHost(" "), "verifyHost must be a host name or IP literal"));
        c.add(new Case("tls caFile null", NPE, () -> TlsOptions.builder().caFile(null), "caFile must not be null"));
        c.add(new Case("tls client cert and key store", IAE, () -> TlsOptions.builder().trustAll()
                .clientCertificate(Path.of("/c"), Path.of("/k")).clientKeyStore(Path.of("/p"), new char[0]).build(),
                "clientCertificate and clientKeyStore are exclusive"));
        c.add(new Case("tls missing caFile", IAE, () -> TlsOptions.trustCaFile(Path.of("/nonexistent/ca.crt")), "caFile /nonexistent/ca.crt cannot be read"));
        c.add(new Case("tls missing client cert", IAE, () -> TlsOptions.builder().trustAll()
                .clientCertificate(Path.of("/nonexistent/c.crt"), Path.of("/nonexistent/c.key")).build(), "clientCertificate /nonexistent/c.crt cannot be read"));
        c.add(new Case("tls missing key store", IAE, () -> TlsOptions.builder().trustAll()
                .clientKeyStore(Path.of("/nonexistent/c.p12"), new char[0]).build(), "clientKeyStore /nonexistent/c.p12 cannot be read"));

        // CommandCheck
        c.add(new Case("command empty", IAE, () -> CommandCheck.builder(), "command must have at least the program"));
        c.add(new Case("command null list", NPE, () -> CommandCheck.builder((List<String>) null), "command must not be null"));
        c.add(new Case("command blank program", IAE, () -> CommandCheck.builder(" ", "x"), "command program must not be blank"));
        c.add(new Case("command null argument", NPE, () -> CommandCheck.builder("a", null), "command argument must not be null"));
        c.add(new Case("outputLimit negative", IAE, () -> CommandCheck.builder("a").outputLimit(-1), "outputLimit must be in [0, 65536], was -1"));
        c.add(new Case("outputLimit too big", IAE, () -> CommandCheck.builder("a").outputLimit(65537), "outputLimit must be in [0, 65536], was 65537"));
        c.add(new Case("terminationGrace negative", IAE, () -> CommandCheck.builder("a").terminationGrace(Duration.ofMillis(-1)), "terminationGrace must be in [0s, 60s], was -1ms"));
        c.add(new Case("terminationGrace too long", IAE, () -> CommandCheck.builder("a").terminationGrace(Duration.ofSeconds(61)), "terminationGrace must be in [0s, 60s], was 61s"));
        c.add(new Case("environment name with =", IAE, () -> CommandCheck.builder("a").environment("A=B", "x"), "environment name must be non-empty without '='", "'A=B'"));
        c.add(new Case("environment name empty", IAE, () -> CommandCheck.builder("a").environment("", "x"), "environment name must be non-empty"));
        c.add(new Case("environment value null", NPE, () -> CommandCheck.builder("a").environment("A", null), "environment value of A must not be null"));
        c.add(new Case("workingDirectory null", NPE, () -> CommandCheck.builder("a").workingDirectory(null), "workingDirectory must not be null"));

        // VirtualAddress
        c.add(new Case("vip IPv4 prefix too long", IAE, () -> VirtualAddress.parse("198.18.0.1/33", "eth0"), "prefixLength must be in [0, 32], was 33"));
        c.add(new Case("vip IPv6 prefix too long", IAE, () -> VirtualAddress.parse("fd00::1/129", "eth0"), "prefixLength must be in [0, 128], was 129"));
        c.add(new Case("vip negative prefix", IAE, () -> VirtualAddress.parse("198.18.0.1/-1", "eth0"), "prefixLength must be in [0, 32], was -1"));
        c.add(new Case("vip prefix not a number", IAE, () -> VirtualAddress.parse("198.18.0.1/x", "eth0"), "prefix length of '198.18.0.1/x' is not a number"));
        c.add(new Case("vip not a literal", IAE, () -> VirtualAddress.parse("example.com", "eth0"), "'example.com' is not an IPv4 or IPv6 address literal"));
        c.add(new Case("vip octet too big", IAE, () -> VirtualAddress.parse("198.18.0.256", "eth0"), "'198.18.0.256' is not an IPv4 address literal"));
        c.add(new Case("vip name with colon", IAE, () -> VirtualAddress.parse("zz:1", "eth0"), "'zz:1' is not an IPv4 or IPv6 address literal"));
        c.add(new Case("vip bad IPv6", IAE, () -> VirtualAddress.parse("fd00:::1::2", "eth0"), "'fd00:::1::2' is not an IP address literal"));
        c.add(new Case("vip interface empty", IAE, () -> VirtualAddress.parse("198.18.0.1", ""), "interfaceName must be 1-15 characters"));
        c.add(new Case("vip interface too long", IAE, () -> VirtualAddress.parse("198.18.0.1", "a".repeat(16)), "interfaceName must be 1-15 characters without '/' or spaces"));
        c.add(new Case("vip interface with slash", IAE, () -> VirtualAddress.parse("198.18.0.1", "a/b"), "interfaceName must be 1-15 characters"));
        c.add(new Case("vip interface null", NPE, () -> VirtualAddress.parse("198.18.0.1", null), "interfaceName"));
        c.add(new Case("vip label too long", IAE, () -> VirtualAddress.parse("198.18.0.1", "eth0").withLabel("eth0:" + "v".repeat(11)), "label must be 1-15 characters (IFNAMSIZ)"));
        c.add(new Case("vip label empty", IAE, () -> VirtualAddress.parse("198.18.0.1", "eth0").withLabel(""), "label must be 1-15 characters"));
        c.add(new Case("vip label on IPv6", IAE, () -> VirtualAddress.parse("fd00::1", "eth0").withLabel("eth0:v"), "label is only supported for IPv4 addresses"));
        return c;
    }

    private static HealthChecker.Builder setInterval(String option, Duration d) {
        HealthChecker.Builder b = checker();
        switch (option) {
            case "inter": return b.inter(d);
            case "fastInter": return b.fastInter(d);
            default: return b.downInter(d);
        }
    }

    @TestFactory
    Stream<DynamicTest> invalidValuesAreRejectedWithTheOptionAndRange() {
        return cases().stream().map(k -> DynamicTest.dynamicTest(k.name, () -> {
            Throwable e = assertThrows(k.type, k.action, k.name);
            for (String part : k.mustContain) {
                assertTrue(String.valueOf(e.getMessage()).contains(part),
                        k.name + ": message '" + e.getMessage() + "' lacks '" + part + "'");
            }
        }));
    }
}
