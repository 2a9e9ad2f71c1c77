package io.ha4j.examples.controller;

import io.ha4j.core.ComponentContext;
import io.ha4j.core.HaComponent;
import io.ha4j.core.LeaderElection;
import io.ha4j.core.Leadership;
import io.ha4j.core.LeadershipListener;
import io.ha4j.core.Phase;
import io.ha4j.core.ScheduledTask;
import io.ha4j.core.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A controller embedded in a Java process that reconciles only while its node leads, through ha-core's
 * {@link LeaderElection} alone, so the same code runs on VRRP ({@code VrrpInstance}) or on etcd
 * ({@code EtcdElection}).
 *
 * <p>On {@code isLeader} it starts a reconcile loop on the cluster's scheduler; every write carries the term's
 * fencing token; the loop ends at {@code notLeader} or as soon as the election no longer reports the same term.
 * As an {@link Phase#APPLICATION} component it is stopped before the election, so at shutdown it stops working
 * first and the election then hands over (VRRP priority 0, etcd lease revoked).
 *
 * <p>With VRRP the token only orders this node's own terms; a resource shared by several nodes needs etcd's
 * cluster-wide token to fence them against each other.
 */
public final class LeaderOnlyController implements HaComponent, LeadershipListener {

    private final String name;
    private final LeaderElection election;
    private final FencedLedger ledger;
    private final Duration period;
    private volatile Scheduler scheduler;
    private Leadership term;
    private ScheduledTask loop;
    private long round;
    private volatile boolean closed;

    public LeaderOnlyController(String name, LeaderElection election, FencedLedger ledger, Duration period) {
        this.name = Objects.requireNonNull(name, "name");
        this.election = Objects.requireNonNull(election, "election");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.period = Objects.requireNonNull(period, "period");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Phase phase() {
        return Phase.APPLICATION;
    }

    @Override
    public void start(ComponentContext context) {
        scheduler = context.scheduler();
        election.addLeadershipListener(this, scheduler);
        election.leadership().ifPresent(this::isLeader);
    }

    /**
     * Called on the scheduler (the listener was added with it as executor), and from {@link #start} when the
     * election already leads; one loop per term.
     */
    @Override
    public synchronized void isLeader(Leadership leadership) {
        if (closed || leadership.equals(term)) {
            return;
        }
        term = leadership;
        scheduler.execute(() -> reconcile(leadership));
    }

    @Override
    public synchronized void notLeader() {
        term = null;
    }

    private void reconcile(Leadership leadership) {
        synchronized (this) {
            Optional<Leadership> now = election.leadership();
            if (closed || !leadership.equals(term) || !now.equals(Optional.of(leadership))) {
                return; // the term ended; the next isLeader starts a new loop
            }
            round++;
            ledger.append(leadership.token(), name + " round " + round);
            loop = scheduler.schedule(() -> reconcile(leadership), period);
        }
    }

    /** How many reconcile rounds this controller ran. */
    public synchronized long rounds() {
        return round;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            term = null;
            if (loop != null) {
                loop.cancel();
            }
        }
        election.removeLeadershipListener(this);
    }
}
