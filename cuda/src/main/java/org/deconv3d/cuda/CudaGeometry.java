package org.deconv3d.cuda;

import java.util.ArrayList;
import java.util.List;
import org.deconv3d.Activation;
import org.deconv3d.Axis;
import org.deconv3d.AxisPhases;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;

/**
 * Everything the kernel needs, computed on the host without touching CUDA: the geometry array (indices mirror
 * the {@code G_*} enum in {@code deconv3d.cu}), the weights packed {@code [group][tap][ci][co]}, and one launch per
 * phase. Kept apart from JCuda so that the CPU emulation test runs exactly what a GPU would be given.
 */
final class CudaGeometry {

    /** Positions and output channels per block, and the block's threads: as in deconv3d.cu. */
    static final int TILE_P = 64;
    static final int TILE_C = 64;
    static final int THREADS_X = 16;
    static final int THREADS_Y = 16;

    static final int G_N = 0, G_CIN = 1, G_COUT = 2, G_GROUPS = 3;
    static final int G_XD = 4, G_XH = 5, G_XW = 6, G_OD = 7, G_OH = 8, G_OW = 9;
    static final int G_KD = 10, G_KH = 11, G_KW = 12, G_SD = 13, G_SH = 14, G_SW = 15;
    static final int G_DD = 16, G_DH = 17, G_DW = 18, G_PD = 19, G_PH = 20, G_PW = 21;
    static final int G_ACTIVATION = 22, G_SLOPE_BITS = 23, G_HAS_BIAS = 24;
    static final int G_COUNT = 25;

    /** Kernel names, as in deconv3d.cu. */
    static final String PHASE = "deconv3d_phase";
    static final String GRAD_SCALE = "deconv3d_grad_scale";
    static final String GRAD_INPUT = "deconv3d_grad_input";
    static final String GRAD_FILTER = "deconv3d_grad_filter";
    static final String GRAD_REDUCE = "deconv3d_grad_reduce";
    static final String GRAD_BIAS = "deconv3d_grad_bias";
    /** Threads per block of the one-dimensional kernels (SCALE_THREADS, BIAS_THREADS in deconv3d.cu). */
    static final int LINEAR_THREADS = 256;
    /** Input positions per filter-gradient split, at least: enough work per block to hide its start. */
    static final int MIN_SPAN = 4096;
    /** The most splits of the filter gradient (partial filters kept on the device). */
    static final int MAX_SPLITS = 64;

    /**
     * A kernel launch as the device gets it: the kernel's name, grid and block, and its int arguments, which
     * follow its buffer arguments (bound by the plan).
     */
    record Call(String kernel, int gridX, int gridY, int gridZ, int blockX, int blockY, int[] ints) {
    }

    /** {@code go *= act'(y)} over the output (buffers: geometry, go, y). */
    static Call scaleCall(Deconv3dProblem p) {
        return new Call(GRAD_SCALE, blocks(p.outputLength()), 1, 1, LINEAR_THREADS, 1, new int[] {p.outputLength()});
    }

