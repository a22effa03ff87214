package org.deconv3d;

import java.util.Arrays;

/**
 * The phase decomposition of one spatial axis: the one definition of which taps reach which outputs, shared by
 * every backend.
 *
 * <p>Output positions {@code o = c + j*s} of phase {@code c} ({@code 0 <= c < s}) are reached by the same taps:
 * those with {@code t*d ≡ c + padBefore (mod s)}, tap {@code t} from input position {@code j + offset},
 * {@code offset = (c + padBefore - t*d) / s}. So consecutive outputs of a phase read consecutive inputs, and each
 * phase is a small dense convolution.
 *
 * <p>Only what can matter is kept, so the cost of building this is bounded by the kernel and output sizes, never
 * by the stride or dilation: phases {@code c >= outputSize} have no outputs and are not listed, and a tap is kept
 * for a phase only when at least one of the phase's positions reads a real input through it
 * ({@code -positions < offset < inputSize}). A phase with no taps has outputs that receive only the bias.
 *
 * <pre>{@code
 * AxisPhases w = AxisPhases.of(problem, Axis.WIDTH);
 * for (int c = 0; c < w.count(); c++) {
 *     int[] taps = w.taps(c);        // ascending
 *     int[] offsets = w.offsets(c);  // input position of output j of this phase through taps[i]: j + offsets[i]
 * }
 * }</pre>
 */
public final class AxisPhases {

    private static final int[] NONE = new int[0];

    private final int stride;
    private final int outputSize;

    /** The phases of {@code axis} of {@code problem}. */
    public static AxisPhases of(Deconv3dProblem problem, Axis axis) {
        int a = axis.ordinal();
        return new AxisPhases(problem.inputSize()[a], problem.outputSize()[a], problem.kernel()[a],
                problem.stride()[a], problem.dilation()[a], problem.padBefore()[a]);
    }

    /** The phases of one axis given its sizes; arguments as in {@link Deconv3dProblem}. */
    public AxisPhases(int inputSize, int outputSize, int kernel, int stride, int dilation, int padBefore) {
        this.stride = stride;
        this.outputSize = outputSize;
        int count = Math.min(stride, outputSize);
        int[] perPhase = new int[count];
        // One pass over the taps, not over the phases: the stride may be far larger than the kernel.
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1) {
                taps = new int[count][];
                offsets = new int[count][];
                for (int c = 0; c < count; c++) {
                    taps[c] = perPhase[c] == 0 ? NONE : new int[perPhase[c]];
                    offsets[c] = perPhase[c] == 0 ? NONE : new int[perPhase[c]];
                }
                Arrays.fill(perPhase, 0);
            }
            for (int t = 0; t < kernel; t++) {
                int c = (int) Math.floorMod((long) t * dilation - padBefore, (long) stride);
                if (c >= count) {
                    continue;
                }
                long offset = ((long) c + padBefore - (long) t * dilation) / stride; // exact by the choice of c
                int positions = positions(c);
                if (offset <= -positions || offset >= inputSize) {
                    continue; // no position of this phase reads a real input through this tap
                }
                if (pass == 1) {
                    taps[c][perPhase[c]] = t;
                    offsets[c][perPhase[c]] = (int) offset;
                }
                perPhase[c]++;
            }
        }
    }

    // Filled in the constructor's second pass.
    private int[][] taps;
    private int[][] offsets;

    /** The stride of the axis: phase {@code c} holds outputs {@code c, c+s, c+2s, ...}. */
    public int stride() {
        return stride;
    }

    /** Phases that have outputs: {@code min(stride, outputSize)}. */
    public int count() {
        return taps.length;
    }

    /** Outputs of phase {@code c}: {@code ceil((outputSize - c) / stride)}. */
    public int positions(int c) {
        return c < outputSize ? (outputSize - 1 - c) / stride + 1 : 0;
    }

    /** The taps that reach phase {@code c} from inside the input, ascending (a copy). */
    public int[] taps(int c) {
        return taps[c].clone();
    }

    /** Per tap of {@link #taps}: output {@code j} of phase {@code c} reads input {@code j + offsets(c)[i]} (a copy). */
    public int[] offsets(int c) {
        return offsets[c].clone();
    }

    /** How many taps reach phase {@code c}; 0 means its outputs receive only the bias. */
    public int tapCount(int c) {
        return taps[c].length;
    }

    /**
     * The output position that input position {@code i} reaches through tap {@code t}, {@code i*stride +
     * t*dilation - padBefore}, or -1 when that lies outside {@code 0 .. outputSize-1}: the scatter form of the same
     * rule, for the gradients, which walk the inputs.
     */
    public static int reached(int i, int t, int stride, int dilation, int padBefore, int outputSize) {
        long o = (long) i * stride + (long) t * dilation - padBefore; // long: i*stride can pass Integer.MAX_VALUE
        return o >= 0 && o < outputSize ? (int) o : -1;
    }

    /**
     * The first input position that tap {@code t} takes inside the output: the smallest {@code i >= 0} with
     * {@link #reached} {@code >= 0}, or {@code inputSize} when there is none. With {@link #endReaching}, the
     * inputs {@code first..end-1} are exactly those {@code reached} maps into the output.
     */
    public static int firstReaching(int t, int stride, int dilation, int padBefore, int outputSize, int inputSize) {
        long lo = ceilDiv((long) padBefore - (long) t * dilation, stride);
        return (int) Math.min(Math.max(lo, 0), endReaching(t, stride, dilation, padBefore, outputSize, inputSize));
    }

    /** One past the last input position that tap {@code t} takes inside the output; see {@link #firstReaching}. */
    public static int endReaching(int t, int stride, int dilation, int padBefore, int outputSize, int inputSize) {
        long hi = ceilDiv((long) outputSize + padBefore - (long) t * dilation, stride);
        return (int) Math.max(0, Math.min(hi, inputSize));
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** Output position {@code j} of phase {@code c}: {@code c + j*stride}. */
    public int output(int c, int j) {
        return c + j * stride;
    }
}
