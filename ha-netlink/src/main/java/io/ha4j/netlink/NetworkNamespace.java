package io.ha4j.netlink;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * Runs code inside a named network namespace ({@code ip netns add NAME}, i.e. {@code /var/run/netns/NAME})
 * on the calling thread, then moves the thread back.
 *
 * <p>{@code setns(CLONE_NEWNET)} moves only the calling thread; the rest of the JVM stays where it was. Sockets
 * created inside {@link #run} belong to the namespace for their whole life, so the usual pattern is to open
 * sockets ({@link VrrpSocket}, {@link RouteNetlink}, {@link LinuxVipManager}, ...) inside {@code run} and use
 * them anywhere afterwards. Do not call code in {@code run} that starts threads expecting them to inherit the
 * namespace (new threads do inherit it, but pooled threads created earlier do not); use a dedicated thread when
 * in doubt. Needs CAP_SYS_ADMIN.
 */
public final class NetworkNamespace {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private NetworkNamespace() {
    }

    /**
     * Calls {@code body} with the calling thread in namespace {@code name} and restores the thread's original
     * namespace afterwards (also when {@code body} throws).
     *
     * @throws NativeException ENOENT when there is no such namespace, EPERM without CAP_SYS_ADMIN
     * @throws IllegalStateException when the original namespace could not be restored (the thread must not
     *     be used any further)
     */
    public static <T> T run(String name, Callable<T> body) throws Exception {
        Objects.requireNonNull(body, "body");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("namespace name must match " + NAME.pattern() + ", was '" + name + "'");
        }
        int original = Native.open("/proc/thread-self/ns/net", Native.O_RDONLY);
        try {
            int target;
            try {
                target = Native.open("/var/run/netns/" + name, Native.O_RDONLY);
            } catch (NativeException e) {
                if (e.errno() == Errno.ENOENT) {
                    throw new NativeException("open(/var/run/netns/" + name + ")", Errno.ENOENT,
                            "No such file or directory", "no network namespace named '" + name + "' (see `ip netns list`)");
                }
                throw e;
            }
            try {
                Native.setns(target, Native.CLONE_NEWNET, "netns " + name);
            } catch (NativeException e) {
                if (e.isPermissionDenied()) {
                    throw new NativeException(e.call(), e.errno(), "Operation not permitted",
                            "needs CAP_SYS_ADMIN to enter a network namespace (run as root)");
                }
                throw e;
            } finally {
                Native.close(target);
            }
            try {
                return body.call();
            } finally {
                try {
                    Native.setns(original, Native.CLONE_NEWNET, "original netns");
                } catch (IOException e) {
                    throw new IllegalStateException("thread " + Thread.currentThread().getName()
                            + " could not return to its original network namespace", e);
                }
            }
        } finally {
            Native.close(original);
        }
    }

    /** {@link #run} for code that returns nothing. */
    public static void run(String name, ThrowingRunnable body) throws Exception {
        Objects.requireNonNull(body, "body");
        run(name, () -> {
            body.run();
            return null;
        });
    }

    /** A {@link Runnable} that may throw. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }
}
