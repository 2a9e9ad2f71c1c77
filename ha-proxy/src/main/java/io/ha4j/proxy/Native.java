package io.ha4j.proxy;

import java.io.IOException;
import java.util.Locale;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;

/**
 * The libc calls ha-proxy makes itself, and nothing else (jnr-unixsocket's {@code Native} pattern): socket filters on
 * the sockets Netty's epoll transport opened ({@link SynGate}). The binding is loaded on first use with
 * {@code failImmediately()}; a failed call becomes an {@link IOException} naming the call and the errno. ha-proxy has
 * its own rather than ha-netlink's, which it must not depend on (DESIGN.md).
 */
final class Native {

    static final int SOL_SOCKET = 1;
    static final int SO_ATTACH_FILTER = 26;
    static final int SO_DETACH_FILTER = 27;
    static final int ENOENT = 2;
    private static final int EINTR = 4;

    /** The libc functions, declared as JNR wants them. */
    public interface LibC {
        int setsockopt(int fd, int level, int option, @In Pointer value, int valueLength);

        @IgnoreError
        String strerror(int errno);
    }

    private Native() {
    }

    /** Loads libc on first use; a failure is kept and reported by every later call. */
    private static final class Holder {
        static final LibC LIBC;
        static final Runtime RUNTIME;
        static final Throwable FAILURE;
        /** The {@code int} that SO_DETACH_FILTER is given (the kernel ignores its value); written once. */
        static final Pointer ZERO;

        static {
            LibC libc = null;
            Runtime runtime = null;
            Pointer zero = null;
            Throwable failure = null;
            try {
                String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
                if (!os.startsWith("linux")) {
                    throw new UnsupportedOperationException("socket filters need Linux, this is " + System.getProperty("os.name"));
                }
                libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
                runtime = Runtime.getRuntime(libc);
                zero = Memory.allocateDirect(runtime, 4, true);
            } catch (Throwable t) {
                failure = t;
                libc = null;
                runtime = null;
                zero = null;
            }
            LIBC = libc;
            RUNTIME = runtime;
            ZERO = zero;
            FAILURE = failure;
        }
    }

    private static LibC libc() throws IOException {
        if (Holder.FAILURE != null) {
            throw new IOException("ha-proxy cannot bind libc through JNR-FFI: " + Holder.FAILURE, Holder.FAILURE);
        }
        return Holder.LIBC;
    }

    /** Native memory of {@code size} bytes, zeroed, freed by the garbage collector. */
    static Pointer allocate(int size) throws IOException {
        libc();
        return Memory.allocateDirect(Holder.RUNTIME, size, true);
    }

    /** setsockopt(2), retrying EINTR; {@code name} names the option in the exception. */
    static void setsockopt(int fd, int level, int option, Pointer value, int length, String name) throws IOException {
        int errno = setsockoptErrno(fd, level, option, value, length);
        if (errno != 0) {
            throw error("setsockopt(" + fd + ", " + name + ")", errno);
        }
    }

    /**
     * SO_DETACH_FILTER on {@code fd}; false when it had no filter (ENOENT).
     *
     * @throws IOException for any other failure
     */
    static boolean detachFilter(int fd) throws IOException {
        int errno = setsockoptErrno(fd, SOL_SOCKET, SO_DETACH_FILTER, Holder.ZERO, 4);
        if (errno == ENOENT) {
            return false;
        }
        if (errno != 0) {
            throw error("setsockopt(" + fd + ", SO_DETACH_FILTER)", errno);
        }
        return true;
    }

    /** 0 on success, else the errno. */
    private static int setsockoptErrno(int fd, int level, int option, Pointer value, int length) throws IOException {
        LibC c = libc();
        while (true) {
            if (c.setsockopt(fd, level, option, value, length) == 0) {
                return 0;
            }
            int errno = LastError.getLastError(Holder.RUNTIME);
            if (errno != EINTR) {
                return errno;
            }
        }
    }

    private static IOException error(String call, int errno) {
        String description = null;
        try {
            description = Holder.LIBC.strerror(errno);
        } catch (RuntimeException ignored) {
            description = null;
        }
        return new IOException(call + " failed: errno " + errno + (description != null ? " (" + description + ")" : ""));
    }
}
