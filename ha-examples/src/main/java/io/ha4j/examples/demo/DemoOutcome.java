package io.ha4j.examples.demo;

import java.time.Duration;
import java.util.List;

/**
 * What the demo's story found, step by step; the tests assert on it and the summary prints it.
 *
 * @param initialMaster       the node that held the VIP first
 * @param crashed             the node that was crashed (the initial master)
 * @param masterAfterCrash    the node that took the VIP over, empty if none did
 * @param crashOutage         what the client saw during the failover
 * @param stoppedApiserver    the node whose apiserver was shut down and stopped (the one serving the watch)
 * @param leftPoolOn          the live nodes whose balancer marked that apiserver DOWN
 * @param watchResumedOn      the apiserver the watch continued on after the stop, empty if it did not
 * @param watchEventsLost     watch events the client never received over the whole run
 * @param preempt             whether preemption was configured
 * @param masterAfterReturn   the VIP holder after the crashed node came back
 * @param returnOutage        what the client saw while the crashed node came back
 * @param watchMove           how the client's watch through the VIP moved when the VIP left the master on the crashed
 *                            node's return (preempt), or null when it did not break then
 * @param requestsAnswered    client requests answered over the run
 * @param requestsFailed      client requests that failed over the run
 * @param failures            every expectation that did not hold, in words; empty when all did
 */
record DemoOutcome(String initialMaster, String crashed, String masterAfterCrash, Timeline.Outage crashOutage,
                   String stoppedApiserver, List<String> leftPoolOn, String watchResumedOn, long watchEventsLost,
                   boolean preempt, String masterAfterReturn, Timeline.Outage returnOutage,
                   WatchMove watchMove, long requestsAnswered, long requestsFailed, List<String> failures) {

    /**
     * The watch's connection ended ({@code endedBy}: the client's words, e.g. "EOFException: watch stream ended by the
     * server"; a "timeout: ..." means it hung) and the client reconnected {@code reconnect} later, to {@code resumedOn}.
     */
    record WatchMove(String endedBy, Duration reconnect, String resumedOn) {
    }

    boolean ok() {
        return failures.isEmpty();
    }
}
