package io.ha4j.benchmarks;

import io.ha4j.vrrp.internal.VrrpPacket;
import java.nio.ByteBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The VRRP advert codec on its own: {@code encode} writes an advert with one IPv4 VIP and fills its checksum
 * (v3: with the IPv4 pseudo-header, keepalived's convention), {@code decode} reads every header field and verifies
 * the checksum, as a receiver does. Both work on a preallocated buffer and must allocate nothing
 * ({@code gc.alloc.rate.norm} ~ 0 with {@code -prof gc}).
 *
 * <p>The codec is reached through its entry point in {@code io.ha4j.vrrp.internal} (public, documented as not API);
 * {@link VrrpReceiveBenchmark} measures the same work through the public API.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar VrrpCodecBenchmark -prof gc -f 1 -wi 2 -i 3 -w 2s -r 3s}
 */
@BenchmarkMode(Mode.AverageTime)
public class VrrpCodecBenchmark extends AbstractMicrobenchmark {

    @Param({"3", "2"})
    public int version;

    private final ByteBuffer buffer = ByteBuffer.allocate(VrrpPacket.MAX_LENGTH);
    private final byte[] vips = {(byte) 198, 18, 0, 10};
    private final byte[] source = {(byte) 198, 18, 0, 1};
    private final byte[] group = {(byte) 224, 0, 0, 18};
    private final byte[] password = {'s', 'e', 'c', 'r', 'e', 't', 0, 0};
    private int length;

    @Setup
    public void setUp() {
        length = encode();
        if (decode() != 0) {
            throw new IllegalStateException("the encoded advert does not verify");
        }
    }

    @Benchmark
    public int encode() {
        int interval = version == 2 ? 1 : 100;
        int authType = version == 2 ? VrrpPacket.AUTH_PASS : VrrpPacket.AUTH_NONE;
        int n = VrrpPacket.encode(buffer, 0, version, 51, 150, interval, vips, 1, 4, authType,
                version == 2 ? password : null);
        VrrpPacket.putChecksum(buffer, 0, VrrpPacket.computeChecksum(buffer, 0, n, false, version == 3, source, group));
        return n;
    }

    /** Returns 0 when the advert verifies (plus the fields, so that nothing is optimised away). */
    @Benchmark
    public int decode() {
        int fields = VrrpPacket.version(buffer, 0) + VrrpPacket.type(buffer, 0) + VrrpPacket.virtualRouterId(buffer, 0)
                + VrrpPacket.priority(buffer, 0) + VrrpPacket.count(buffer, 0)
                + VrrpPacket.interval(buffer, 0, version) + (version == 2 ? VrrpPacket.authType(buffer, 0) : 0);
        int check = VrrpPacket.computeChecksum(buffer, 0, length, false, version == 3, source, group);
        return check == 0 ? 0 : check + fields;
    }
}
