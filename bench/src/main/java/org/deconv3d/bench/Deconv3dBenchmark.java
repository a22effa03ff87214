package org.deconv3d.bench;

import java.util.concurrent.TimeUnit;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One plan run per operation: every backend on every shape at 1 and 2 threads. Plan creation (weight packing)
 * is setup, not measured. GFLOP/s = {@code Shape.problem().flops() / time}; {@link Report} turns JMH's JSON into
 * the table.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "bench/target/deconv3d-bench.jar:bench/target/lib/*" \
 *     org.openjdk.jmh.Main Deconv3dBenchmark -rf json -rff results.json
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class Deconv3dBenchmark {

    @Param({"seed", "unet-k2", "unet-k3", "gan", "vol", "unet64", "batch", "unet-k3-ncdhw"})
    public String shape;

    @Param({"simd", "reference"})
    public String backend;

    @Param({"1", "2"})
    public int threads;

    private Deconv3dPlan plan;
    private float[] input;
    private float[] output;

    @Setup(Level.Trial)
    public void setUp() {
        Deconv3dProblem p = Shape.of(shape).problem();
        input = Shape.data(p.inputLength(), 1);
        output = new float[p.outputLength()];
        plan = Backends.named(backend).plan(p, Shape.data(p.filterLength(), 2), null, threads);
    }

    @Benchmark
    public float[] run() {
        plan.run(input, output);
        return output;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plan.close();
    }
}
