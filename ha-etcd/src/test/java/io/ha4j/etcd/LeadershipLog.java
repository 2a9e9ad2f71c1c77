package io.ha4j.etcd;

import static org.junit.jupiter.api.Assertions.fail;

import io.ha4j.core.Leadership;
import io.ha4j.core.LeadershipListener;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every candidate's leadership intervals on one monotonic clock ({@link System#nanoTime()}, which on Linux is
 * CLOCK_MONOTONIC and so also comparable with a child JVM's), recorded in the listener callbacks, which run on
 * the thread that made the decision. "Never two leaders at once" is then: sorted by start, every interval begins
 * after the previous one ended.
 */
final class LeadershipLog {

    static final long OPEN = Long.MAX_VALUE;

    static final class Interval {
        final String candidate;
        final long token;
        final long start;
        long end = OPEN;

        Interval(String candidate, long token, long start) {
            this.candidate = candidate;
            this.token = token;
            this.start = start;
        }

        @Override
        public String toString() {
            return candidate + "[token " + token + ", " + start + " .. " + (end == OPEN ? "open" : end) + "]";
        }
    }

    private final List<Interval> intervals = new ArrayList<>();

    LeadershipListener listenerFor(String candidate) {
        return new LeadershipListener() {
            @Override
            public void isLeader(Leadership leadership) {
                lead(candidate, leadership.token(), System.nanoTime());
            }

            @Override
            public void notLeader() {
                notLead(candidate, System.nanoTime());
            }
        };
    }

    synchronized void lead(String candidate, long token, long at) {
        intervals.add(new Interval(candidate, token, at));
    }

    synchronized void notLead(String candidate, long at) {
        for (int i = intervals.size() - 1; i >= 0; i--) {
            Interval interval = intervals.get(i);
            if (interval.candidate.equals(candidate) && interval.end == OPEN) {
                interval.end = at;
                return;
            }
        }
    }

    /** The candidate with an open interval, if one. */
    synchronized Optional<Interval> current() {
        return intervals.stream().filter(i -> i.end == OPEN).reduce((a, b) -> b);
    }

    /** The first interval that started at or after {@code nanos}. */
    synchronized Optional<Interval> firstStartedAfter(long nanos) {
        return intervals.stream().filter(i -> i.start >= nanos).min(Comparator.comparingLong(i -> i.start));
    }

    synchronized List<Interval> intervals() {
        return List.copyOf(intervals);
    }

    /** No two intervals overlap, and every term has a larger token than the one before. */
    synchronized void assertDisjointAndTokensGrow() {
        List<Interval> sorted = new ArrayList<>(intervals);
        sorted.sort(Comparator.comparingLong(i -> i.start));
        for (int i = 1; i < sorted.size(); i++) {
            Interval before = sorted.get(i - 1);
            Interval after = sorted.get(i);
            if (after.start < before.end) {
                fail("two leaders at once: " + before + " and " + after + " in " + sorted);
            }
            if (after.token <= before.token) {
                fail("fencing token did not grow: " + before + " then " + after + " in " + sorted);
            }
        }
        System.out.println("leadership intervals (disjoint, tokens growing): " + sorted);
    }
}
