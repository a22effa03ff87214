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

    /** The largest size along an axis: every position must fit an {@code int} index. */
    public static final int MAX_SIZE = Integer.MAX_VALUE;

    /** {@code K = (k-1)*d + 1}, the span of a dilated kernel, computed without overflow. */
    public static long effectiveKernel(int k, int d) {
        return (long) (k - 1) * d + 1;
    }

    /**
     * {@code (X-1)*s + K}: how many output positions the full (uncropped) transposed convolution spans along one
     * axis. Every position {@code o = i*s + t*d - before} a problem computes lies within it.
     */
    public static long fullSize(int x, int k, int s, int d) {
        return (long) (x - 1) * s + effectiveKernel(k, d);
    }

    /**
     * Why an axis cannot be computed with {@code int} positions, or empty when it can: the full result
     * {@code (X-1)*s + (k-1)*d + 1} must be at most {@link #MAX_SIZE}. The text says which argument to lower, and
     * to what.
     */
    public static Optional<String> explainSpan(Axis axis, int x, int k, int s, int d) {
        long full = fullSize(x, k, s, d);
        if (full <= MAX_SIZE) {
            return Optional.empty();
        }
        String w = axis.word();
        StringBuilder m = new StringBuilder();
        m.append("along ").append(w).append(", input ").append(w).append(' ').append(x).append(" with stride ")
                .append(s).append(", kernel ").append(k).append(" and dilation ").append(d)
                .append(" spans (").append(x).append("-1)*").append(s).append(" + (").append(k).append("-1)*")
                .append(d).append(" + 1 = ").append(full).append(" output positions, more than ").append(MAX_SIZE)
                .append(" (the most an int index holds): ");
        long kernelSpan = effectiveKernel(k, d);
        if (kernelSpan > MAX_SIZE) {
            m.append("use a dilation along ").append(w).append(" of at most ").append((MAX_SIZE - 1L) / (k - 1));
        } else {
            m.append("use a stride along ").append(w).append(" of at most ")
                    .append((MAX_SIZE - kernelSpan) / (x - 1));
            if (x > 1) {
                m.append(", or an input ").append(w).append(" of at most ")
                        .append((MAX_SIZE - kernelSpan) / s + 1);
            }
        }
        return Optional.of(m.toString());
    }

    /**
     * Keras' default output size when no {@code output_shape} is given: VALID {@code X*s + max(K-s, 0)}, SAME
     * {@code X*s}. A long: it can exceed {@link #MAX_SIZE}, which the problem builder rejects.
     */
    public static long tfDefaultOutputSize(Padding padding, int x, int k, int s, int d) {
        long big = effectiveKernel(k, d);
        return padding == Padding.SAME ? (long) x * s : (long) x * s + Math.max(big - s, 0);
    }

    /** The size a forward convolution produces from an input of size {@code o}; 0 when nothing fits. */
    public static long tfForwardSize(Padding padding, long o, int k, int s, int d) {
        if (padding == Padding.SAME) {
            return Math.floorDiv(o + s - 1, s);
        }
        long big = effectiveKernel(k, d);
        return o < big ? 0 : Math.floorDiv(o - big, s) + 1;
    }

    /**
     * Every output size TensorFlow accepts for input size {@code x} under {@code padding}, limited to sizes an
     * {@code int} holds (empty when none is).
     */
    public static SizeRange tfValidOutputSizes(Padding padding, int x, int k, int s, int d) {
        long min;
        long max;
        if (padding == Padding.SAME) {
            min = (long) (x - 1) * s + 1;
            max = (long) x * s;
        } else {
            min = fullSize(x, k, s, d);
            max = (long) x * s + effectiveKernel(k, d) - 1;
        }
        if (min > MAX_SIZE) {
            return new SizeRange(MAX_SIZE, MAX_SIZE - 1);
        }
        return new SizeRange((int) min, (int) Math.min(max, MAX_SIZE));
    }

    /**
     * The padding TensorFlow implies for a valid output size {@code o}. Requires an axis that {@link #explainSpan}
     * accepts, so both sides fit an {@code int}.
     */
    public static AxisPadding tfPadding(Padding padding, int x, int o, int k, int s, int d) {
        long full = fullSize(x, k, s, d);
        if (full > MAX_SIZE) {
            throw new IllegalArgumentException("the full result spans " + full + " positions, more than " + MAX_SIZE
                    + ": check the axis with ShapeRules.explainSpan first, which says what to lower");
        }
        if (padding == Padding.VALID) {
            return new AxisPadding(0, Math.toIntExact(full - o));
        }
        long total = Math.max(full - o, 0);
        long before = total / 2;
        return new AxisPadding(Math.toIntExact(before), Math.toIntExact(full - o - before));
    }

    /** PyTorch's output size {@code (X-1)*s - 2p + (k-1)*d + op + 1} (may be {@code <= 0} for bad arguments). */
    public static long torchOutputSize(int x, int k, int s, int p, int outputPadding, int d) {
        return (long) (x - 1) * s - 2L * p + (long) (k - 1) * d + outputPadding + 1;
    }

    /** The padding PyTorch's arguments imply: {@code p} before, {@code p - op} after (no overflow: both are ints >= 0). */
    public static AxisPadding torchPadding(int p, int outputPadding) {
        return new AxisPadding(p, p - outputPadding);
    }

    /**
     * ONNX's total padding for an explicit output size: {@code s*(X-1) + op + K - O} (the spec's formula); negative
     * when {@code O} passes the full result.
     */
    public static long onnxTotalPadding(int x, int o, int k, int s, int d, int outputPadding) {
        return (long) s * (x - 1) + outputPadding + effectiveKernel(k, d) - o;
    }

    /**
     * ONNX's split of a total padding: {@code SAME_UPPER} puts {@code total/2} at the beginning and the rest at the
     * end; {@code NOTSET} and {@code SAME_LOWER} put the larger half at the beginning. Integer division truncates
     * toward zero, as in the spec's reference and ONNX Runtime.
     */
    public static AxisPadding onnxSplit(AutoPad autoPad, long total) {
        long half = total / 2;
        long begin = autoPad == AutoPad.SAME_UPPER ? half : total - half;
        return new AxisPadding(Math.toIntExact(begin), Math.toIntExact(total - begin));
    }

    /** ONNX's output size from explicit pads: {@code s*(X-1) + op + K - begin - end} (may be {@code <= 0}). */
    public static long onnxOutputSize(int x, int k, int s, int d, int outputPadding, int begin, int end) {
        return (long) s * (x - 1) + outputPadding + effectiveKernel(k, d) - begin - end;
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
        long big = effectiveKernel(k, d);
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

}
