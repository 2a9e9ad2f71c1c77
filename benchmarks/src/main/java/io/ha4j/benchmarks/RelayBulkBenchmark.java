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
 * Bulk relay throughput, in process over loopback: one client connection writes a 1 MiB block and reads it back
 * from the echo backend, through {@code HA4J} (client -> TcpBalancer -> echo) or {@code DIRECT}. One operation
 * moves 1 MiB each way through the relay, so ops/s = MiB/s per direction. With {@code -prof gc},
 * {@code gc.alloc.rate.norm} is bytes allocated per MiB relayed (the {@code DIRECT} figure is the floor of the
 * echo server and JMH).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RelayBulkBenchmark -prof gc -f 1 -wi 2 -i 3 -w 2s -r 3s}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RelayBulkBenchmark extends AbstractMicrobenchmark {

    private static final int BLOCK = 1024 * 1024;

    @Param({"HA4J", "DIRECT"})
    public String path;

    private RelayFixture fixture;
    private ByteBuffer out;
    private ByteBuffer in;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        fixture = new RelayFixture(RelayFixture.Path.valueOf(path));
        out = ByteBuffer.allocateDirect(BLOCK);
        for (int i = 0; i < BLOCK; i++) {
            out.put(i, (byte) (i * 31));
        }
        in = ByteBuffer.allocateDirect(BLOCK);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        fixture.close();
    }

    @Benchmark
    public ByteBuffer echoOneMebibyte() throws IOException {
        out.clear();
        fixture.roundTrip(out, in);
        return in;
    }
}
