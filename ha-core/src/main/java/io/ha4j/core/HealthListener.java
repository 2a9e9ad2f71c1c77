package io.ha4j.core;

/**
 * Told when a {@link HealthChecker} changes between {@link HealthStatus#UP} and {@link HealthStatus#DOWN}
 * (after {@code rise} or {@code fall} consecutive results), never for results that change nothing.
 *
 * <p>Contract: called on the cluster's scheduler thread unless added with an executor; must not block;
 * exceptions are logged and contained. When it runs, {@link HealthChecker#status()} may already differ; a
 * later call will report that.
 */
@FunctionalInterface
public interface HealthListener {

    void onHealthChanged(HealthChecker checker, HealthStatus status, CheckResult cause);
}
