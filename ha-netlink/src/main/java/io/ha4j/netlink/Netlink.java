package io.ha4j.netlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether ha-netlink can work here (Netty's {@code Epoll} pattern): Linux, libc bound through JNR-FFI, and
 * the capabilities CAP_NET_ADMIN (addresses) and CAP_NET_RAW (raw and packet sockets) in effect.
 *
 * <p>Checked once, on first use. Entry points do not require {@link #isAvailable()}: each fails on its own
 * with a {@link NativeException} naming the call and what is missing, but checking first gives one clear
 * message up front, e.g. to fall back to {@link io.ha4j.core.InMemoryVipManager}.
 */
public final class Netlink {

    static final int CAP_NET_ADMIN = 12;
    static final int CAP_NET_RAW = 13;

    private static final Throwable UNAVAILABILITY_CAUSE = probe();

    private Netlink() {
    }

    /** True when libc is bound and this process has CAP_NET_ADMIN and CAP_NET_RAW. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /**
     * Throws when {@link #isAvailable()} is false.
     *
     * @throws UnsatisfiedLinkError whose message says what is missing, caused by {@link #unavailabilityCause()}
     */
    public static void ensureAvailability() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw (Error) new UnsatisfiedLinkError("ha-netlink is unavailable: " + UNAVAILABILITY_CAUSE.getMessage())
                    .initCause(UNAVAILABILITY_CAUSE);
        }
    }

    /** Why ha-netlink is unavailable, or null when it is available. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    private static Throwable probe() {
        Throwable load = Native.loadFailure();
        if (load != null) {
            return new IOException("cannot bind libc through JNR-FFI (" + load + ")", load);
        }
        try {
            long effective = effectiveCapabilities(Path.of("/proc/self/status"));
            StringBuilder missing = new StringBuilder();
            if ((effective & (1L << CAP_NET_ADMIN)) == 0) {
                missing.append("CAP_NET_ADMIN");
            }
            if ((effective & (1L << CAP_NET_RAW)) == 0) {
                missing.append(missing.length() == 0 ? "" : " and ").append("CAP_NET_RAW");
            }
            if (missing.length() > 0) {
                return new NativeException("capability check (CapEff 0x" + Long.toHexString(effective)
                        + " lacks " + missing + ")", Errno.EPERM, "Operation not permitted");
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return e;
        }
    }

    /** The CapEff bit mask of {@code /proc/<pid>/status}. */
    static long effectiveCapabilities(Path status) throws IOException {
        for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring(7).trim(), 16);
            }
        }
        throw new IOException(status + " has no CapEff line");
    }
}
