package io.ha4j.benchmarks;

import io.ha4j.core.Leadership;
import io.ha4j.core.LeadershipListener;
import io.ha4j.etcd.EtcdElection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Failover time of {@link EtcdElection} against its TTL, run by {@code benchmarks/etcd-failover.sh} against etcd
 * members it started on loopback.
 *
 * <p>One round: a candidate in a JVM of its own leads (steadily, for a TTL); a candidate in this JVM queues behind
 * it; the child is SIGKILLed (no revoke: its lease must expire on the server); the figure is the time from the kill
 * to this JVM's {@code isLeader}. Then a new child queues behind this JVM's leader, which closes (steps down and
 * revokes); the second figure is the time from {@code close()} to the child's {@code isLeader}. Both on
 * {@code System.nanoTime()} (CLOCK_MONOTONIC, shared by the JVMs of one host).
 *
 * <pre>
 * java -cp benchmarks.jar io.ha4j.benchmarks.EtcdFailoverMain ROUNDS TTL_SECONDS... -- ENDPOINT...
 * java -cp benchmarks.jar io.ha4j.benchmarks.EtcdFailoverMain candidate ID TTL_SECONDS PREFIX ENDPOINT...
 * </pre>
 */
public final class EtcdFailoverMain {

    private EtcdFailoverMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("candidate")) {
            candidate(args[1], Long.parseLong(args[2]), args[3], Arrays.copyOfRange(args, 4, args.length));
            return;
        }
        int rounds = Integer.parseInt(args[0]);
        int sep = Arrays.asList(args).indexOf("--");
        String[] endpoints = Arrays.copyOfRange(args, sep + 1, args.length);
        for (int i = 1; i < sep; i++) {
            measure(rounds, Long.parseLong(args[i]), endpoints);
        }
    }

    private static void measure(int rounds, long ttl, String[] endpoints) throws Exception {
        List<Double> crash = new ArrayList<>();
        List<Double> graceful = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            String prefix = "/bench/failover/" + ttl + "s-" + round + "-" + System.nanoTime() + "/";
            Child first = Child.start("child-a", ttl, prefix, endpoints);
            first.awaitLeading(ttl);
            CompletableFuture<Long> localLeads = new CompletableFuture<>();
            EtcdElection local = EtcdElection.builder("bench").candidateId("local").ttl(Duration.ofSeconds(ttl))
                    .keyPrefix(prefix).endpoints(endpoints).build();
            local.addLeadershipListener(new LeadershipListener() {
                @Override
                public void isLeader(Leadership leadership) {
                    localLeads.complete(System.nanoTime());
                }

                @Override
                public void notLeader() {
                }
            });
            local.start();
            long observeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!local.currentLeader().map("child-a"::equals).orElse(false) && System.nanoTime() < observeDeadline) {
                Thread.sleep(10);
            }
            long killed = first.kill();
            long leads = localLeads.get(ttl * 5 + 30, TimeUnit.SECONDS);
            crash.add((leads - killed) / 1e6);

            Child second = Child.start("child-b", ttl, prefix, endpoints);
            observeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!second.queued && System.nanoTime() < observeDeadline) {
                Thread.sleep(10);
            }
            Thread.sleep(500); // its key is written and its watch is on
            long closing = System.nanoTime();
            local.close();
            long handedOver = second.leading.get(ttl * 5 + 30, TimeUnit.SECONDS);
            graceful.add((handedOver - closing) / 1e6);
            second.kill();
            System.out.printf("TTL %d s round %d: crash failover %.0f ms, graceful hand-over %.1f ms%n", ttl, round + 1,
                    crash.get(round), graceful.get(round));
        }
        System.out.printf("TTL %d s, %d rounds: crash failover median %.0f ms [%.0f..%.0f]; graceful hand-over median "
                        + "%.1f ms [%.1f..%.1f]%n", ttl, rounds, median(crash), Collections.min(crash), Collections.max(crash),
                median(graceful), Collections.min(graceful), Collections.max(graceful));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** A candidate JVM that reports QUEUED, LEAD and NOTLEAD with its nanoTime on stdout. */
    private static final class Child {
        final Process process;
        final CompletableFuture<Long> leading = new CompletableFuture<>();
        volatile boolean queued;
        volatile long leadingSince = -1;

        private Child(Process process) {
            this.process = process;
            Thread reader = new Thread(this::read, "child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(String id, long ttl, String prefix, String[] endpoints) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java, "-Xss512k", "-cp", System.getProperty("java.class.path"),
                    EtcdFailoverMain.class.getName(), "candidate", id, Long.toString(ttl), prefix));
            cmd.addAll(List.of(endpoints));
            return new Child(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }

        private void read() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    String[] parts = line.split(" ");
                    if (parts[0].equals("LEAD")) {
                        leadingSince = Long.parseLong(parts[1]);
                        leading.complete(leadingSince);
                    } else if (parts[0].equals("NOTLEAD")) {
                        leadingSince = -1;
                    } else if (parts[0].equals("QUEUED")) {
                        queued = true;
                    }
                }
            } catch (java.io.IOException e) {
                // killed
            }
        }

        /** Until it has led for a TTL: a cold JVM's first lease can lapse while its classes load. */
        void awaitLeading(long ttl) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                long since = leadingSince;
                if (since > 0 && System.nanoTime() - since > TimeUnit.SECONDS.toNanos(ttl)) {
                    return;
                }
                Thread.sleep(10);
            }
            throw new IllegalStateException("the child JVM did not lead");
        }

        /** SIGKILL; returns the time the process was gone. */
        long kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            return System.nanoTime();
        }
    }

    private static void candidate(String id, long ttl, String prefix, String[] endpoints) throws Exception {
        EtcdElection election = EtcdElection.builder("bench").candidateId(id).ttl(Duration.ofSeconds(ttl))
                .keyPrefix(prefix).endpoints(endpoints).build();
        election.addLeadershipListener(new LeadershipListener() {
            @Override
            public void isLeader(Leadership leadership) {
                System.out.println("LEAD " + System.nanoTime());
                System.out.flush();
            }

            @Override
            public void notLeader() {
                System.out.println("NOTLEAD " + System.nanoTime());
                System.out.flush();
            }
        });
        election.start();
        while (true) {
            if (election.currentLeader().isPresent() && !election.hasLeadership()) {
                System.out.println("QUEUED");
                System.out.flush();
            }
            Thread.sleep(100);
        }
    }
}
