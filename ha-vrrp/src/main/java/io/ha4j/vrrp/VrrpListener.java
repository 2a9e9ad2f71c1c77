package io.ha4j.vrrp;

/**
 * Told when a {@link VrrpInstance} changes state. Override {@link #stateChanged} to see every transition, or
 * the per-state methods it calls by default.
 *
 * <p>Contract (Curator's {@code LeaderLatchListener}):
 * <ul>
 *   <li>Called on the instance's scheduler thread unless the listener was added with an executor; it must not
 *       block there. The final {@link #onStopped} runs on the thread that called {@link VrrpInstance#close()}.
 *       Callbacks of one instance arrive in order on those threads or on a single-threaded executor.</li>
 *   <li>By the time a callback runs the state may already have changed (a higher-priority router appeared, a
 *       check failed): {@link VrrpInstance#isMaster()} may be false inside {@link #onMaster}. The opposite
 *       callback always follows, so act on the latest call, not on a snapshot.</li>
 *   <li>On {@code onMaster} the VIPs are added and announced and the first advert is out. On leaving MASTER
 *       without a choice (FAULT, a VIP removed by someone else, a sync-group move) the VIPs were removed before the
 *       callback. On a planned move ({@link VrrpInstance#stepDown}, preemption by a higher-priority master,
 *       {@link VrrpInstance#close()}) they are kept make-before-break: {@code onBackup} (or {@code onStopped} on
 *       close) comes when the move starts, {@link #onHandoverCompleted} when they were removed; on close,
 *       {@code onHandoverCompleted} comes before {@code onStopped}.</li>
 *   <li>A listener that throws is logged and contained; it never stops the instance.</li>
 * </ul>
 */
public interface VrrpListener {

    /** Every transition; by default dispatches to the per-state methods below. */
    default void stateChanged(VrrpInstance instance, VrrpState from, VrrpState to, String reason) {
        switch (to) {
            case MASTER:
                onMaster(instance);
                break;
            case BACKUP:
                onBackup(instance);
                break;
            case FAULT:
                onFault(instance, reason);
                break;
            case STOP:
                onStopped(instance);
                break;
            default:
                break;
        }
    }

    /** This node now holds the virtual addresses. */
    default void onMaster(VrrpInstance instance) {
    }

    /** This node is a backup (at start, or after losing mastership). */
    default void onBackup(VrrpInstance instance) {
    }

    /** This node cannot serve: {@code reason} names the failed check, interface or sync-group member. */
    default void onFault(VrrpInstance instance, String reason) {
    }

    /**
     * A planned move is complete: the VIPs this node kept after leaving MASTER on purpose were removed, because the
     * new master was heard ({@code newMasterHeard}) or because none appeared within Master_Down_Interval, or a fault
     * or {@code close()} cut the wait short ({@code false}). A balancer can end the connections that arrived on them
     * now (ha-proxy's {@code TcpBalancer} does so on its own through the cluster's VIP manager). A host that only
     * listens to its {@code HaCluster} gets the same as an {@link io.ha4j.core.HaEvent} of kind
     * {@link io.ha4j.core.HaEvent.Kind#HANDOVER_COMPLETED}, published just before this call.
     */
    default void onHandoverCompleted(VrrpInstance instance, boolean newMasterHeard) {
    }

    /** The instance was closed; it released its addresses. Last callback. */
    default void onStopped(VrrpInstance instance) {
    }
}
