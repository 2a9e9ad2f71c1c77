package io.ha4j.examples.agent;

import io.ha4j.core.HaCluster;
import io.ha4j.core.HaComponent;
import io.ha4j.core.VipManager;
import java.util.List;
import java.util.Optional;

/**
 * What {@link AgentMapper} made of the configuration: the cluster name and its built (not started)
 * components, in the order they are added to the {@link HaCluster}.
 *
 * @param clusterName {@code router_id} of keepalived's global_defs when it is a valid cluster name, else {@code ha-agent}
 * @param components every VRRP instance, balancer and health checker, built and validated
 * @param needsVipManager whether a VRRP instance will add addresses (then a real run needs root)
 */
public record AgentPlan(String clusterName, List<HaComponent> components, boolean needsVipManager) {

    public AgentPlan {
        components = List.copyOf(components);
    }

    /** A cluster of these components; {@code vipManager} is required when {@link #needsVipManager()}. */
    public HaCluster newCluster(Optional<VipManager> vipManager) {
        HaCluster.Builder b = HaCluster.builder().name(clusterName);
        vipManager.ifPresent(b::vipManager);
        components.forEach(b::add);
        return b.build();
    }
}
