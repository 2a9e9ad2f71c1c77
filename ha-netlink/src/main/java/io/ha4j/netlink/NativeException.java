package io.ha4j.netlink;

import java.io.IOException;

/**
 * A failed system call or a netlink request the kernel refused: names the call, the errno name and, where
 * there is one, what the user can do about it.
 *
 * <p>Example: {@code socket(AF_INET, SOCK_RAW, 112) failed: EPERM (Operation not permitted) - needs
 * CAP_NET_ADMIN / CAP_NET_RAW (run as root or grant the capabilities)}.
 */
public class NativeException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    NativeException(String call, int errno, String description) {
        this(call, errno, description, Errno.hint(errno));
    }

    /** With a hint of the caller's instead of the errno's usual one. */
    NativeException(String call, int errno, String description, String hint) {
        super(message(call, errno, description, hint));
        this.call = call;
        this.errno = errno;
    }

    /** The call that failed, with its interesting arguments, e.g. {@code setsockopt(IP_ADD_MEMBERSHIP)}. */
    public String call() {
        return call;
    }

    /** The positive errno value, e.g. 1 for EPERM. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code EPERM}, or {@code errno <n>} for one without a known name. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** Whether the kernel refused for lack of privileges (EPERM or EACCES). */
    public boolean isPermissionDenied() {
        return errno == Errno.EPERM || errno == Errno.EACCES;
    }

    private static String message(String call, int errno, String description, String hint) {
        StringBuilder sb = new StringBuilder(call).append(" failed: ").append(Errno.name(errno));
        if (description != null && !description.isEmpty()) {
            sb.append(" (").append(description).append(')');
        }
        if (hint != null) {
            sb.append(" - ").append(hint);
        }
        return sb.toString();
    }
}
