package io.ha4j.proxy;

/** Which Netty transport a {@link TcpBalancer} uses for its sockets. */
public enum Transport {

    /** Native epoll when Netty's epoll library loads on this machine, NIO otherwise. The default. */
    AUTO,

    /** Native epoll; {@link TcpBalancer#start()} fails naming the cause when it is not available. */
    EPOLL,

    /** The JDK's NIO selector transport (portable; Netty channels, one event loop accepts per address). */
    NIO
}
