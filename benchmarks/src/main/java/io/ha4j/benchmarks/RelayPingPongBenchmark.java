package io.ha4j.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Small-message relay latency and per-message allocation, in process over loopback: one client connection
 * sends a {@code size}-byte message and waits for its echo, through {@code HA4J} (client -> TcpBalancer ->
 * echo backend) or {@code DIRECT} (client -> echo backend). One operation is one round trip, so the sample
 * time is the round-trip latency (percentiles in the output) and 1 / mean is the ping-pong throughput.
 * {@code HA4J} minus {@code DIRECT} is what the balancer adds; with {@code -prof gc}, the difference in
 * {@code gc.alloc.rate.norm} is what it allocates per relayed message (target: near zero).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RelayPingPongBenchmark -prof gc -f 1 -wi 2 -i 3 -w 2s -r 3s}
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RelayPingPongBenchmark extends AbstractMicrobenchmark {

    @Param({"HA4J", "DIRECT"})
    public String path;

    @Param({"64", "1024"})
    public int size;

    private RelayFixture fixture;
    private ByteBuffer out;
    private ByteBuffer in;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        fixture = new RelayFixture(RelayFixture.Path.valueOf(path));
        out = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            out.put(i, (byte) i);
        }
        in = ByteBuffer.allocateDirect(size);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        fixture.close();
    }

    @Benchmark
    public ByteBuffer roundTrip() throws IOException {
        out.clear();
        fixture.roundTrip(out, in);
        return in;
    }
}
