/**
 * Linux networking for ha4j through JNR-FFI: rtnetlink ({@link io.ha4j.netlink.RouteNetlink},
 * {@link io.ha4j.netlink.NetlinkMonitor}), the Linux {@link io.ha4j.core.VipManager}
 * ({@link io.ha4j.netlink.LinuxVipManager}), raw VRRP sockets ({@link io.ha4j.netlink.VrrpSocket}), gratuitous
 * ARP and unsolicited Neighbor Advertisements ({@link io.ha4j.netlink.NeighborAnnouncer}) and
 * {@code setns} ({@link io.ha4j.netlink.NetworkNamespace}).
 *
 * <p>Check {@link io.ha4j.netlink.Netlink#isAvailable()} first: everything here needs Linux, a loadable libc
 * and CAP_NET_ADMIN + CAP_NET_RAW. Without them every entry point throws an exception that says what is
 * missing; none of them crashes the JVM.
 *
 * <p>Network namespaces: every socket is created in the network namespace of the thread that opens it and
 * stays there, whatever thread uses it later. Open them inside {@link io.ha4j.netlink.NetworkNamespace#run}
 * to work in another namespace.
 *
 * <p>Platforms: Linux x86_64 and arm64 (64-bit only; every struct laid out by hand here has the same layout on
 * both). The JNR bindings ({@code Native}) and the message codecs are package-private and not API.
 */
package io.ha4j.netlink;
