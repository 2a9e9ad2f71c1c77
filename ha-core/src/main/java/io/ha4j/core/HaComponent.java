package io.ha4j.core;

/**
 * The component SPI: what {@link HaCluster} starts and stops. {@code VrrpInstance}, {@code TcpBalancer} and
 * {@link HealthChecker} implement it, and so can a user's own component.
 *
 * <p>Contract for implementors:
 * <ul>
 *   <li>{@link #start(ComponentContext)} is called at most once. If it throws, {@link #close()} is still
 *       called, so a half-started component must release what it took.</li>
 *   <li>{@link #close()} is idempotent, may be called without {@code start}, and releases everything:
 *       threads, sockets, file descriptors, VIPs. It should not throw; if it does the error is logged and
 *       the other components are still closed.</li>
 *   <li>State changes are reported through {@link ComponentContext#publish(HaEvent)}.</li>
 * </ul>
 */
public interface HaComponent extends AutoCloseable {

    /** Unique within a cluster; used in events and logs. */
    String name();

    /** When this component starts relative to the others. */
    Phase phase();

    /** Starts the component with the cluster's clock, scheduler, VIP manager and event sink. */
    void start(ComponentContext context) throws Exception;

    /** Stops the component and releases everything it holds. Idempotent. */
    @Override
    void close();
}
