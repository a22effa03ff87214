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
 * The gradients next to the forward run, on the benchmark shapes: {@code forward} is {@code run}, {@code input}
 * is {@code backwardInput}, {@code weights} is {@code backwardWeights} (filter and bias). Each has the forward's
 * FLOP count, so GFLOP/s = {@code Shape.problem().flops() / time} for all three.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "bench/target/deconv3d-bench.jar:bench/target/lib/*" \
 *     org.openjdk.jmh.Main GradientBenchmark -p shape=unet-k3,vol -p backend=simd
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class GradientBenchmark {

    @Param({"unet-k2", "unet-k3", "gan", "vol", "unet64", "batch"})
    public String shape;

    @Param({"simd"})
    public String backend;

    @Param({"1", "2"})
    public int threads;

    @Param({"forward", "input", "weights"})
    public String op;

    private Deconv3dPlan plan;
    private float[] x;
    private float[] y;
    private float[] dy;
    private float[] dx;
    private float[] dw;
    private float[] db;

    @Setup(Level.Trial)
    public void setUp() {
        Deconv3dProblem p = Shape.of(shape).problem();
        x = Shape.data(p.inputLength(), 1);
        y = new float[p.outputLength()];
        dy = Shape.data(p.outputLength(), 3);
        dx = new float[p.inputLength()];
        dw = new float[p.filterLength()];
        db = new float[p.outChannels()];
        plan = Backends.named(backend).plan(p, Shape.data(p.filterLength(), 2), null, threads);
        plan.run(x, y);
    }

    @Benchmark
    public Object run() {
        switch (op) {
            case "forward":
                plan.run(x, y);
                return y;
            case "input":
                plan.backwardInput(dy, y, dx);
                return dx;
            default:
                plan.backwardWeights(x, dy, y, dw, db);
                return dw;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plan.close();
    }
}
