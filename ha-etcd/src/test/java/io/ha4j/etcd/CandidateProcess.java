package io.ha4j.etcd;

import io.ha4j.core.Leadership;
import io.ha4j.core.LeadershipListener;
import java.time.Duration;

/**
 * One candidate in a JVM of its own, for the test that kills a leader's JVM: prints {@code LEAD <nanoTime> <token>}
 * and {@code NOTLEAD <nanoTime>} on stdout (System.nanoTime is CLOCK_MONOTONIC, comparable with the parent's) and
 * runs until killed. Arguments: candidate id, TTL in seconds, key prefix, endpoints...
 */
public final class CandidateProcess {

    private CandidateProcess() {
    }

    public static void main(String[] args) throws Exception {
        String[] endpoints = java.util.Arrays.copyOfRange(args, 3, args.length);
        EtcdElection election = EtcdElection.builder("jvm").candidateId(args[0]).ttl(Duration.ofSeconds(Long.parseLong(args[1])))
                .keyPrefix(args[2]).endpoints(endpoints).build();
        election.addLeadershipListener(new LeadershipListener() {
            @Override
            public void isLeader(Leadership leadership) {
                System.out.println("LEAD " + System.nanoTime() + " " + leadership.token());
                System.out.flush();
            }

            @Override
            public void notLeader() {
                System.out.println("NOTLEAD " + System.nanoTime());
                System.out.flush();
            }
        });
        election.start();
        System.out.println("STARTED");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
