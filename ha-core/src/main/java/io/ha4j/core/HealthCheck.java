package io.ha4j.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * One probe of a target, run by a {@link HealthChecker} every interval.
 *
 * <p>Contract: {@link #run(Duration)} runs on a thread of the cluster's blocking executor and may block up
 * to {@code timeout}. The checker also enforces the timeout on its own clock and interrupts a check that
 * overruns, so a check must stop when interrupted (and kill what it started). A check that throws has
 * failed, with the exception as the reason.
 *
 * <p>Ready-made checks: {@link #tcp(String, int)} here, {@link HttpCheck} (HTTP and HTTPS GET with expected
 * status), {@link TlsHandshakeCheck}, {@link CommandCheck}, and any lambda through {@link #of}.
 */
@FunctionalInterface
public interface HealthCheck {

    /** Runs the probe once. */
    CheckResult run(Duration timeout) throws Exception;

    /** How this check appears in logs and stats, e.g. {@code "tcp 127.0.0.1:6443"}. */
    default String description() {
        return getClass().getSimpleName();
    }

    /** A custom check from a condition; {@code description} names it in logs. */
    static HealthCheck of(String description, BooleanSupplier condition) {
        Objects.requireNonNull(condition, "condition");
        return new HealthCheck() {
            @Override
            public CheckResult run(Duration timeout) {
                return condition.getAsBoolean() ? CheckResult.passed(description) : CheckResult.failed(description + " is false");
            }

            @Override
            public String description() {
                return description;
            }
        };
    }

    /** Passes when a TCP connection to {@code host:port} is established within the timeout (HAProxy's plain {@code check}). */
    static HealthCheck tcp(String host, int port) {
        return tcp(new InetSocketAddress(host, port));
    }

    /** Passes when a TCP connection to {@code target} is established within the timeout. */
    static HealthCheck tcp(InetSocketAddress target) {
        Objects.requireNonNull(target, "target");
        return new HealthCheck() {
            @Override
            public CheckResult run(Duration timeout) {
                try (Probe probe = new Probe(timeout)) {
                    try {
                        probe.connect(target);
                        return CheckResult.passed("connected");
                    } catch (IOException e) {
                        return probe.failure(e);
                    }
                }
            }

            @Override
            public String description() {
                return "tcp " + target.getHostString() + ":" + target.getPort();
            }
        };
    }
}
