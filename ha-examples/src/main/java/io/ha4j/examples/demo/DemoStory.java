package io.ha4j.examples.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The demo's timeline, the same for the real and the simulated control plane:
 *
 * <ol>
 *   <li>the highest-priority node starts and becomes master (it holds the VIP), then the two others join as
 *       backups; the master's balancer reports all three apiservers UP;</li>
 *   <li>the client sends {@code GET /version} through the VIP every 100 ms and holds a watch open;</li>
 *   <li>the master crashes ({@code kill -9}, link down): the client's outage is measured and the new master
 *       named;</li>
 *   <li>the apiserver serving the watch shuts down ({@code /readyz} 503) and stops: it leaves every balancer's
 *       pool and the watch resumes on another apiserver;</li>
 *   <li>the crashed node comes back: with preemption it takes the VIP back, make-before-break (the old master
 *       keeps the VIP until it hears the new one, and its balancer ends the client connections that arrived on the
 *       VIP, so the watch ends at once and resumes on the new master: the demo prints how long the reconnect took);
 *       with {@code --nopreempt} it stays backup.</li>
 * </ol>
 *
 * Every wait has a deadline; an expectation that does not hold is recorded in the outcome and the story goes
 * on where it can, so that the summary shows everything that happened.
 */
final class DemoStory {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(25);

    private final ControlPlane plane;
    private final Timeline tl;
    private final DemoOptions options;
    private final List<String> failures = new ArrayList<>();

    DemoStory(ControlPlane plane, Timeline timeline, DemoOptions options) {
        this.plane = plane;
        this.tl = timeline;
        this.options = options;
    }

