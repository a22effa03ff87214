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
import org.tensorflow.op.nn.Conv3dBackpropInput;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow Java's {@code Conv3DBackpropInputV2}, the op behind {@code tf.nn.conv3d_transpose}, in a graph session
 * with {@code threads} intra-op threads. The filter tensor is made once; each run feeds the input, runs the op and
 * copies the result into a Java array, as a JVM caller must. TensorFlow's CPU kernel takes NDHWC only, so NCDHW
 * problems are transposed in and out inside the run.
 */
final class TensorFlowPeer implements Peer {

    private final Deconv3dProblem p;
    private final Graph graph = new Graph();
    private final Session session;
    private final Placeholder<TFloat32> x;
    private final Placeholder<TFloat32> w;
    private final Operand<TFloat32> y;
    private final TFloat32 filter;
    private final float[] channelsLastIn;
    private final float[] channelsLastOut;
    private final float[] out;

    TensorFlowPeer(Deconv3dProblem p, float[] filterValues, int threads) {
        if (p.groups() != 1) {
            throw new IllegalArgumentException("the TensorFlow peer computes groups = 1 only");
        }
        this.p = p;
        Ops tf = Ops.create(graph);
        int[] in = p.inputSize();
        int[] o = p.outputSize();
        int[] s = p.stride();
        int[] d = p.dilation();
        int[] k = p.kernel();
        x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(p.batch(), in[0], in[1], in[2], p.inChannels())));
        w = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(k[0], k[1], k[2], p.outChannels(), p.inChannels())));
        Operand<org.tensorflow.types.TInt32> sizes = tf.constant(new int[] {p.batch(), o[0], o[1], o[2], p.outChannels()});
        String padding = p.tfPadding().orElseThrow(() -> new IllegalArgumentException("TensorFlow problems only")).name();
        y = tf.nn.conv3dBackpropInput(sizes, w, x, List.of(1L, (long) s[0], (long) s[1], (long) s[2], 1L), padding,
                Conv3dBackpropInput.dilations(List.of(1L, (long) d[0], (long) d[1], (long) d[2], 1L)));
        ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(threads)
                .setInterOpParallelismThreads(1).build();
        session = new Session(graph, config);
        filter = TFloat32.tensorOf(Shape.of(k[0], k[1], k[2], p.outChannels(), p.inChannels()),
                DataBuffers.of(filterValues, true, false));
        boolean transpose = p.layout() == Layout.NCDHW;
        channelsLastIn = transpose ? new float[p.inputLength()] : null;
        channelsLastOut = transpose ? new float[p.outputLength()] : null;
        out = new float[p.outputLength()];
    }

    @Override
    public String name() {
        return "tensorflow";
    }

    @Override
    public float[] run(float[] input) {
        float[] xin = input;
        int[] in = p.inputSize();
        int[] o = p.outputSize();
        if (channelsLastIn != null) {
            Layout.channelsFirstToLast(input, channelsLastIn, p.batch(), p.inChannels(), in[0] * in[1] * in[2]);
            xin = channelsLastIn;
        }
        try (TFloat32 xt = TFloat32.tensorOf(Shape.of(p.batch(), in[0], in[1], in[2], p.inChannels()),
                DataBuffers.of(xin, true, false));
                Result r = session.runner().feed(x, xt).feed(w, filter).fetch(y).run()) {
            TFloat32 result = (TFloat32) r.get(0);
            float[] target = channelsLastOut != null ? channelsLastOut : out;
            result.copyTo(DataBuffers.of(target, false, false));
        }
        if (channelsLastOut != null) {
            Layout.channelsLastToFirst(channelsLastOut, out, p.batch(), p.outChannels(), o[0] * o[1] * o[2]);
        }
        return out;
    }

    @Override
    public void close() {
        filter.close();
        session.close();
        graph.close();
    }
}
