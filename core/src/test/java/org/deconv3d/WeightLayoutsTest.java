package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.deconv3d.reference.ReferenceKernel;
import org.junit.jupiter.api.Test;

/** Weights moved between layouts compute the same result in the other framework's problem. */
class WeightLayoutsTest {

    @Test
    void aTorchModelRunsAsTensorflowAndBack() {
        Random r = new Random(5);
        for (int round = 0; round < 20; round++) {
            int groups = 1 + r.nextInt(3);
            int cin = groups * (1 + r.nextInt(3));
            int cog = 1 + r.nextInt(4);
            int[] k = {1 + r.nextInt(3), 1 + r.nextInt(3), 1 + r.nextInt(3)};
            int s = 1 + r.nextInt(3);
            int[] torchShape = {cin, cog, k[0], k[1], k[2]};
            Deconv3dProblem torch = Deconv3dProblem.pytorch(new int[] {1, cin, 3, 2, 4}, torchShape).stride(s)
                    .groups(groups).build();
            int[] tfShape = WeightLayouts.shape(torchShape, FilterLayout.TORCH_IN_OUT_DHW, FilterLayout.TF_DHW_OUT_IN);
            // Same geometry in TensorFlow's convention: VALID, NCDHW data, the full output.
            int[] o = torch.outputSize();
            Deconv3dProblem tf = Deconv3dProblem.tensorflow(new int[] {1, cin, 3, 2, 4}, tfShape).strides(s)
                    .padding(Padding.VALID).dataFormat(Layout.NCDHW).groups(groups)
                    .outputShape(1, cog * groups, o[0], o[1], o[2]).build();
            float[] w = new float[torch.filterLength()];
            float[] x = new float[torch.inputLength()];
            for (int i = 0; i < w.length; i++) {
                w[i] = r.nextInt(7) - 3;
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(5) - 2;
            }
            float[] wTf = WeightLayouts.convert(w, torchShape, FilterLayout.TORCH_IN_OUT_DHW,
                    FilterLayout.TF_DHW_OUT_IN);
            float[] a = new float[torch.outputLength()];
            float[] b = new float[tf.outputLength()];
            ReferenceKernel.compute(torch, x, w, null, a);
            ReferenceKernel.compute(tf, x, wTf, null, b);
            assertArrayEquals(a, b, torch.describe());
            assertArrayEquals(w, WeightLayouts.convert(wTf, tfShape, FilterLayout.TF_DHW_OUT_IN,
                    FilterLayout.TORCH_IN_OUT_DHW), "there and back again");
        }
    }

    @Test
    void wrongLengthsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> WeightLayouts.convert(new float[7], new int[] {1, 2, 2, 2, 1},
                FilterLayout.TF_DHW_OUT_IN, FilterLayout.TORCH_IN_OUT_DHW));
        assertThrows(IllegalArgumentException.class, () -> WeightLayouts.shape(new int[] {1, 2, 2},
                FilterLayout.TF_DHW_OUT_IN, FilterLayout.TORCH_IN_OUT_DHW));
    }
}
