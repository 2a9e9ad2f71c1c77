package io.ha4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Error messages name the call, the errno and the remedy; the capability probe reads CapEff. */
class NativeExceptionTest {

    @Test
    void testPermissionErrorsSayWhichCapabilitiesAreNeeded() {
        NativeException e = new NativeException("socket(AF_INET, SOCK_RAW, 112)", Errno.EPERM, "Operation not permitted");
        assertEquals("socket(AF_INET, SOCK_RAW, 112) failed: EPERM (Operation not permitted) - needs CAP_NET_ADMIN / "
                + "CAP_NET_RAW (run as root or grant the capabilities)", e.getMessage());
        assertTrue(e.isPermissionDenied());
        assertEquals("EPERM", e.errnoName());
        assertTrue(new NativeException("bind", Errno.EACCES, null).getMessage().contains("CAP_NET_RAW"));
    }

    @Test
    void testOtherErrnosNameThemselves() {
        NativeException e = new NativeException("RTM_GETLINK nosuch0", Errno.ENODEV, "No such device");
        assertTrue(e.getMessage().startsWith("RTM_GETLINK nosuch0 failed: ENODEV (No such device) - no such network interface"));
        assertFalse(e.isPermissionDenied());
        assertEquals("errno 4095", new NativeException("x", 4095, "").errnoName());
    }

    @Test
    void testEffectiveCapabilitiesAreParsed(@TempDir Path dir) throws IOException {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t0000000000003000\n");
        long caps = Netlink.effectiveCapabilities(status);
        assertTrue((caps & (1L << Netlink.CAP_NET_ADMIN)) != 0);
        assertTrue((caps & (1L << Netlink.CAP_NET_RAW)) != 0);
        Files.writeString(status, "Name:\tjava\n");
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> Netlink.effectiveCapabilities(status));
    }
}
