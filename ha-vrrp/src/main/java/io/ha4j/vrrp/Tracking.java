package io.ha4j.vrrp;

import io.ha4j.core.HealthChecker;
import io.ha4j.core.HealthStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * keepalived's {@code track_script} / {@code track_interface} for one instance: from the tracked checks' status and
 * the link state the transport reports, the effective priority (base + weights, clamped to [1, 254]; an owner's 255
 * never changes) and the tracking fault (a weight-0 tracker that is down). A positive weight counts while up, a
 * negative one while down, {@code reverse} swaps up and down. Interfaces count as up until reported otherwise.
 */
final class Tracking {

    /** {@code track_script NAME weight W [reverse]}. */
    record TrackedCheck(HealthChecker checker, int weight, boolean reverse) {
    }

    /** {@code track_interface NAME weight W [reverse]}. */
    record TrackedInterface(String name, int weight, boolean reverse) {
    }

    private final VrrpConfig config;
    private final Map<String, Boolean> interfaceUp = new ConcurrentHashMap<>();

    /** The configured priority until the host sets another at runtime; written by any thread. */
    private volatile int basePriority;

    Tracking(VrrpConfig config) {
        this.config = config;
        this.basePriority = config.priority();
    }

    int basePriority() {
        return basePriority;
    }

    void basePriority(int priority) {
        this.basePriority = priority;
    }

    /** The interfaces whose link state the transport must report: the instance's own first. */
    List<String> watchedInterfaces() {
        List<String> watched = new ArrayList<>();
        watched.add(config.interfaceName());
        for (TrackedInterface t : config.trackedInterfaces()) {
            if (!t.name().equals(config.interfaceName())) {
                watched.add(t.name());
            }
        }
        return watched;
    }

    /** Records a link state from any thread; returns whether the interface is tracked (then re-{@link #apply}). */
    boolean interfaceStateChanged(String interfaceName, boolean up) {
        for (TrackedInterface t : config.trackedInterfaces()) {
            if (t.name().equals(interfaceName)) {
                interfaceUp.put(interfaceName, up);
                return true;
            }
        }
        return false;
    }

    /** Recomputes effective priority and the tracking fault and hands both to {@code machine}. */
    void apply(VrrpStateMachine machine, long now) {
        int priority = basePriority;
        int effective = priority;
        String fault = null;
        for (TrackedCheck t : config.trackedChecks()) {
            boolean up = (t.checker().status() == HealthStatus.UP) != t.reverse();
            if (t.weight() == 0) {
                if (!up && fault == null) {
                    fault = "tracked check '" + t.checker().name() + "' is " + (t.reverse() ? "up (reverse)" : "down");
                }
            } else if (t.weight() > 0 ? up : !up) {
                effective += t.weight();
            }
        }
        for (TrackedInterface t : config.trackedInterfaces()) {
            boolean up = interfaceUp.getOrDefault(t.name(), true) != t.reverse();
            if (t.weight() == 0) {
                if (!up && fault == null) {
                    fault = "interface " + t.name() + " is " + (t.reverse() ? "up (reverse)" : "down");
                }
            } else if (t.weight() > 0 ? up : !up) {
                effective += t.weight();
            }
        }
        effective = priority == 255 ? 255 : Math.max(1, Math.min(254, effective));
        machine.effectivePriority(effective, now);
        machine.fault(VrrpStateMachine.FAULT_TRACKING, fault != null, fault == null ? "tracking recovered" : fault, now);
    }
}
