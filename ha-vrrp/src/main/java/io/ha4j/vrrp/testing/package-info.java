/**
 * Test kit for users' own tests: {@link io.ha4j.vrrp.testing.SimulatedLan}, a segment of simulated routers on a
 * virtual clock ({@link io.ha4j.core.testing.ManualScheduler}) with loss, delay, partitions, pauses and crashes.
 */
package io.ha4j.vrrp.testing;
