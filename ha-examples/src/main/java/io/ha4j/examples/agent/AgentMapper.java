package io.ha4j.examples.agent;

import io.ha4j.core.HaComponent;
import io.ha4j.core.HealthChecker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Maps the parsed configuration to ha4j components through their builders. Builders validate at
 * {@code build()}; a builder's refusal becomes an error naming the file and line of the section it came
 * from, so {@code --check} catches everything a real start would refuse before it binds or sends anything.
 */
public final class AgentMapper {

    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Diagnostics diagnostics;

    public AgentMapper(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** Builds the components of both configurations; problems go to the diagnostics. */
    public AgentPlan map(Optional<KeepalivedConfig> keepalived, Optional<HaproxyConfig> haproxy) {
        List<HaComponent> components = new ArrayList<>();
        Map<String, HealthChecker> scripts = new LinkedHashMap<>();
        keepalived.ifPresent(k -> mapScripts(k, scripts));
        components.addAll(scripts.values());
        String name = keepalived.flatMap(k -> k.globalDefs().routerId()).filter(id -> CLUSTER_NAME.matcher(id).matches())
                .orElse("ha-agent");
        return new AgentPlan(name, components, false);
    }

    private void mapScripts(KeepalivedConfig config, Map<String, HealthChecker> out) {
        for (KeepalivedConfig.Script script : config.scripts()) {
            boolean tracked = config.instances().stream()
                    .anyMatch(i -> i.trackScripts().stream().anyMatch(t -> t.name().equals(script.name())));
            if (!tracked) {
                warn(script.origin(), "vrrp_script", "'" + script.name() + "' is tracked by no vrrp_instance; it is not run");
                continue;
            }
            try {
                out.put(script.name(), HealthCheckMapping.scriptChecker(script));
            } catch (IllegalArgumentException e) {
                error(script.origin(), "vrrp_script", e.getMessage());
            }
        }
    }

    private void error(Origin at, String keyword, String message) {
        diagnostics.error(at.file(), at.line(), keyword, message);
    }

    private void warn(Origin at, String keyword, String message) {
        diagnostics.warn(at.file(), at.line(), keyword, message);
    }
}
