package io.ha4j.vrrp;

import io.ha4j.core.Clock;
import io.ha4j.core.Leadership;
import io.ha4j.core.LeadershipListener;
import io.ha4j.core.internal.LeadershipState;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * {@link io.ha4j.core.LeaderElection} for one {@link VrrpInstance}: MASTER is leadership. It listens to the
 * instance's own transitions (registered first, so it is up to date before the user's {@link VrrpListener}s run),
 * on the thread that delivers them: the scheduler thread, or the closing thread for the final STOP.
 *
 * <p>The fencing token counts this instance's transitions to MASTER, starting at 1. VRRP has no shared store to
 * order the terms of different routers, so the token only orders the terms of this node (see
 * {@link io.ha4j.core.LeaderElection}).
 */
final class VrrpLeadership implements VrrpListener {

    private final Supplier<Clock> clock;
    private final LeadershipState state = new LeadershipState();
    private long terms;

    VrrpLeadership(Supplier<Clock> clock) {
        this.clock = clock;
    }

    @Override
    public void stateChanged(VrrpInstance instance, VrrpState from, VrrpState to, String reason) {
        if (to == VrrpState.MASTER) {
            state.lead(new Leadership(++terms, clock.get().nanoTime()));
        } else if (to == VrrpState.STOP) {
            state.close();
        } else {
            state.release();
        }
    }

    Optional<Leadership> leadership() {
        return state.current();
    }

    Optional<Leadership> await(Duration timeout) throws InterruptedException {
        return state.await(timeout);
    }

    void addListener(LeadershipListener listener, Executor executor) {
        state.addListener(listener, executor);
    }

    void removeListener(LeadershipListener listener) {
        state.removeListener(listener);
    }
}
