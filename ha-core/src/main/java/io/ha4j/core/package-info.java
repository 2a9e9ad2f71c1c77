/**
 * The core of ha4j: {@link io.ha4j.core.HaCluster} (the composition root) and the
 * {@link io.ha4j.core.HaComponent} SPI that VRRP instances, TCP balancers and health checkers plug into; the
 * time seam ({@link io.ha4j.core.Clock}, {@link io.ha4j.core.Scheduler}); {@link io.ha4j.core.HealthChecker}
 * with HAProxy's rise/fall counter and the ready-made checks ({@link io.ha4j.core.HealthCheck#tcp},
 * {@link io.ha4j.core.HttpCheck}, {@link io.ha4j.core.TlsHandshakeCheck}, {@link io.ha4j.core.CommandCheck});
 * and the {@link io.ha4j.core.VipManager} interface with its in-memory implementation.
 *
 * <p>Test kits for users' own tests live in {@link io.ha4j.core.testing}; {@code io.ha4j.core.internal} is not
 * API.
 */
package io.ha4j.core;
