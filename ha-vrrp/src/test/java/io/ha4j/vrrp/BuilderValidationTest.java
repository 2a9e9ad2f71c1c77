package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.VirtualAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class BuilderValidationTest {

    private static VrrpInstance.Builder base() {
        return VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(1);
    }

    private static void fails(String expectedFragment, Executable build) {
        Exception e = assertThrows(RuntimeException.class, build);
        assertTrue(e.getMessage().contains(expectedFragment), () -> "message '" + e.getMessage() + "' lacks '" + expectedFragment + "'");
    }

    @Test
    void defaultsAreKeepalivedsExceptTheVersion() {
        VrrpInstance v = base().build();
        assertEquals(100, v.priority());
        assertEquals(3, v.version());
        assertEquals(Duration.ofSeconds(1), v.advertInterval());
        assertEquals(Duration.ofNanos(3_609_375_000L), v.masterDownInterval());
    }

    @Test
    void rangesAreNamed() {
        fails("virtualRouterId must be in [1, 255], was 0", () -> VrrpInstance.builder("x").virtualRouterId(0));
        fails("virtualRouterId must be in [1, 255], was 256", () -> VrrpInstance.builder("x").virtualRouterId(256));
        fails("virtualRouterId must be set", () -> VrrpInstance.builder("x").interfaceName("eth0").build());
        fails("priority must be in [1, 255], was 0", () -> base().priority(0));
        fails("version must be in [2, 3], was 4", () -> base().version(4));
        fails("preemptDelay must be in [0s, 1000s]", () -> base().preemptDelay(Duration.ofSeconds(1001)));
        fails("authPass must be 1-8", () -> base().authPass("123456789"));
        fails("authPass needs version 2", () -> base().authPass("pw").build());
        fails("advertInterval must be whole seconds", () -> base().version(2).advertInterval(Duration.ofMillis(1500)).build());
        fails("advertInterval must be in [1s, 255s]", () -> base().version(2).advertInterval(Duration.ofSeconds(256)).build());
        fails("advertInterval must be in [10ms, 40950ms]", () -> base().advertInterval(Duration.ofSeconds(41)).build());
        fails("advertInterval must be a multiple of 10ms", () -> base().advertInterval(Duration.ofMillis(15)).build());
        fails("IPv6 needs version 3", () -> base().version(2).virtualAddress("fd00::1").build());
        fails("must all be IPv4 or all IPv6", () -> base().virtualAddress("198.18.0.1").virtualAddress("fd00::1").build());
        fails("trackInterface weight must be in [-253, 253]", () -> base().trackInterface("eth1", 254));
        fails("priority was already set", () -> base().priority(1).priority(2));
        fails("initialState must be MASTER or BACKUP", () -> base().initialState(VrrpState.FAULT));
        fails("listed twice", () -> base().virtualAddress("198.18.0.1").virtualAddress("198.18.0.1/24").build());
    }

    @Test
    void aMissingRequiredOptionIsAnIllegalStateExceptionAtBuildNamingIt() {
        IllegalStateException noVrid = assertThrows(IllegalStateException.class,
                () -> VrrpInstance.builder("x").interfaceName("eth0").build());
        assertEquals("virtualRouterId must be set (in [1, 255])", noVrid.getMessage());
        IllegalStateException noInterface = assertThrows(IllegalStateException.class,
                () -> VrrpInstance.builder("x").virtualRouterId(1).build());
        assertEquals("interfaceName must be set (1-15 characters)", noInterface.getMessage());
    }

    @Test
    void virtualAddressesKeepCallOrderAcrossBothForms() {
        VrrpInstance v = base()
                .virtualAddress("198.18.0.3")
                .virtualAddress(VirtualAddress.parse("198.18.0.1/24", "eth1"))
                .virtualAddress("198.18.0.2/32")
                .build();
        assertEquals(List.of("198.18.0.3", "198.18.0.1", "198.18.0.2"), v.virtualAddresses().stream()
                .map(a -> a.address().getHostAddress()).collect(Collectors.toList()));
        assertEquals("eth1", v.virtualAddresses().get(1).interfaceName());
    }

    @Test
    void sub_second_v3_intervals_are_accepted() {
        VrrpInstance v = base().advertInterval(Duration.ofMillis(50)).build();
        assertEquals(Duration.ofNanos(3 * 50_000_000L + (156L * 5 * 625 / 16) * 1000), v.masterDownInterval());
    }
}