    DemoOutcome run() throws Exception {
        List<String> nodes = plane.nodes();
        for (String line : plane.describe()) {
            tl.say(line);
        }

        String first = nodes.get(0);
        tl.step("1. Start " + first + " (highest priority, keepalived's state MASTER), then " + String.join(" and ",
                nodes.subList(1, nodes.size())) + "; each runs an apiserver, a balancer and VRRP");
        plane.startNode(first);
        if (!tl.await(START_TIMEOUT, t -> t.masters().equals(List.of(first)))) {
            failures.add(first + " did not become master within " + START_TIMEOUT.toSeconds() + " s; VRRP states: " + states(nodes));
            return outcome("", "", "", null, "", List.of(), "", false, "", null, null);
        }
        for (String n : nodes.subList(1, nodes.size())) {
            plane.startNode(n);
        }
        boolean settled = tl.await(START_TIMEOUT, t -> t.masters().equals(List.of(first))
                && nodes.subList(1, nodes.size()).stream().allMatch(n -> t.vrrpState(n).orElse("").equals("BACKUP")));
        if (!settled) {
            failures.add("the nodes did not settle with " + first + " master and the others backup; VRRP states: " + states(nodes));
            return outcome("", "", "", null, "", List.of(), "", false, "", null, null);
        }
        String master = first;
        if (!tl.await(START_TIMEOUT, t -> nodes.stream().allMatch(b -> t.backendState(master, b).orElse("").equals("UP")))) {
            failures.add("the balancer on " + master + " did not report all three apiservers UP");
        }
        checkVip("after start", master);

        tl.step("2. Start the client: GET /version via VIP every 100 ms, and a watch on pods");
        long clientStart = tl.clock().nanoTime();
        plane.startClient();
        if (!tl.await(STEP_TIMEOUT, t -> t.answeredSince(clientStart) && lastWatchEvent(t, clientStart).isPresent())) {
            failures.add("the client got no answer or no watch event through the VIP");
        }
        tl.pause(options.steady());

        tl.step("3. Crash the master " + master);
        long crashAt = tl.clock().nanoTime();
        plane.crash(master);
        tl.await(STEP_TIMEOUT, t -> t.masters().size() == 1 && !t.masters().contains(master));
        String newMaster = tl.masters().size() == 1 && !tl.masters().contains(master) ? tl.masters().get(0) : "";
        Timeline.Outage crashOutage = null;
        if (newMaster.isEmpty()) {
            failures.add("no new master within " + STEP_TIMEOUT.toSeconds() + " s after the crash; VRRP states: " + states(nodes));
        } else {
            long masterAt = masterSince(newMaster, crashAt);
            if (!tl.await(STEP_TIMEOUT, t -> t.answeredSince(masterAt))) {
                failures.add("the client got no answer through the VIP after " + newMaster + " became master");
            }
            tl.pause(options.steady());
            crashOutage = tl.outage(crashAt, tl.clock().nanoTime());
            tl.say("client outage during the failover: longest gap between answers " + crashOutage.longestGap().toMillis()
                    + " ms, " + crashOutage.failedRequests() + " requests failed; " + newMaster + " became master "
                    + Timeline.millis(masterAt - crashAt) + " ms after the crash");
            checkVip("after the crash", newMaster);
        }

        List<String> live = nodes.stream().filter(n -> !n.equals(master)).toList();
        tl.step("4. Shut down, then stop, the apiserver that serves the client's watch");
        String stopped = "";
        List<String> leftPoolOn = new ArrayList<>();
        String resumedOn = "";
        if (!tl.await(STEP_TIMEOUT, t -> live.contains(t.watchServedBy()) && lastWatchEvent(t, crashAt).isPresent())) {
            failures.add("the watch did not reconnect to a live apiserver after the crash");
        } else {
            stopped = tl.watchServedBy();
            String s = stopped;
            tl.say("the watch is served by " + s + "; its apiserver starts shutting down (/readyz 503, /healthz 200)");
            plane.shutDownApiserver(s);
            tl.await(STEP_TIMEOUT, t -> live.stream().allMatch(n -> t.backendState(n, s).orElse("").equals("DOWN")));
            for (String n : live) {
                if (tl.backendState(n, s).orElse("").equals("DOWN")) {
                    leftPoolOn.add(n);
                }
            }
            if (leftPoolOn.size() != live.size()) {
                failures.add("apiserver " + s + " left the pool only on " + leftPoolOn + " of " + live);
            }
            tl.say("apiserver " + s + " is out of the pool on " + String.join(", ", leftPoolOn) + "; now it stops");
            long stopAt = tl.clock().nanoTime();
            plane.stopApiserver(s);
            tl.await(STEP_TIMEOUT, t -> lastWatchEvent(t, stopAt).filter(e -> !e.subject().equals(s)).isPresent());
            resumedOn = lastWatchEvent(tl, stopAt).map(DemoEvent::subject).filter(b -> !b.equals(s)).orElse("");
            if (resumedOn.isEmpty()) {
                failures.add("the watch did not resume on another apiserver after " + s + " stopped");
            }
            tl.pause(options.steady());
        }

        tl.step("5. " + master + " comes back (" + (options.preempt() ? "preempt: it should take the VIP back"
                : "nopreempt: it should stay backup") + ")");
        long returnAt = tl.clock().nanoTime();
        plane.revive(master);
        if (options.preempt()) {
            if (tl.await(STEP_TIMEOUT, t -> t.masters().equals(List.of(master)))) {
                long backAt = masterSince(master, returnAt);
                tl.await(STEP_TIMEOUT, t -> t.answeredSince(backAt));
            } else {
                failures.add(master + " did not take the VIP back (preempt); VRRP states: " + states(nodes));
            }
        } else {
            if (!tl.await(STEP_TIMEOUT, t -> t.vrrpState(master).orElse("").equals("BACKUP"))) {
                failures.add(master + " did not come back as BACKUP; VRRP states: " + states(nodes));
            }
            // long enough for a preempting node to have taken over: Master_Down_Interval and a margin
            tl.pause(options.advertInterval().multipliedBy(4).plusSeconds(1));
        }
        tl.pause(options.steady());
        Timeline.Outage returnOutage = tl.outage(returnAt, tl.clock().nanoTime());
        DemoOutcome.WatchMove watchMove = watchMove(returnAt);
        if (options.preempt() && plane.clientThroughVip()) {
            if (watchMove == null) {
                failures.add("the watch through the VIP did not end when the VIP left " + newMaster);
            } else {
                tl.say("the watch through the VIP ended when the VIP left " + newMaster + " (" + watchMove.endedBy()
                        + ") and reconnected " + watchMove.reconnect().toMillis() + " ms later, on "
                        + watchMove.resumedOn());
                if (watchMove.endedBy().startsWith("timeout")) {
                    failures.add("the watch hung until the client's read timeout instead of ending when the VIP left");
                }
            }
        }
        String expectedHolder = options.preempt() ? master : newMaster;
        String holder = checkVip("after " + master + " came back", expectedHolder);
        tl.say("client outage while " + master + " came back: longest gap " + returnOutage.longestGap().toMillis()
                + " ms, " + returnOutage.failedRequests() + " requests failed");

        return outcome(master, master, newMaster, crashOutage, stopped, leftPoolOn, resumedOn, options.preempt(),
                holder, returnOutage, watchMove);
    }

