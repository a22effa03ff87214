package org.deconv3d.bench.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import org.deconv3d.Activation;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.FilterLayout;
import org.deconv3d.Layout;
import org.deconv3d.WeightLayouts;

/**
 * ONNX Runtime Java (CPU execution provider) running a one-node {@code ConvTranspose} model built in code
 * ({@link OnnxModel}), with {@code threads} intra-op threads. The input tensor wraps one direct buffer made once;
 * each run copies the input into it, runs the session and copies the result into a Java array, as a JVM caller
 * must. ONNX's ConvTranspose takes NCDHW only, so NDHWC problems are transposed in and out inside the run.
 */
final class OnnxRuntimePeer implements Peer {

    private final Deconv3dProblem p;
    private final OrtSession session;
    private final FloatBuffer in;
    private final OnnxTensor x;
    private final float[] channelsFirstIn;
    private final float[] channelsFirstOut;
    private final float[] out;

    /** {@code problem} (any convention) with its filter in the problem's layout, as explicit pads. */
    OnnxRuntimePeer(Deconv3dProblem problem, float[] filter, int threads) {
        this(problem, model(problem, filter, null), threads);
    }

    /** A model made elsewhere (e.g. with ONNX attributes as given), computing {@code problem}. */
    OnnxRuntimePeer(Deconv3dProblem problem, byte[] model, int threads) {
        this.p = problem;
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                session = env.createSession(model, options);
            }
            in = ByteBuffer.allocateDirect(4 * p.inputLength()).order(ByteOrder.nativeOrder()).asFloatBuffer();
            int[] shape = channelsFirstShape(p.batch(), p.inChannels(), p.inputSize());
            x = OnnxTensor.createTensor(env, in, new long[] {shape[0], shape[1], shape[2], shape[3], shape[4]});
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not load the model for " + p.describe() + ": "
                    + e.getMessage(), e);
        }
        boolean transpose = p.layout() == Layout.NDHWC;
        channelsFirstIn = transpose ? new float[p.inputLength()] : null;
        channelsFirstOut = transpose ? new float[p.outputLength()] : null;
        out = new float[p.outputLength()];
    }

    /** The model of {@code problem}'s resolved geometry: explicit pads, and output_padding for what they leave. */
    static byte[] model(Deconv3dProblem problem, float[] filter, float[] bias) {
        int[] x = problem.inputSize();
        int[] o = problem.outputSize();
        int[] k = problem.kernel();
        int[] s = problem.stride();
        int[] d = problem.dilation();
        int[] before = problem.padBefore();
        int[] after = problem.padAfter();
        long[] pads = new long[6];
        long[] outputPadding = new long[3];
        for (int a = 0; a < 3; a++) {
            pads[a] = before[a];
            pads[a + 3] = Math.max(0, after[a]);
            long full = (long) s[a] * (x[a] - 1) + (long) (k[a] - 1) * d[a] + 1;
            outputPadding[a] = o[a] - (full - pads[a] - pads[a + 3]);
        }
        float[] w = WeightLayouts.convert(filter, problem.filterShape(), problem.filterLayout(),
                FilterLayout.TORCH_IN_OUT_DHW);
        int[] ws = WeightLayouts.shape(problem.filterShape(), problem.filterLayout(), FilterLayout.TORCH_IN_OUT_DHW);
        int[] xs = channelsFirstShape(problem.batch(), problem.inChannels(), x);
        OnnxModel m = new OnnxModel(new long[] {xs[0], xs[1], xs[2], xs[3], xs[4]})
                .weights(w, new long[] {ws[0], ws[1], ws[2], ws[3], ws[4]})
                .ints("kernel_shape", k).ints("strides", s).ints("dilations", d).ints("pads", pads)
                .ints("output_padding", outputPadding).integer("group", problem.groups());
        if (bias != null) {
            m.bias(bias);
        }
        return withActivation(m, problem.activation()).bytes();
    }

    /** Adds ONNX's node for {@code activation}. */
    static OnnxModel withActivation(OnnxModel m, Activation activation) {
        switch (activation.kind()) {
            case RELU: return m.activation("Relu", null);
            case LEAKY_RELU: return m.activation("LeakyRelu", activation.slope());
            case SIGMOID: return m.activation("Sigmoid", null);
            case TANH: return m.activation("Tanh", null);
            default: return m;
        }
    }

    private static int[] channelsFirstShape(int n, int c, int[] size) {
        return new int[] {n, c, size[0], size[1], size[2]};
    }

    @Override
    public String name() {
        return "onnxruntime";
    }

    @Override
    public float[] run(float[] input) {
        int[] size = p.inputSize();
        float[] xin = input;
        if (channelsFirstIn != null) {
            Layout.channelsLastToFirst(input, channelsFirstIn, p.batch(), p.inChannels(), size[0] * size[1] * size[2]);
            xin = channelsFirstIn;
        }
        in.clear();
        in.put(xin);
        float[] target = channelsFirstOut != null ? channelsFirstOut : out;
        try (OrtSession.Result r = session.run(Map.of("x", x))) {
            FloatBuffer y = ((OnnxTensor) r.get(0)).getFloatBuffer();
            if (y.remaining() != target.length) {
                throw new IllegalStateException("ONNX Runtime returned " + y.remaining() + " floats for "
                        + p.describe() + ", which needs " + target.length);
            }
            y.get(target);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + p.describe() + ": " + e.getMessage(), e);
        }
        if (channelsFirstOut != null) {
            int[] o = p.outputSize();
            Layout.channelsFirstToLast(channelsFirstOut, out, p.batch(), p.outChannels(), o[0] * o[1] * o[2]);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            x.close();
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not close its session: " + e.getMessage(), e);
        }
    }
}
