package org.deconv3d.bench.peers;

import java.util.List;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.Conv3d;
import org.tensorflow.op.nn.Conv3dBackpropFilter;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow Java's gradient ops of {@code tf.nn.conv3d_transpose}, as its autodiff would run them, in a graph
 * session with {@code threads} intra-op threads: the input gradient {@code Conv3D(dy, w)}, and the filter and bias
 * gradients {@code Conv3DBackpropFilterV2(dy, filter_sizes, x)} with {@code BiasAddGrad(dy)} in one session run.
 * The filter tensor is made once; each call feeds its arrays and copies the results into Java arrays, as a JVM
 * caller must. NDHWC, groups = 1, no fused activation (TensorFlow's CPU kernels take nothing else).
 */
public final class TensorFlowGradients implements AutoCloseable {

    private final Deconv3dProblem p;
    private final Graph graph = new Graph();
    private final Session session;
    private final Placeholder<TFloat32> x;
    private final Placeholder<TFloat32> w;
    private final Placeholder<TFloat32> dy;
    private final Operand<TFloat32> dx;
    private final Operand<TFloat32> dw;
    private final Operand<TFloat32> db;
    private final TFloat32 filter;
    private final float[] dxOut;
    private final float[] dwOut;
    private final float[] dbOut;

    public TensorFlowGradients(Deconv3dProblem p, float[] filterValues, int threads) {
        if (p.groups() != 1 || p.layout() != Layout.NDHWC) {
            throw new IllegalArgumentException("TensorFlow's CPU gradient kernels take NDHWC and groups = 1 only");
        }
        this.p = p;
        Ops tf = Ops.create(graph);
        int[] in = p.inputSize();
        int[] o = p.outputSize();
        int[] s = p.stride();
        int[] d = p.dilation();
        int[] k = p.kernel();
        List<Long> strides = List.of(1L, (long) s[0], (long) s[1], (long) s[2], 1L);
        List<Long> dilations = List.of(1L, (long) d[0], (long) d[1], (long) d[2], 1L);
        String padding = p.tfPadding().orElseThrow(() -> new IllegalArgumentException("TensorFlow problems only"))
                .name();
        x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(p.batch(), in[0], in[1], in[2],
                p.inChannels())));
        w = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(k[0], k[1], k[2], p.outChannels(),
                p.inChannels())));
        dy = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(p.batch(), o[0], o[1], o[2],
                p.outChannels())));
        dx = tf.nn.conv3d(dy, w, strides, padding, Conv3d.dilations(dilations));
        dw = tf.nn.conv3dBackpropFilter(dy, tf.constant(new int[] {k[0], k[1], k[2], p.outChannels(),
                p.inChannels()}), x, strides, padding, Conv3dBackpropFilter.dilations(dilations));
        db = tf.nn.biasAddGrad(dy);
        ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(threads)
                .setInterOpParallelismThreads(1).build();
        session = new Session(graph, config);
        filter = TFloat32.tensorOf(Shape.of(k[0], k[1], k[2], p.outChannels(), p.inChannels()),
                DataBuffers.of(filterValues, true, false));
        dxOut = new float[p.inputLength()];
        dwOut = new float[p.filterLength()];
        dbOut = new float[p.outChannels()];
    }

    /** The input gradient of {@code gradOutput}. */
    public float[] inputGradient(float[] gradOutput) {
        try (TFloat32 dyt = outputTensor(gradOutput);
                Result r = session.runner().feed(dy, dyt).feed(w, filter).fetch(dx).run()) {
            ((TFloat32) r.get(0)).copyTo(DataBuffers.of(dxOut, false, false));
        }
        return dxOut;
    }

    /** The filter gradient (returned) and the bias gradient ({@link #lastBiasGradient}) in one run. */
    public float[] weightGradients(float[] input, float[] gradOutput) {
        int[] in = p.inputSize();
        try (TFloat32 xt = TFloat32.tensorOf(Shape.of(p.batch(), in[0], in[1], in[2], p.inChannels()),
                DataBuffers.of(input, true, false));
                TFloat32 dyt = outputTensor(gradOutput);
                Result r = session.runner().feed(x, xt).feed(dy, dyt).fetch(dw).fetch(db).run()) {
            ((TFloat32) r.get(0)).copyTo(DataBuffers.of(dwOut, false, false));
            ((TFloat32) r.get(1)).copyTo(DataBuffers.of(dbOut, false, false));
        }
        return dwOut;
    }

    /** The bias gradient of the last {@link #weightGradients} call. */
    public float[] lastBiasGradient() {
        return dbOut;
    }

    private TFloat32 outputTensor(float[] values) {
        int[] o = p.outputSize();
        return TFloat32.tensorOf(Shape.of(p.batch(), o[0], o[1], o[2], p.outChannels()),
                DataBuffers.of(values, true, false));
    }

    @Override
    public void close() {
        filter.close();
        session.close();
        graph.close();
    }
}
