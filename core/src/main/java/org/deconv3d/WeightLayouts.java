package org.deconv3d;

import java.util.Arrays;

/**
 * Moves transposed-convolution weights between the frameworks' layouts, so weights exported by one framework run
 * in a problem of another:
 * <ul>
 *   <li>TensorFlow {@code tf.nn.conv3d_transpose}, and ND4J/DL4J's {@code deconv3d} op:
 *       {@code [kd, kh, kw, Cout/groups, Cin]} ({@link FilterLayout#TF_DHW_OUT_IN});</li>
 *   <li>PyTorch {@code ConvTranspose3d} and ONNX {@code ConvTranspose}: {@code [Cin, Cout/groups, kd, kh, kw]}
 *       ({@link FilterLayout#TORCH_IN_OUT_DHW}).</li>
 * </ul>
 * Both hold the same numbers per (input channel, output channel of its group, tap): a conversion is a transpose,
 * with groups too. No filter flip is involved in either direction.
 *
 * <pre>{@code
 * // weights of a torch.nn.ConvTranspose3d(16, 8, 3) exported as [16, 8, 3, 3, 3], used in a TensorFlow problem
 * float[] tf = WeightLayouts.convert(torchWeights, new int[] {16, 8, 3, 3, 3},
 *         FilterLayout.TORCH_IN_OUT_DHW, FilterLayout.TF_DHW_OUT_IN);   // now [3, 3, 3, 8, 16]
 * }</pre>
 */
public final class WeightLayouts {

    private WeightLayouts() {
    }

    /** The shape {@code shape} (in layout {@code from}) has in layout {@code to}. */
    public static int[] shape(int[] shape, FilterLayout from, FilterLayout to) {
        requireShape(shape, from);
        if (from == to) {
            return shape.clone();
        }
        return from == FilterLayout.TORCH_IN_OUT_DHW
                ? new int[] {shape[2], shape[3], shape[4], shape[1], shape[0]}
                : new int[] {shape[4], shape[3], shape[0], shape[1], shape[2]};
    }

    /**
     * A copy of {@code weights} (shape {@code shape} in layout {@code from}) in layout {@code to}.
     *
     * @throws IllegalArgumentException if the shape is not 5 positive sizes or does not match the array's length
     */
    public static float[] convert(float[] weights, int[] shape, FilterLayout from, FilterLayout to) {
        requireShape(shape, from);
        if (from == null || to == null) {
            throw new IllegalArgumentException("layout is null: use FilterLayout.TF_DHW_OUT_IN or TORCH_IN_OUT_DHW");
        }
        long n = (long) shape[0] * shape[1] * shape[2] * shape[3] * shape[4];
        if (weights == null || weights.length != n) {
            throw new IllegalArgumentException("weights hold " + (weights == null ? "nothing (null)" : weights.length
                    + " floats") + " but shape " + Arrays.toString(shape) + " " + from.description() + " needs " + n
                    + ": pass the array that goes with the shape");
        }
        if (from == to) {
            return weights.clone();
        }
        // Name the sizes once: kernel (kd, kh, kw), channels (cin, cog).
        boolean fromTorch = from == FilterLayout.TORCH_IN_OUT_DHW;
        int cin = fromTorch ? shape[0] : shape[4];
        int cog = fromTorch ? shape[1] : shape[3];
        int kd = fromTorch ? shape[2] : shape[0];
        int kh = fromTorch ? shape[3] : shape[1];
        int kw = fromTorch ? shape[4] : shape[2];
        float[] out = new float[weights.length];
        for (int ci = 0; ci < cin; ci++)
            for (int co = 0; co < cog; co++)
                for (int td = 0; td < kd; td++)
                    for (int th = 0; th < kh; th++)
                        for (int tw = 0; tw < kw; tw++) {
                            int torch = (((ci * cog + co) * kd + td) * kh + th) * kw + tw;
                            int tf = (((td * kh + th) * kw + tw) * cog + co) * cin + ci;
                            if (fromTorch) {
                                out[tf] = weights[torch];
                            } else {
                                out[torch] = weights[tf];
                            }
                        }
        return out;
    }

    private static void requireShape(int[] shape, FilterLayout layout) {
        String axes = layout == null ? "[5 sizes]" : layout.description();
        if (shape == null || shape.length != 5) {
            throw new IllegalArgumentException("weight shape " + Arrays.toString(shape) + " is not 5 sizes: pass "
                    + axes);
        }
        for (int v : shape) {
            if (v < 1) {
                throw new IllegalArgumentException("weight shape " + Arrays.toString(shape) + " has a size below 1:"
                        + " use positive sizes " + axes);
            }
        }
    }
}
