package io.ha4j.examples.agent;

import io.ha4j.core.HaCluster;
import io.ha4j.core.HaComponent;
import io.ha4j.core.VipManager;
import io.ha4j.vrrp.VrrpInstance;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What {@link AgentMapper} made of the configuration: the cluster name and its built (not started)
 * components, in the order they are added to the {@link HaCluster}, and what they share.
 *
 * <p>A plan holds resources from the moment it is made (the event loop group's selectors, the notify scripts'
 * runners), whether or not its cluster ever starts: {@link #close(Duration)} it once the cluster closed, or when
 * it is not started at all ({@code --check}, a failed start).
 *
 * @param clusterName {@code router_id} of keepalived's global_defs when it is a valid cluster name, else {@code ha-agent}
 * @param components every health checker, balancer and VRRP instance, built and validated
 * @param notifyScripts the notify-script runners attached to VRRP instances; closed after the cluster
 * @param needsVipManager whether a VRRP instance will add addresses (then a real run needs root)
 * @param eventLoopGroup the {@code nbthread} event loops every balancer runs on, as HAProxy's threads serve every
 *        frontend; present when the plan has a balancer. Balancers do not shut down a group they were given, so
 *        the plan does, after them
 */
public record AgentPlan(String clusterName, List<HaComponent> components, List<NotifyScripts> notifyScripts,
        boolean needsVipManager, Optional<EventLoopGroup> eventLoopGroup) implements AutoCloseable {

    public AgentPlan {
        components = List.copyOf(components);
        notifyScripts = List.copyOf(notifyScripts);
    }

    /** The VRRP instances among the components. */
    public List<VrrpInstance> vrrpInstances() {
        return components.stream().filter(VrrpInstance.class::isInstance).map(VrrpInstance.class::cast).toList();
    }

    /**
     * A cluster of these components; {@code vipManager} is required when {@link #needsVipManager()}. The VRRP
     * instances follow their interfaces' link state themselves (their raw-socket transport watches rtnetlink).
     */
    public HaCluster newCluster(Optional<VipManager> vipManager) {
        HaCluster.Builder b = HaCluster.builder().name(clusterName);
        vipManager.ifPresent(b::vipManager);
        components.forEach(b::add);
        return b.build();
    }

    /**
     * Releases what the plan holds beyond its components, after they closed (or when they never started): lets
     * notify scripts queued by the stop (priority 0, STOP) start within {@code notifyDeadline} and ends their
     * threads, then shuts the balancers' event loop group down and waits for its threads to end.
     */
    public void close(Duration notifyDeadline) {
        notifyScripts.forEach(n -> n.close(notifyDeadline));
        eventLoopGroup.ifPresent(AgentPlan::shutDown);
    }

    /** {@link #close(Duration)} without waiting for queued notify scripts: for a plan that never ran. */
    @Override
    public void close() {
        close(Duration.ZERO);
    }

    static void shutDown(EventLoopGroup group) {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