    private DemoOutcome outcome(String initial, String crashed, String newMaster, Timeline.Outage crashOutage,
                                String stopped, List<String> leftPoolOn, String resumedOn, boolean preempt,
                                String holder, Timeline.Outage returnOutage, DemoOutcome.WatchMove watchMove) {
        long answered = tl.count(DemoEvent.Kind.REQUEST, "OK", Long.MIN_VALUE);
        long failed = tl.count(DemoEvent.Kind.REQUEST, "FAILED", Long.MIN_VALUE);
        if (tl.watchEventsLost() > 0) {
            failures.add("the watch lost " + tl.watchEventsLost() + " events");
        }
        DemoOutcome o = new DemoOutcome(initial, crashed, newMaster, crashOutage, stopped, List.copyOf(leftPoolOn),
                resumedOn, tl.watchEventsLost(), preempt, holder, returnOutage, watchMove, answered, failed, List.copyOf(failures));
        summary(o);
        return o;
    }

    private void summary(DemoOutcome o) {
        tl.step("Summary");
        tl.say("initial master:            " + o.initialMaster());
        if (o.crashOutage() != null) {
            tl.say("master " + o.crashed() + " crashed -> " + o.masterAfterCrash() + " took the VIP; client outage "
                    + o.crashOutage().longestGap().toMillis() + " ms (longest gap between answers), "
                    + o.crashOutage().failedRequests() + " requests failed");
        }
        if (!o.stoppedApiserver().isEmpty()) {
            tl.say("apiserver " + o.stoppedApiserver() + " stopped:    left the pool on " + o.leftPoolOn()
                    + "; watch resumed on " + (o.watchResumedOn().isEmpty() ? "(nothing)" : o.watchResumedOn()));
        }
        if (o.returnOutage() != null) {
            tl.say(o.crashed() + " came back (" + (o.preempt() ? "preempt" : "nopreempt") + "): VIP on "
                    + (o.masterAfterReturn().isEmpty() ? "(nobody)" : o.masterAfterReturn()) + ", client outage "
                    + o.returnOutage().longestGap().toMillis() + " ms, " + o.returnOutage().failedRequests()
                    + " requests failed" + (o.watchMove() == null ? ""
                    : "; watch reconnected in " + o.watchMove().reconnect().toMillis() + " ms"));
        }
        tl.say("client requests:           " + o.requestsAnswered() + " answered " + tl.answersByApiserver() + ", "
                + o.requestsFailed() + " failed; watch: "
                + tl.watchEvents() + " events, " + o.watchEventsLost() + " lost");
        if (o.ok()) {
            tl.say("RESULT: everything happened as expected");
        } else {
            for (String f : o.failures()) {
                tl.say("NOT AS EXPECTED: " + f);
            }
        }
    }

    /** Prints who holds the VIP by the addresses themselves and checks it is {@code expected}. */
    private String checkVip(String when, String expected) throws Exception {
        List<String> holders = plane.vipHolders();
        String holder = holders.size() == 1 ? holders.get(0) : "";
        String how = plane.vipCommand(holder.isEmpty() ? expected : holder).map(c -> " (" + c + ")").orElse("");
        tl.say("VIP " + when + ": held by " + (holders.isEmpty() ? "nobody" : String.join(" and ", holders)) + how);
        if (!Objects.equals(holders, List.of(expected))) {
            failures.add("VIP " + when + ": expected on " + expected + " only, found on " + holders);
        }
        return holder;
    }

    /** The first break of the client's watch since {@code since} and the reconnection after it, or null. */
    private DemoOutcome.WatchMove watchMove(long since) {
        DemoEvent broken = null;
        for (DemoEvent e : tl.events()) {
            if (e.kind() != DemoEvent.Kind.WATCH || e.nanoTime() < since) {
                continue;
            }
            if (broken == null && e.state().equals("BROKEN")) {
                broken = e;
            } else if (broken != null && e.state().equals("CONNECTED")) {
                return new DemoOutcome.WatchMove(broken.detail(), Duration.ofNanos(e.nanoTime() - broken.nanoTime()),
                        e.subject());
            }
        }
        return null;
    }

    /** When {@code node} last reported MASTER, not before {@code since}. */
    private long masterSince(String node, long since) {
        return tl.events().stream()
                .filter(e -> e.kind() == DemoEvent.Kind.VRRP && e.origin().equals(node) && e.state().equals("MASTER")
                        && e.nanoTime() >= since)
                .mapToLong(DemoEvent::nanoTime).max().orElse(since);
    }

    private static Optional<DemoEvent> lastWatchEvent(Timeline t, long since) {
        List<DemoEvent> events = t.events();
        for (int i = events.size() - 1; i >= 0; i--) {
            DemoEvent e = events.get(i);
            if (e.kind() == DemoEvent.Kind.WATCH && e.state().equals("EVENT") && e.nanoTime() >= since) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private String states(List<String> nodes) {
        return nodes.stream().map(n -> n + "=" + tl.vrrpState(n).orElse("?")).toList().toString();
    }
}
