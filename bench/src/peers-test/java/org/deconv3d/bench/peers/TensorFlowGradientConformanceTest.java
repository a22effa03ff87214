package org.deconv3d.bench.peers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Padding;
import org.deconv3d.reference.ReferenceDeconv3d;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.CrossCheck;
import org.deconv3d.testing.RandomProblems;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.Test;
import org.tensorflow.EagerSession;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv3d;
import org.tensorflow.op.nn.Conv3dBackpropFilter;
import org.tensorflow.types.TFloat32;

/**
 * The gradients against TensorFlow's own ops on random valid problems: the input gradient is
 * {@code Conv3D(dy, w, strides, padding)} (the deconvolution's filter {@code [k,k,k,Cout,Cin]} is Conv3D's
 * {@code [k,k,k,in,out]}), the filter gradient {@code Conv3DBackpropFilterV2(input=dy, filter_sizes,
 * out_backprop=x, strides, padding)}. Runs with {@code -Ppeers}.
 */
class TensorFlowGradientConformanceTest {

    @Test
    void gradientsAgreeWithTensorFlowsConvolutionOps() {
        boolean dilate = TensorFlowConformanceTest.tensorFlowDilates();
        long seed = TestSeeds.base("TensorFlowGradientConformanceTest");
        Random r = new Random(seed);
        int same = 0;
        for (int i = 0, checked = 0; checked < 200; i++) {
            Deconv3dProblem p = TensorFlowConformanceTest.problem(r, dilate);
            Case c = Case.of(p, seed + i, false, false);
            float[] dy = RandomProblems.values(new Random(seed + i + 1), p.outputLength());
            float[] dx = new float[p.inputLength()];
            float[] dw = new float[p.filterLength()];
            try (Deconv3dPlan plan = new ReferenceDeconv3d().plan(p, c.filter(), null)) {
                plan.backwardInput(dy, null, dx);
                plan.backwardWeights(c.input(), dy, null, dw, null);
            }
            if (CrossCheck.zeroFraction(dx) > CrossCheck.MAX_ZERO_FRACTION
                    || CrossCheck.zeroFraction(dw) > CrossCheck.MAX_ZERO_FRACTION) {
                continue; // taps reach few positions (some weights none): it would test little, draw another
            }
            checked++;
            same += p.tfPadding().orElseThrow() == Padding.SAME ? 1 : 0;
            float[][] tf = tensorFlow(p, c.input(), c.filter(), dy);
            Case forInput = new Case(c.seed(), p, c.input(), c.filter(), null, false, c.recipe());
            CrossCheck.assertClose("TensorFlow Conv3D as the input gradient", forInput, tf[0], dx);
            CrossCheck.assertClose("TensorFlow Conv3DBackpropFilterV2 as the filter gradient", forInput, tf[1], dw);
        }
        assertTrue(same > 50 && same < 150, "both padding modes covered: " + same + " SAME of 200");
    }

    /** TensorFlow's input gradient and filter gradient for output gradient {@code dy}, in eager mode. */
    private static float[][] tensorFlow(Deconv3dProblem p, float[] x, float[] w, float[] dy) {
        int[] in = p.inputSize();
        int[] o = p.outputSize();
        int[] k = p.kernel();
        int[] s = p.stride();
        int[] d = p.dilation();
        List<Long> strides = List.of(1L, (long) s[0], (long) s[1], (long) s[2], 1L);
        List<Long> dilations = List.of(1L, (long) d[0], (long) d[1], (long) d[2], 1L);
        String padding = p.tfPadding().orElseThrow().name();
        try (EagerSession session = EagerSession.create()) {
            Ops tf = Ops.create(session);
            Operand<TFloat32> xt = constant(tf, x, p.batch(), in[0], in[1], in[2], p.inChannels());
            Operand<TFloat32> wt = constant(tf, w, k[0], k[1], k[2], p.outChannels(), p.inChannels());
            Operand<TFloat32> dyt = constant(tf, dy, p.batch(), o[0], o[1], o[2], p.outChannels());
            Operand<TFloat32> dx = tf.nn.conv3d(dyt, wt, strides, padding, Conv3d.dilations(dilations));
            Operand<TFloat32> dw = tf.nn.conv3dBackpropFilter(dyt,
                    tf.constant(new int[] {k[0], k[1], k[2], p.outChannels(), p.inChannels()}), xt, strides, padding,
                    Conv3dBackpropFilter.dilations(dilations));
            float[] dxOut = new float[p.inputLength()];
            float[] dwOut = new float[p.filterLength()];
            dx.asTensor().copyTo(DataBuffers.of(dxOut, false, false));
            dw.asTensor().copyTo(DataBuffers.of(dwOut, false, false));
            return new float[][] {dxOut, dwOut};
        }
    }

    private static Operand<TFloat32> constant(Ops tf, float[] values, long... shape) {
        return tf.constantOf(TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false)));
    }
}
