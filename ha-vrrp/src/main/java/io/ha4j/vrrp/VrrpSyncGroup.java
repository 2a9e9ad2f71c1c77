package io.ha4j.vrrp;

import java.util.List;
import java.util.Objects;

/**
 * Instances that move together (keepalived's {@code vrrp_sync_group}), e.g. the outside and inside VIPs of one
 * router, or an IPv4 and an IPv6 instance for the same service:
 * <ul>
 *   <li>when one member becomes MASTER, every BACKUP member becomes MASTER too;</li>
 *   <li>when one member leaves MASTER for BACKUP (a higher-priority router appeared, or
 *       {@link VrrpInstance#stepDown}), every MASTER member goes BACKUP; as that member's move is planned, so are
 *       theirs: each sends priority 0 and keeps its VIPs until its own new master is heard (make-before-break, see
 *       {@link VrrpInstance.Builder#handoverLinger}), and a step-down's hold applies to every member (ending it
 *       on any one member is enough: the member that preempts brings the others along);</li>
 *   <li>while one member is in FAULT because of its own tracking, every other member is in FAULT as well; when it
 *       recovers, they all leave FAULT together.</li>
 * </ul>
 * Stopping one member does not stop the others. As keepalived's manual advises, members should track with weight 0
 * (FAULT) rather than with priority weights, or the group keeps re-electing.
 *
 * <p>Create the group before starting its members; they then share one lock, so a transition and what it
 * propagates happen atomically on the scheduler thread. Start and close the members themselves (e.g. add them
 * to the cluster).
 */
public final class VrrpSyncGroup {

    private final String name;
    private final List<VrrpInstance> members;
    private final Object lock = new Object();
    private boolean propagating;

    private VrrpSyncGroup(String name, List<VrrpInstance> members) {
        this.name = name;
        this.members = members;
    }

    /**
     * Groups {@code members} (at least two, none started, none in another group).
     *
     * @throws IllegalArgumentException with fewer than two members or a member listed twice
     * @throws IllegalStateException when a member has started or is in another group
     */
    public static VrrpSyncGroup of(String name, VrrpInstance... members) {
        Objects.requireNonNull(name, "name");
        List<VrrpInstance> list = List.of(members);
        if (list.size() < 2) {
            throw new IllegalArgumentException("sync group '" + name + "' needs at least 2 members, has " + list.size());
        }
        if (list.stream().distinct().count() != list.size()) {
            throw new IllegalArgumentException("sync group '" + name + "' lists a member twice");
        }
        VrrpSyncGroup group = new VrrpSyncGroup(name, list);
        for (VrrpInstance member : list) {
            member.joinSyncGroup(group, group.lock);
        }
        return group;
    }

    public String name() {
        return name;
    }

    public List<VrrpInstance> members() {
        return members;
    }

    /** Whether every member is MASTER. */
    public boolean isMaster() {
        return members.stream().allMatch(VrrpInstance::isMaster);
    }

    /** A member changed state on its own (lock held). */
    void memberChanged(VrrpInstance source, VrrpState from, VrrpState to, String reason, long now) {
        if (propagating) {
            return;
        }
        propagating = true;
        try {
            for (VrrpInstance other : members) {
                VrrpStateMachine machine = other.machine();
                if (other == source || machine == null) {
                    continue;
                }
                if (to == VrrpState.MASTER) {
                    machine.syncMaster("sync group '" + name + "': " + source.name() + " became MASTER", now);
                } else if (to == VrrpState.BACKUP && from == VrrpState.MASTER) {
                    machine.syncBackup("sync group '" + name + "': " + source.name() + " left MASTER", source.machine(), now);
                }
                other.rearm();
            }
        } finally {
            propagating = false;
        }
    }

    /** A member's own tracking fault may have changed (lock held): every member is in FAULT while another one is. */
    void faultsChanged(long now) {
        for (VrrpInstance member : members) {
            VrrpStateMachine machine = member.machine();
            if (machine == null) {
                continue;
            }
            VrrpInstance faulty = null;
            for (VrrpInstance other : members) {
                if (other != member && other.hasOwnFault()) {
                    faulty = other;
                    break;
                }
            }
            machine.fault(VrrpStateMachine.FAULT_SYNC_GROUP, faulty != null,
                    faulty != null ? "sync group '" + name + "': " + faulty.name() + " is in FAULT"
                            : "sync group '" + name + "' recovered", now);
        }
        for (VrrpInstance member : members) {
            member.rearm();
        }
    }

    @Override
    public String toString() {
        return "VrrpSyncGroup[" + name + ", " + members + "]";
    }
}
