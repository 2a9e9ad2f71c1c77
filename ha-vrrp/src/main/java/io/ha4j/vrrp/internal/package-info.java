/**
 * <em>Internal use only</em>, not API: may change in any release. The VRRP advert codec ({@link
 * io.ha4j.vrrp.internal.VrrpPacket}, {@link io.ha4j.vrrp.internal.Checksum}), public only so that ha4j's own JMH
 * benchmarks can measure it without compiling into {@code io.ha4j.vrrp}.
 */
package io.ha4j.vrrp.internal;
