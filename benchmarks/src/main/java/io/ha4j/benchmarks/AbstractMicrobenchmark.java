package io.ha4j.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Shared JMH defaults for every ha4j benchmark, in the manner of Netty's {@code AbstractMicrobenchmarkBase}.
 *
 * <ul>
 *   <li>One fork with Netty's leak detector disabled: the detector samples buffers and allocates records,
 *       which would show up in {@code -prof gc} as allocation the relay does not do. Tests run paranoid; the
 *       benchmarks measure the production setting.</li>
 *   <li>A fixed heap so {@code gc.alloc.rate.norm} is not skewed by heap resizing.</li>
 *   <li>Short defaults (2 × 2 s warm-up, 3 × 3 s measurement) so a whole run finishes on a 2-core box;
 *       the command line ({@code -wi -i -w -r -f}) overrides them.</li>
 * </ul>
 *
 * <p>Run any subclass from the shaded jar, e.g.
 * {@code java -jar benchmarks/target/benchmarks.jar VrrpCodecBenchmark -prof gc}.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {
        "-Dio.netty.leakDetection.level=disabled",
        "-Xms512m", "-Xmx512m",
        "-XX:+UseG1GC"})
@Warmup(iterations = 2, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 3, time = 3, timeUnit = TimeUnit.SECONDS)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class AbstractMicrobenchmark {
}
