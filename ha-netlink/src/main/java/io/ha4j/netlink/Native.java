package io.ha4j.netlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls ha-netlink uses, and nothing else (jnr-unixsocket's {@code Native} pattern): a nested
 * {@link LibC} binding loaded lazily with {@code failImmediately()}, and static wrappers that retry
 * {@code EINTR} and turn a failed call into a {@link NativeException} naming the call and the errno.
 *
 * <p>Internal: public classes of this package call these wrappers, users never do.
 */
final class Native {

    // Address families, socket types and levels (Linux generic values, same on x86_64 and arm64).
    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_NETLINK = 16;
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int IPPROTO_IP = 0;
    static final int IPPROTO_IPV6 = 41;

    static final int SO_BINDTODEVICE = 25;
    static final int SO_ATTACH_FILTER = 26;

    static final int IP_TOS = 1;
    static final int IP_TTL = 2;
    static final int IP_PKTINFO = 8;
    static final int IP_FREEBIND = 15;
    static final int IP_MULTICAST_IF = 32;
    static final int IP_MULTICAST_TTL = 33;
    static final int IP_MULTICAST_LOOP = 34;
    static final int IP_ADD_MEMBERSHIP = 35;
    static final int IP_MULTICAST_ALL = 49;

    static final int IPV6_CHECKSUM = 7;
    static final int IPV6_UNICAST_HOPS = 16;
    static final int IPV6_MULTICAST_IF = 17;
    static final int IPV6_MULTICAST_HOPS = 18;
    static final int IPV6_MULTICAST_LOOP = 19;
    static final int IPV6_ADD_MEMBERSHIP = 20;
    static final int IPV6_MULTICAST_ALL = 29;
    static final int IPV6_RECVPKTINFO = 49;
    static final int IPV6_PKTINFO = 50;
    static final int IPV6_RECVHOPLIMIT = 51;
    static final int IPV6_HOPLIMIT = 52;
    static final int IPV6_FREEBIND = 78;
    static final int IPV6_TCLASS = 67;

    static final int MSG_DONTROUTE = 0x4;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;

    static final short POLLIN = 0x1;

    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int CLONE_NEWNET = 0x40000000;

    /** The libc functions, declared as JNR wants them; only what ha-netlink calls. */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        int bind(int fd, @In Pointer address, int addressLength);

        int setsockopt(int fd, int level, int option, @In Pointer value, int valueLength);

        @ssize_t long sendto(int fd, @In Pointer buffer, @size_t long length, int flags,
                             @In Pointer address, int addressLength);

        @ssize_t long recv(int fd, @Out Pointer buffer, @size_t long length, int flags);

        @ssize_t long recvmsg(int fd, Pointer message, int flags);

        int poll(Pointer fds, @size_t long count, int timeoutMillis);

        int close(int fd);

        int eventfd(int initialValue, int flags);

        @ssize_t long read(int fd, @Out Pointer buffer, @size_t long length);

        @ssize_t long write(int fd, @In Pointer buffer, @size_t long length);

        int open(String path, int flags);

        int setns(int fd, int namespaceType);

        long malloc(@size_t long size);

        void free(long address);

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

        static {
            LibC libc = null;
            Runtime runtime = null;
            Throwable failure = null;
            try {
                String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
                if (!os.startsWith("linux")) {
                    throw new UnsupportedOperationException("ha-netlink needs Linux, this is " + System.getProperty("os.name"));
                }
                libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
                runtime = Runtime.getRuntime(libc);
            } catch (Throwable t) {
                failure = t;
                libc = null;
                runtime = null;
            }
            LIBC = libc;
            RUNTIME = runtime;
            FAILURE = failure;
        }
    }

    /** Why libc could not be bound, or null when it was. */
    static Throwable loadFailure() {
        return Holder.FAILURE;
    }

    static LibC libc() throws IOException {
        if (Holder.FAILURE != null) {
            throw new IOException("ha-netlink cannot bind libc through JNR-FFI: " + Holder.FAILURE, Holder.FAILURE);
        }
        return Holder.LIBC;
    }

    static Runtime runtime() throws IOException {
        libc();
        return Holder.RUNTIME;
    }

    static Pointer allocate(int size) throws IOException {
        Pointer p = Memory.allocateDirect(runtime(), size, true);
        return p;
    }

    /**
     * Native memory owned by a socket and released by its {@code close()} (not left to the garbage
     * collector, which does not run for native memory pressure): freed with {@link #free}.
     */
    static Pointer malloc(int size) throws IOException {
        long address = libc().malloc(size);
        if (address == 0) {
            throw error("malloc(" + size + ")", Errno.ENOMEM);
        }
        Pointer p = Pointer.wrap(Holder.RUNTIME, address, size);
        p.setMemory(0, size, (byte) 0);
        return p;
    }

    /** A window of {@code size} bytes at {@code offset} into memory from {@link #malloc}. */
    static Pointer view(Pointer base, int offset, int size) {
        return Pointer.wrap(Holder.RUNTIME, base.address() + offset, size);
    }

    static void free(Pointer p) {
        if (p != null && Holder.LIBC != null) {
            Holder.LIBC.free(p.address());
        }
    }

    static NativeException error(String call) {
        int errno = LastError.getLastError(Holder.RUNTIME);
        return error(call, errno);
    }

    static NativeException error(String call, int errno) {
        String description = null;
        if (Holder.LIBC != null) {
            try {
                description = Holder.LIBC.strerror(errno);
            } catch (RuntimeException ignored) {
                description = null;
            }
        }
        return new NativeException(call, errno, description);
    }

    static int lastErrno() {
        return LastError.getLastError(Holder.RUNTIME);
    }

    // ---- wrappers: each retries EINTR and throws NativeException on failure ----

    static int socket(int domain, int type, int protocol, String description) throws IOException {
        LibC c = libc();
        while (true) {
            int fd = c.socket(domain, type | SOCK_CLOEXEC, protocol);
            if (fd >= 0) {
                return fd;
            }
            int errno = lastErrno();
            if (errno != Errno.EINTR) {
                throw error("socket(" + description + ")", errno);
            }
        }
    }

    static void bind(int fd, Pointer address, int length, String description) throws IOException {
        if (libc().bind(fd, address, length) < 0) {
            throw error("bind(" + description + ")");
        }
    }

    static void setsockopt(int fd, int level, int option, Pointer value, int length, String name) throws IOException {
        if (libc().setsockopt(fd, level, option, value, length) < 0) {
            throw error("setsockopt(" + name + ")");
        }
    }

    static void setsockopt(int fd, int level, int option, int value, String name) throws IOException {
        Pointer p = allocate(4);
        p.putInt(0, value);
        setsockopt(fd, level, option, p, 4, name);
    }

    /**
     * Sets an option that older kernels lack (e.g. IPV6_MULTICAST_ALL before 4.20): ENOPROTOOPT is ignored,
     * since the socket still works, only less strictly filtered.
     */
    static void setsockoptIfSupported(int fd, int level, int option, int value, String name) throws IOException {
        try {
            setsockopt(fd, level, option, value, name);
        } catch (NativeException e) {
            if (e.errno() != Errno.ENOPROTOOPT) {
                throw e;
            }
        }
    }

    static void bindToDevice(int fd, String interfaceName) throws IOException {
        byte[] name = interfaceName.getBytes(StandardCharsets.US_ASCII);
        Pointer p = allocate(name.length + 1);
        p.put(0, name, 0, name.length);
        p.putByte(name.length, (byte) 0);
        setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, p, name.length + 1, "SO_BINDTODEVICE " + interfaceName);
    }

    static long sendto(int fd, Pointer buffer, int length, int flags, Pointer address, int addressLength,
                       String description) throws IOException {
        LibC c = libc();
        while (true) {
            long n = c.sendto(fd, buffer, length, flags, address, addressLength);
            if (n >= 0) {
                return n;
            }
            int errno = lastErrno();
            if (errno != Errno.EINTR) {
                throw error("sendto(" + description + ")", errno);
            }
        }
    }

    /**
     * Waits until one of {@code fds} is readable: returns the index of the first readable (or failed) fd, or
     * -1 on timeout. {@code pollfds} is scratch memory of 8 bytes per fd.
     */
    static int pollReadable(Pointer pollfds, int[] fds, int timeoutMillis) throws IOException {
        LibC c = libc();
        for (int i = 0; i < fds.length; i++) {
            pollfds.putInt(i * 8L, fds[i]);
            pollfds.putShort(i * 8L + 4, POLLIN);
            pollfds.putShort(i * 8L + 6, (short) 0);
        }
        while (true) {
            int n = c.poll(pollfds, fds.length, timeoutMillis);
            if (n > 0) {
                for (int i = 0; i < fds.length; i++) {
                    if (pollfds.getShort(i * 8L + 6) != 0) {
                        return i;
                    }
                }
                return -1;
            }
            if (n == 0) {
                return -1;
            }
            int errno = lastErrno();
            if (errno != Errno.EINTR) {
                throw error("poll", errno);
            }
        }
    }

    static void close(int fd) {
        if (fd >= 0 && Holder.LIBC != null) {
            // Never retry close on EINTR on Linux: the fd is released whatever close returns.
            Holder.LIBC.close(fd);
        }
    }

    static int eventfd() throws IOException {
        int fd = libc().eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0) {
            throw error("eventfd");
        }
        return fd;
    }

    static int open(String path, int flags) throws IOException {
        LibC c = libc();
        while (true) {
            int fd = c.open(path, flags | O_CLOEXEC);
            if (fd >= 0) {
                return fd;
            }
            int errno = lastErrno();
            if (errno != Errno.EINTR) {
                throw error("open(" + path + ")", errno);
            }
        }
    }

    static void setns(int fd, int type, String description) throws IOException {
        if (libc().setns(fd, type) < 0) {
            throw error("setns(" + description + ")");
        }
    }
}
