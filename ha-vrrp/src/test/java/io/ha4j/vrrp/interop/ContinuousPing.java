package io.ha4j.vrrp.interop;

import io.ha4j.netlink.testing.TestNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ping -D -i 0.05} from the client namespace to the VIP for the length of a failover, run as a child
 * process with a hard deadline ({@code -w}). {@link #stop()} ends it and reads which echo requests were answered:
 * the longest run without replies is the outage the client saw. Reported, never asserted (timings are the
 * benchmarks' business).
 */
final class ContinuousPing implements AutoCloseable {

    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+\\.\\d+)] .*icmp_seq=(\\d+)");
    private static final int DEADLINE_SECONDS = 90;

    private final Process process;
    private final Path output;
    private List<double[]> replies;

    private ContinuousPing(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    static ContinuousPing start(TestNetwork.Node client, String ip) throws IOException {
        TestNetwork.requireTestAddress(ip);
        Path out = Files.createTempFile("ha4j-ping", ".txt");
        Process p = new ProcessBuilder("ip", "netns", "exec", client.namespace(), "ping", "-n", "-D", "-i", "0.05",
                "-w", Integer.toString(DEADLINE_SECONDS), ip)
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        return new ContinuousPing(p, out);
    }

    /** Ends ping and parses its replies (timestamp, sequence). Idempotent. */
    List<double[]> stop() throws IOException, InterruptedException {
        if (replies == null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            replies = new ArrayList<>();
            for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
                Matcher m = REPLY.matcher(line);
                if (m.find()) {
                    replies.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
                }
            }
            Files.deleteIfExists(output);
        }
        return replies;
    }

    /** The longest time between two consecutive replies (after {@link #stop()}). */
    Duration longestGap() {
        double gap = 0;
        for (int i = 1; i < replies.size(); i++) {
            gap = Math.max(gap, replies.get(i)[0] - replies.get(i - 1)[0]);
        }
        return Duration.ofNanos((long) (gap * 1e9));
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    @Override
    public String toString() {
        return "ping " + (replies == null ? "(running)" : replies.size() + " replies");
    }
}