    /** The input gradient (buffers: geometry, go, w, dx). */
    static Call inputGradientCall(Deconv3dProblem p) {
        int[] x = p.inputSize();
        int tiles = (int) (((long) x[1] * x[2] + TILE_P - 1) / TILE_P);
        long blocks = (long) p.batch() * x[0] * tiles;
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the input gradient needs " + blocks + " blocks in one launch, more"
                    + " than CUDA allows: split the batch");
        }
        int ciTiles = (p.inChannelsPerGroup() + TILE_C - 1) / TILE_C;
        return new Call(GRAD_INPUT, (int) blocks, ciTiles, p.groups(), THREADS_X, THREADS_Y, new int[] {tiles});
    }

    /**
     * How many spans of input positions the filter gradient splits into: fixed by the problem (never by the
     * device), so its sums, and so its result, are the same on every GPU.
     */
    static int filterSplits(Deconv3dProblem p) {
        long positions = (long) p.inputLength() / p.inChannels();
        long byMemory = (1L << 26) / Math.max(1, p.filterLength()); // partial filters: at most 256 MiB
        return (int) Math.max(1, Math.min(Math.min(MAX_SPLITS, byMemory), positions / MIN_SPAN));
    }

    /** The filter gradient's partial sums (buffers: geometry, x, go, partial). */
    static Call filterGradientCall(Deconv3dProblem p) {
        int splits = filterSplits(p);
        long positions = (long) p.inputLength() / p.inChannels();
        int span = (int) ((positions + splits - 1) / splits);
        int[] k = p.kernel();
        int taps = k[0] * k[1] * k[2];
        int ciTiles = (p.inChannelsPerGroup() + TILE_C - 1) / TILE_C;
        int coTiles = (p.outChannelsPerGroup() + TILE_C - 1) / TILE_C;
        return new Call(GRAD_FILTER, taps * splits, ciTiles * coTiles, p.groups(), THREADS_X, THREADS_Y,
                new int[] {splits, span});
    }

    /** The partial filters added in split order into the packed filter gradient (buffers: geometry, partial, dw). */
    static Call reduceCall(Deconv3dProblem p) {
        return new Call(GRAD_REDUCE, blocks(p.filterLength()), 1, 1, LINEAR_THREADS, 1,
                new int[] {filterSplits(p), p.filterLength()});
    }

    /** The bias gradient (buffers: geometry, go, db). */
    static Call biasCall(Deconv3dProblem p) {
        return new Call(GRAD_BIAS, p.outChannels(), 1, 1, LINEAR_THREADS, 1, new int[0]);
    }

    private static int blocks(int count) {
        return Math.max(1, (count + LINEAR_THREADS - 1) / LINEAR_THREADS);
    }

    private CudaGeometry() {
    }

    static int[] geometry(Deconv3dProblem p, boolean hasBias) {
        int[] g = new int[G_COUNT];
        int[] x = p.inputSize(), o = p.outputSize(), k = p.kernel(), s = p.stride(), d = p.dilation();
        int[] pad = p.padBefore();
        g[G_N] = p.batch();
        g[G_CIN] = p.inChannels();
        g[G_COUT] = p.outChannels();
        g[G_GROUPS] = p.groups();
        for (int a = 0; a < 3; a++) {
            g[G_XD + a] = x[a];
            g[G_OD + a] = o[a];
            g[G_KD + a] = k[a];
            g[G_SD + a] = s[a];
            g[G_DD + a] = d[a];
            g[G_PD + a] = pad[a];
        }
        Activation act = p.activation();
        g[G_ACTIVATION] = act.kind().ordinal(); // NONE, RELU, LEAKY_RELU, SIGMOID, TANH as in the .cu enum
        g[G_SLOPE_BITS] = Float.floatToRawIntBits(act.slope());
        g[G_HAS_BIAS] = hasBias ? 1 : 0;
        return g;
    }

    /** The filter as {@code [group][kd*kh*kw][Cin/groups][Cout/groups]}. */
    static float[] packWeights(Deconv3dProblem p, float[] filter) {
        float[] packed = new float[p.filterLength()];
        int[] order = packedOrder(p);
        for (int i = 0; i < order.length; i++) {
            packed[i] = filter[order[i]];
        }
        return packed;
    }

    /** The inverse of {@link #packWeights}: a packed {@code [group][tap][ci][co]} filter into the problem's layout. */
    static void unpackWeights(Deconv3dProblem p, float[] packed, float[] filter) {
        int[] order = packedOrder(p);
        for (int i = 0; i < order.length; i++) {
            filter[order[i]] = packed[i];
        }
    }

    /** For each packed position, in order, the index of the same weight in the problem's filter layout. */
    private static int[] packedOrder(Deconv3dProblem p) {
        int[] k = p.kernel();
        int cinG = p.inChannelsPerGroup();
        int coutG = p.outChannelsPerGroup();
        int[] order = new int[p.filterLength()];
        int i = 0;
        for (int g = 0; g < p.groups(); g++)
            for (int td = 0; td < k[0]; td++)
                for (int th = 0; th < k[1]; th++)
                    for (int tw = 0; tw < k[2]; tw++)
                        for (int c = 0; c < cinG; c++)
                            for (int co = 0; co < coutG; co++)
                                order[i++] = p.filterIndex(g * cinG + c, co, td, th, tw);
        return order;
    }

    /**
     * The forward: one launch per phase that has outputs on every axis (buffers: geometry, x, w, bias, y; ints: the
     * phase {cd, ch, cw}, then {jd_count, jh_count, jw_count, tiles}). Grid: blocks over (n, jd, tiles of the
     * (jh, jw) positions) x output-channel tiles of a group x groups.
     */
    static List<Call> launches(Deconv3dProblem p) {
        AxisPhases ad = AxisPhases.of(p, Axis.DEPTH), ah = AxisPhases.of(p, Axis.HEIGHT);
        AxisPhases aw = AxisPhases.of(p, Axis.WIDTH);
        int coTiles = (p.outChannelsPerGroup() + TILE_C - 1) / TILE_C;
        List<Call> list = new ArrayList<>();
        // Phases with outputs only (core's AxisPhases lists no others), so the count is bounded by the output.
        for (int cd = 0; cd < ad.count(); cd++)
            for (int ch = 0; ch < ah.count(); ch++)
                for (int cw = 0; cw < aw.count(); cw++) {
                    int jd = ad.positions(cd);
                    int jh = ah.positions(ch);
                    int jw = aw.positions(cw);
                    int tiles = (int) (((long) jh * jw + TILE_P - 1) / TILE_P);
                    long blocks = (long) p.batch() * jd * tiles;
                    if (blocks > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("the problem needs " + blocks + " blocks in one launch,"
                                + " more than CUDA allows: split the batch");
                    }
                    list.add(new Call(PHASE, (int) blocks, coTiles, p.groups(), THREADS_X, THREADS_Y,
                            new int[] {cd, ch, cw, jd, jh, jw, tiles}));
                }
        return list;
    }

    /** Writes {@code samples} samples of {@code x[offset...]} (in the problem's layout) into {@code out} as NDHWC. */
    static void toChannelsLast(Deconv3dProblem p, float[] x, int offset, int samples, float[] out) {
        relayout(p, p.inputLengthPerSample(), p.inChannels(), samples, x, offset, out, 0, true);
    }

    /** Writes the first {@code samples} samples of NDHWC {@code y} into {@code out[offset...]} in the problem's layout. */
    static void fromChannelsLast(Deconv3dProblem p, float[] y, int samples, float[] out, int offset) {
        relayout(p, p.outputLengthPerSample(), p.outChannels(), samples, y, 0, out, offset, false);
    }

    /** As {@link #toChannelsLast} for an output-shaped array of the whole batch ({@code dy}, {@code y}). */
    static void outputToChannelsLast(Deconv3dProblem p, float[] y, float[] out) {
        relayout(p, p.outputLengthPerSample(), p.outChannels(), p.batch(), y, 0, out, 0, true);
    }

    /** As {@link #fromChannelsLast} for an input-shaped array of the whole batch ({@code dx}). */
    static void inputFromChannelsLast(Deconv3dProblem p, float[] x, float[] out) {
        relayout(p, p.inputLengthPerSample(), p.inChannels(), p.batch(), x, 0, out, 0, false);
    }

    /**
     * Copies {@code samples} samples of {@code per} floats with {@code c} channels between the problem's layout and
     * NDHWC: into NDHWC when {@code toLast}, else out of it (a plain copy for a channels-last problem).
     */
    private static void relayout(Deconv3dProblem p, int per, int c, int samples, float[] from, int fromOffset,
            float[] to, int toOffset, boolean toLast) {
        if (p.layout() == Layout.NDHWC) {
            System.arraycopy(from, fromOffset, to, toOffset, samples * per);
            return;
        }
        int volume = per / c;
        for (int n = 0; n < samples; n++)
            for (int ch = 0; ch < c; ch++)
                for (int v = 0; v < volume; v++) {
                    int first = (n * c + ch) * volume + v;
                    int last = (n * volume + v) * c + ch;
                    if (toLast) {
                        to[toOffset + last] = from[fromOffset + first];
                    } else {
                        to[toOffset + first] = from[fromOffset + last];
                    }
                }
    }
}
