package org.deconv3d;

import java.util.Optional;

/**
 * The shape rules of 3D transposed convolution, per spatial axis, as pure functions.
 *
 * <p>Notation: {@code X} is the transposed convolution's input size, {@code O} its output size, {@code k} the
 * kernel size, {@code s} the stride, {@code d} the dilation, {@code K = (k-1)*d + 1} the effective kernel size.
 * An input position {@code i} and tap {@code t} write output position {@code o = i*s + t*d - before}.
 *
 * <p>TensorFlow ({@code tf.nn.conv3d_transpose}) accepts an {@code output_shape} {@code O} exactly when the forward
 * convolution of size {@code O}, with the same kernel, stride, dilation and padding, has size {@code X}:
 * <ul>
 *   <li>VALID: {@code floor((O - K) / s) + 1 == X}, so {@code (X-1)*s + K <= O <= X*s + K - 1}, no padding;</li>
 *   <li>SAME: {@code ceil(O / s) == X}, so {@code (X-1)*s + 1 <= O <= X*s}, padding
 *       {@code max((X-1)*s + K - O, 0)} split with the extra one after.</li>
 * </ul>
 * PyTorch ({@code ConvTranspose3d}) computes {@code O = (X-1)*s - 2p + (k-1)*d + op + 1}.
 *
 * <pre>{@code
 * SizeRange valid = ShapeRules.tfValidOutputSizes(Padding.VALID, 1, 5, 4, 1);   // 5..8
 * Optional<String> why = ShapeRules.explainTfOutputSize(Axis.DEPTH, Padding.VALID, 1, 4, 5, 4, 1);
 * }</pre>
 */
public final class ShapeRules {

    private ShapeRules() {
    }

    /** {@code K = (k-1)*d + 1}, the span of a dilated kernel. */
    public static int effectiveKernel(int k, int d) {
        return (k - 1) * d + 1;
    }

    /** Keras' default output size when no {@code output_shape} is given: VALID {@code X*s + max(K-s, 0)}, SAME {@code X*s}. */
    public static int tfDefaultOutputSize(Padding padding, int x, int k, int s, int d) {
        int big = effectiveKernel(k, d);
        long size = padding == Padding.SAME ? (long) x * s : (long) x * s + Math.max(big - s, 0);
        return clampToInt(size);
    }

    /** The size a forward convolution produces from an input of size {@code o}; 0 when nothing fits. */
    public static int tfForwardSize(Padding padding, int o, int k, int s, int d) {
        if (padding == Padding.SAME) {
            return Math.floorDiv(o + s - 1, s);
        }
        int big = effectiveKernel(k, d);
        return o < big ? 0 : Math.floorDiv(o - big, s) + 1;
    }

    /** Every output size TensorFlow accepts for input size {@code x} under {@code padding}. */
    public static SizeRange tfValidOutputSizes(Padding padding, int x, int k, int s, int d) {
        if (padding == Padding.SAME) {
            return new SizeRange(clampToInt((long) (x - 1) * s + 1), clampToInt((long) x * s));
        }
        long big = effectiveKernel(k, d);
        return new SizeRange(clampToInt((long) (x - 1) * s + big), clampToInt((long) x * s + big - 1));
    }

    /** The padding TensorFlow implies for a valid output size {@code o}. */
    public static AxisPadding tfPadding(Padding padding, int x, int o, int k, int s, int d) {
        long full = (long) (x - 1) * s + effectiveKernel(k, d);
        if (padding == Padding.VALID) {
            return new AxisPadding(0, clampToInt(full - o));
        }
        long total = Math.max(full - o, 0);
        long before = total / 2;
        return new AxisPadding((int) before, clampToInt(full - o - before));
    }

    /** PyTorch's output size {@code (X-1)*s - 2p + (k-1)*d + op + 1} (may be {@code <= 0} for bad arguments). */
    public static long torchOutputSize(int x, int k, int s, int p, int outputPadding, int d) {
        return (long) (x - 1) * s - 2L * p + (long) (k - 1) * d + outputPadding + 1;
    }

    /** The padding PyTorch's arguments imply: {@code p} before, {@code p - op} after. */
    public static AxisPadding torchPadding(int p, int outputPadding) {
        return new AxisPadding(p, p - outputPadding);
    }

    /**
     * Why TensorFlow rejects output size {@code o}, or empty when it is valid. The text names the axis, the
     * formula with the numbers filled in, the valid range, and the sizes the other padding mode accepts.
     */
    public static Optional<String> explainTfOutputSize(Axis axis, Padding padding, int x, int o, int k, int s, int d) {
        SizeRange valid = tfValidOutputSizes(padding, x, k, s, d);
        if (valid.contains(o)) {
            return Optional.empty();
        }
        String w = axis.word();
        String kernel = d == 1 ? "kernel " + k : "kernel " + k + " dilated by " + d + " (effective (" + k + "-1)*" + d
                + " + 1 = " + effectiveKernel(k, d) + ")";
        int big = effectiveKernel(k, d);
        StringBuilder m = new StringBuilder();
        m.append("output ").append(w).append(' ').append(o).append(" is not valid for ").append(padding)
                .append(" padding with input ").append(w).append(' ').append(x).append(", ").append(kernel)
                .append(", stride ").append(s).append(": ");
        if (padding == Padding.VALID) {
            m.append("a forward VALID conv3d maps ").append(w).append(' ').append(o).append(" back to floor((")
                    .append(o).append('-').append(big).append(")/").append(s).append(")+1 = ")
                    .append(Math.max(0, Math.floorDiv(o - big, s) + 1));
            if (o < big) {
                m.append(" (the kernel span ").append(big).append(" does not fit in ").append(o).append(')');
            }
            m.append(", not ").append(x).append(". VALID needs (").append(x).append("-1)*").append(s).append(" + ")
                    .append(big).append(" = ").append(valid.min()).append(" <= ").append(w).append(" <= ")
                    .append(x).append('*').append(s).append(" + ").append(big).append(" - 1 = ").append(valid.max());
        } else {
            m.append("a forward SAME conv3d maps ").append(w).append(' ').append(o).append(" back to ceil(")
                    .append(o).append('/').append(s).append(") = ").append(tfForwardSize(padding, o, k, s, d))
                    .append(", not ").append(x).append(". SAME needs (").append(x).append("-1)*").append(s)
                    .append(" + 1 = ").append(valid.min()).append(" <= ").append(w).append(" <= ").append(x)
                    .append('*').append(s).append(" = ").append(valid.max());
        }
        SizeRange other = tfValidOutputSizes(padding.other(), x, k, s, d);
        m.append("; use a ").append(w).append(" in ").append(valid).append(", or ").append(padding.other())
                .append(" padding (valid ").append(w).append("s ").append(other).append(')');
        if (other.contains(o)) {
            m.append(", which accepts ").append(o);
        }
        return Optional.of(m.toString());
    }

    private static int clampToInt(long v) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }
}
