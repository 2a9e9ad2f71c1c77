package io.ha4j.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.Leadership;
import io.ha4j.core.LeadershipListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeadershipStateTest {

    private final LeadershipState state = new LeadershipState();
    private final List<String> calls = new ArrayList<>();
    private final LeadershipListener recorder = new LeadershipListener() {
        @Override
        public void isLeader(Leadership leadership) {
            calls.add("lead " + leadership.token());
        }

        @Override
        public void notLeader() {
            calls.add("not");
        }
    };

    @Test
    void aNewTermEndsTheRunningOneFirstAndReleaseIsIdempotent() {
        state.addListener(recorder, Runnable::run);
        state.lead(new Leadership(1, 10));
        state.lead(new Leadership(2, 20));
        assertTrue(state.release());
        assertFalse(state.release(), "nothing to end");
        assertEquals(List.of("lead 1", "not", "lead 2", "not"), calls);
        assertEquals(Optional.empty(), state.current());
    }

    @Test
    void awaitReturnsTheTermWhenItStartsAndEmptyOnTimeoutOrClose() throws Exception {
        assertEquals(Optional.empty(), state.await(Duration.ofMillis(10)));
        CompletableFuture<Optional<Leadership>> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return state.await(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        state.lead(new Leadership(7, 1));
        assertEquals(Optional.of(new Leadership(7, 1)), waiter.get(10, TimeUnit.SECONDS));

        state.addListener(recorder, Runnable::run);
        state.close();
        assertEquals(List.of("not"), calls, "closing while leading ends the term");
        assertEquals(Optional.empty(), state.await(Duration.ofSeconds(30)), "a closed state never blocks");
    }

    @Test
    void aThrowingListenerDoesNotStopTheOthersAndRemovedOnesHearNothing() {
        state.addListener(new LeadershipListener() {
            @Override
            public void isLeader(Leadership leadership) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void notLeader() {
                throw new IllegalStateException("listener bug");
            }
        }, Runnable::run);
        state.addListener(recorder, Runnable::run);
        state.lead(new Leadership(1, 1));
        state.removeListener(recorder);
        state.release();
        assertEquals(List.of("lead 1"), calls);
    }
}
