package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.deconv3d.reference.ReferenceDeconv3d;
import org.junit.jupiter.api.Test;

/** Small cases worked out by hand, run through the reference backend. */
class HandCheckedTest {

    private final Deconv3d reference = new ReferenceDeconv3d();

    @Test
    void seedSameCaseGivesPointOneEverywhere() {
        // Input depth/height/width 1, kernel 5, stride 4, output 4, SAME: pad 0 before, 1 after, so output o is
        // reached by exactly one tap (t = o) per axis; each output sums 10 channels of 0.1 * 0.1 = 0.1.
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {10, 1, 1, 1, 10}, new int[] {5, 5, 5, 20, 10})
                .strides(4).padding(Padding.SAME).outputShape(10, 4, 4, 4, 20).build();
        float[] x = filled(p.inputLength(), 0.1f);
        float[] w = filled(p.filterLength(), 0.1f);
        float[] y = new float[p.outputLength()];
        reference.compute(p, x, w, null, y);
        assertEquals(10 * 4 * 4 * 4 * 20, y.length);
        for (float v : y) {
            assertEquals(0.1f, v, 1e-7f);
        }
    }

    @Test
    void pytorchWithGroupsDilationAndOutputPadding() {
        // Two groups of one channel; along W: kernel 2, dilation 2, stride 2, output_padding 1, padding 0, so
        // O = (2-1)*2 - 0 + (2-1)*2 + 1 + 1 = 6 and input i with tap t writes o = 2i + 2t:
        //   o=0: i0 t0; o=2: i0 t1 + i1 t0; o=4: i1 t1; o=1,3 unreachable; o=5 exists only by output_padding.
        Deconv3dProblem p = Deconv3dProblem.pytorch(new int[] {1, 2, 1, 1, 2}, new int[] {2, 1, 1, 1, 2})
                .stride(1, 1, 2).dilation(1, 1, 2).outputPadding(0, 0, 1).groups(2).build();
        assertArrayEquals(new int[] {1, 2, 1, 1, 6}, p.outputShape());
        float[] x = {1, 2, /* channel 1 */ 3, 4};
        float[] w = {10, 100, /* channel 1 -> out 1 */ 1000, 10000};
        float[] bias = {0.5f, -0.5f};
        float[] y = new float[p.outputLength()];
        reference.compute(p, x, w, bias, y);
        float[] expected = {
            1 * 10 + 0.5f, 0.5f, 1 * 100 + 2 * 10 + 0.5f, 0.5f, 2 * 100 + 0.5f, 0.5f,
            3 * 1000 - 0.5f, -0.5f, 3 * 10000 + 4 * 1000 - 0.5f, -0.5f, 4 * 10000 - 0.5f, -0.5f};
        assertArrayEquals(expected, y, "got " + Arrays.toString(y));
    }

    @Test
    void tensorflowPaddingCropsAndActivationApplies() {
        // 1-D along W: x = [1, -2], kernel 3 = [1, 2, 3], stride 2, SAME, output 4: full = 1*2 + 3 = 5,
        // pad total 1 -> 0 before; uncropped y = [1, 2, 3-2, -4, -6] -> first 4: [1, 2, 1, -4]; relu -> [1,2,1,0].
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 1, 1, 2, 1}, new int[] {1, 1, 3, 1, 1})
                .strides(1, 1, 2).padding(Padding.SAME).activation(Activation.RELU).build();
        assertArrayEquals(new int[] {1, 1, 1, 4, 1}, p.outputShape());
        float[] y = new float[4];
        reference.compute(p, new float[] {1, -2}, new float[] {1, 2, 3}, null, y);
        assertArrayEquals(new float[] {1, 2, 1, 0}, y);
        // Leaky relu with slope 0.5 on the same sums: [1, 2, 1, -2].
        Deconv3dProblem leaky = Deconv3dProblem.tensorflow(new int[] {1, 1, 1, 2, 1}, new int[] {1, 1, 3, 1, 1})
                .strides(1, 1, 2).padding(Padding.SAME).activation(Activation.leakyRelu(0.5f)).build();
        reference.compute(leaky, new float[] {1, -2}, new float[] {1, 2, 3}, null, y);
        assertArrayEquals(new float[] {1, 2, 1, -2}, y);
    }

    @Test
    void nanPropagatesThroughRelu() {
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 1, 1, 2, 1}, new int[] {1, 1, 1, 1, 1})
                .activation(Activation.RELU).build();
        float[] y = new float[2];
        reference.compute(p, new float[] {Float.NaN, -1}, new float[] {1}, null, y);
        assertEquals(Float.NaN, y[0]);
        assertEquals(0f, y[1]);
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}
