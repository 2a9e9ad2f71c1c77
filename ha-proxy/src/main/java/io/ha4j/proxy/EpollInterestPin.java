package io.ha4j.proxy;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollIoOps;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code EPOLLERR} in the epoll interest set of a relayed channel whose peer has half-closed, so that
 * the set never becomes empty.
 *
 * <p>Why: Netty 4.2.18–4.2.21 ({@code EpollIoHandler.DefaultEpollIoRegistration.submit}, netty PR #16689)
 * removes a file descriptor from epoll ({@code EPOLL_CTL_DEL}) when its interest set becomes empty, but keeps
 * the registration marked as added, so the next interest change is an {@code EPOLL_CTL_MOD} that fails with
 * {@code ENOENT}. A relayed channel reaches an empty set exactly when its peer has half-closed (read interest
 * and {@code EPOLLRDHUP} are both cleared) while nothing is pending to write; the next write that does not fit
 * the socket buffer then needs {@code EPOLLOUT}, fails, and Netty shuts the output down, dropping what was
 * queued. That is issue 11's "client half-close loses the answer" ({@code HalfCloseTest}): the client got the
 * 4 MB that fit in the socket buffers and a FIN, and the backend a broken pipe. {@code EPOLLERR} is reported
 * by the kernel whatever the mask says, so having it in the mask changes no event; it only keeps the set
 * non-empty, as Netty did before that change.
 *
 * <p>It is set when the channel's input shuts down (the {@code ChannelInputShutdownEvent} comes before
 * Netty clears the last read interest), not for every channel: Netty caches the {@code EpollIoOps} of single
 * flags only, so a pinned channel allocates a small object at each interest change, which would put an
 * allocation on every relayed message of an ordinary stream ({@code RelayPingPongBenchmark -prof gc}). A
 * half-closed channel changes its interest only when a write blocks.
 *
 * <p>{@code AbstractEpollChannel.setFlag} is protected and the channel classes are final, so it is reached
 * once, reflectively, at class load. Where that is refused (Netty on the module path without an
 * {@code --add-opens}), a warning says so once and relayed channels run without the pin.
 */
final class EpollInterestPin {

    private static final Logger LOG = LoggerFactory.getLogger(EpollInterestPin.class);
    private static final String EPOLL_CHANNEL = "io.netty.channel.epoll.AbstractEpollChannel";
    private static final Class<?> EPOLL_CHANNEL_CLASS = epollChannelClass();
    private static final MethodHandle SET_FLAG = lookup();

    private EpollInterestPin() {
    }

    private static Class<?> epollChannelClass() {
        try {
            return Class.forName(EPOLL_CHANNEL, false, Channel.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static MethodHandle lookup() {
        if (EPOLL_CHANNEL_CLASS == null) {
            return null;
        }
        try {
            Method m = EPOLL_CHANNEL_CLASS.getDeclaredMethod("setFlag", int.class);
            m.setAccessible(true);
            return MethodHandles.lookup().unreflect(m).asType(MethodType.methodType(void.class, Channel.class, int.class));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warn("Cannot keep EPOLLERR in the epoll interest set ({}); with epoll, data sent to a peer that has "
                    + "half-closed may be cut short (Netty PR #16689); Transport.NIO avoids it", e.toString());
            return null;
        }
    }

    /** Pins {@code EPOLLERR} on {@code ch} if it is an epoll channel; call on its event loop, once its input is shut. */
    static void pin(Channel ch) {
        if (SET_FLAG != null && EPOLL_CHANNEL_CLASS.isInstance(ch)) {
            try {
                SET_FLAG.invokeExact(ch, EpollIoOps.EPOLLERR.value());
            } catch (Throwable e) {
                LOG.debug("Could not pin EPOLLERR on {}", ch, e);
            }
        }
    }
}
