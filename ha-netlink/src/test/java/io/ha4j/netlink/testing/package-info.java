/**
 * Test kit for code that needs real Linux networking: {@link io.ha4j.netlink.testing.TestNetwork} builds
 * network namespaces joined by a bridge, {@link io.ha4j.netlink.testing.KeepalivedProcess} runs Debian's
 * keepalived inside one of them. Both need root and the {@code ip} tool (iproute2); they clean up on close and
 * in a JVM shutdown hook, and refuse addresses outside 198.18.0.0/15 (and IPv6 link-local fe80::/10).
 *
 * <p>Used by ha-netlink's own tests and by other modules' tests (ha-vrrp interop, ha-examples) through
 * ha-netlink's test jar ({@code <type>test-jar</type>}, test scope): the kits start processes, so they stay out
 * of the library jar.
 */
package io.ha4j.netlink.testing;
