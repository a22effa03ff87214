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
 * The frameworks users would pick instead, on the same shapes, data and thread counts as
 * {@code Deconv3dBenchmark}; run together with it by {@code BenchSuite} (Maven profile {@code peers}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class PeerBenchmark {

    @Param({"seed", "unet-k2", "unet-k3", "gan", "vol", "unet64", "batch", "unet-k3-ncdhw"})
    public String shape;

    @Param({"tensorflow", "onnxruntime", "nd4j"})
    public String backend;

    @Param({"1", "2"})
    public int threads;

    private Peer peer;
    private float[] input;

    @Setup(Level.Trial)
    public void setUp() {
        Deconv3dProblem p = Shape.of(shape).problem();
        peer = Peers.create(backend, p, Shape.data(p.filterLength(), 2), threads);
        input = Shape.data(p.inputLength(), 1);
    }

    @Benchmark
    public float[] run() {
        return peer.run(input);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        peer.close();
    }
}
