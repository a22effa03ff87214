package org.deconv3d.bench.peers;

import java.util.concurrent.TimeUnit;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.bench.Shape;
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
 * TensorFlow's gradient ops ({@link TensorFlowGradients}) on the shapes, data and thread counts of
 * {@code GradientBenchmark}: {@code input} is {@code Conv3D(dy, w)}, {@code weights} is
 * {@code Conv3DBackpropFilterV2} with {@code BiasAddGrad}. ONNX Runtime's Java package is inference only (no
 * gradient ops) and ND4J's are not exposed for 3D deconvolution, so TensorFlow is the one peer here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class PeerGradientBenchmark {

    @Param({"unet-k2", "unet-k3", "gan", "vol", "unet64", "batch"})
    public String shape;

    @Param({"tensorflow"})
    public String backend;

    @Param({"1", "2"})
    public int threads;

    @Param({"input", "weights"})
    public String op;

    private TensorFlowGradients tf;
    private float[] x;
    private float[] dy;

    @Setup(Level.Trial)
    public void setUp() {
        Deconv3dProblem p = Shape.of(shape).problem();
        tf = new TensorFlowGradients(p, Shape.data(p.filterLength(), 2), threads);
        x = Shape.data(p.inputLength(), 1);
        dy = Shape.data(p.outputLength(), 3);
    }

    @Benchmark
    public float[] run() {
        return op.equals("input") ? tf.inputGradient(dy) : tf.weightGradients(x, dy);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tf.close();
    }
}
