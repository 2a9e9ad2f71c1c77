package io.ha4j.netlink;

/**
 * The Linux errno values ha-netlink meets (the generic numbering, identical on x86_64 and arm64), their names
 * and what a user can do about them.
 */
final class Errno {

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EMFILE = 24;
    static final int ENOBUFS = 105;
    static final int EADDRINUSE = 98;
    static final int EADDRNOTAVAIL = 99;
    static final int ENETDOWN = 100;
    static final int ENETUNREACH = 101;
    static final int EAFNOSUPPORT = 97;
    static final int EPROTONOSUPPORT = 93;
    static final int EOPNOTSUPP = 95;
    static final int ENOPROTOOPT = 92;
    static final int EMSGSIZE = 90;
    static final int ENFILE = 23;
    static final int ENOSYS = 38;
    static final int EHOSTUNREACH = 113;
    static final int ENXIO = 6;
    static final int ESRCH = 3;

    static final String PRIVILEGE_HINT =
            "needs CAP_NET_ADMIN / CAP_NET_RAW (run as root or grant the capabilities)";

    private Errno() {
    }

    static String name(int errno) {
        switch (errno) {
            case EPERM: return "EPERM";
            case ENOENT: return "ENOENT";
            case ESRCH: return "ESRCH";
            case EINTR: return "EINTR";
            case ENXIO: return "ENXIO";
            case EBADF: return "EBADF";
            case EAGAIN: return "EAGAIN";
            case ENOMEM: return "ENOMEM";
            case EACCES: return "EACCES";
            case EBUSY: return "EBUSY";
            case EEXIST: return "EEXIST";
            case ENODEV: return "ENODEV";
            case EINVAL: return "EINVAL";
            case ENFILE: return "ENFILE";
            case EMFILE: return "EMFILE";
            case ENOSYS: return "ENOSYS";
            case EMSGSIZE: return "EMSGSIZE";
            case ENOPROTOOPT: return "ENOPROTOOPT";
            case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
            case EOPNOTSUPP: return "EOPNOTSUPP";
            case EAFNOSUPPORT: return "EAFNOSUPPORT";
            case EADDRINUSE: return "EADDRINUSE";
            case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
            case ENETDOWN: return "ENETDOWN";
            case ENETUNREACH: return "ENETUNREACH";
            case ENOBUFS: return "ENOBUFS";
            case EHOSTUNREACH: return "EHOSTUNREACH";
            default: return "errno " + errno;
        }
    }

    static String hint(int errno) {
        switch (errno) {
            case EPERM:
            case EACCES:
                return PRIVILEGE_HINT;
            case ENODEV:
                return "no such network interface in this network namespace (check the name with `ip link`)";
            case EADDRNOTAVAIL:
                return "the address is not configured on this host or interface";
            case EMFILE:
            case ENFILE:
                return "out of file descriptors (raise `ulimit -n`)";
            case ENETDOWN:
                return "the interface is down";
            case EAFNOSUPPORT:
                return "the kernel lacks this address family (IPv6 disabled?)";
            default:
                return null;
        }
    }
}
