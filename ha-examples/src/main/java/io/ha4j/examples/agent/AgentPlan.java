package io.ha4j.examples.agent;

import io.ha4j.core.HaCluster;
import io.ha4j.core.HaComponent;
import io.ha4j.core.VipManager;
import io.ha4j.vrrp.VrrpInstance;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@link AgentMapper} made of the configuration: the cluster name and its built (not started)
 * components, in the order they are added to the {@link HaCluster}.
 *
 * @param clusterName {@code router_id} of keepalived's global_defs when it is a valid cluster name, else {@code ha-agent}
 * @param components every health checker, balancer and VRRP instance, built and validated
 * @param notifyScripts the notify-script runners attached to VRRP instances; closed after the cluster
 * @param needsVipManager whether a VRRP instance will add addresses (then a real run needs root)
 */
public record AgentPlan(String clusterName, List<HaComponent> components, List<NotifyScripts> notifyScripts,
        boolean needsVipManager) {

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

    /** Lets notify scripts queued by the stop (priority 0, STOP) start, then ends their threads. */
    public void closeNotifyScripts(Duration deadline) {
        notifyScripts.forEach(n -> n.close(deadline));
    }
}
