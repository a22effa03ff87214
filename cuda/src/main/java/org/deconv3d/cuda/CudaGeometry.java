package org.deconv3d.cuda;

import java.util.ArrayList;
import java.util.List;
import org.deconv3d.Activation;
import org.deconv3d.Axis;
import org.deconv3d.AxisPhases;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;

/**
 * Everything the kernels need, computed on the host without touching CUDA: the geometry array (indices mirror
 * the {@code G_*} enum in {@code deconv3d.cu}), the forward's phase table ({@code P_*}), the weights packed
 * {@code [group][tap][ci][co]}, and each kernel's launch: its tile shape and how its sum splits, fixed by the
 * problem alone. Kept apart from JCuda so that the CPU emulation test runs exactly what a GPU would be given.
 */
final class CudaGeometry {

    /** The threads of a tile kernel's block: as in deconv3d.cu. */
    static final int THREADS_X = 16;
    static final int THREADS_Y = 16;
    /** Channels staged per step of a tile kernel (CHUNK in deconv3d.cu): a channel split is a multiple of it. */
    static final int CHUNK = 16;
    /**
     * Blocks the forward and the input gradient aim for: with fewer, their channel sums are split into partial
     * sums added in order by a second kernel. A constant, not the device's size, so results are the same anywhere.
     */
    static final int TILE_BLOCKS = 512;
    /** Channels and rows of the bias gradient's blocks (BIAS_CHANNELS, BIAS_ROWS in deconv3d.cu). */
    static final int BIAS_CHANNELS = 32;
    static final int BIAS_ROWS = 8;

    static final int G_N = 0, G_CIN = 1, G_COUT = 2, G_GROUPS = 3;
    static final int G_XD = 4, G_XH = 5, G_XW = 6, G_OD = 7, G_OH = 8, G_OW = 9;
    static final int G_KD = 10, G_KH = 11, G_KW = 12, G_SD = 13, G_SH = 14, G_SW = 15;
    static final int G_DD = 16, G_DH = 17, G_DW = 18, G_PD = 19, G_PH = 20, G_PW = 21;
    static final int G_ACTIVATION = 22, G_SLOPE_BITS = 23, G_HAS_BIAS = 24;
    static final int G_COUNT = 25;

    /** A phase-table row: the phase, its position counts per axis, its first tile (P_* in deconv3d.cu). */
    static final int P_CD = 0, P_CH = 1, P_CW = 2, P_JD = 3, P_JH = 4, P_JW = 5, P_FIRST_TILE = 6;
    static final int PHASE_INTS = 7;

    /** Kernel names, as in deconv3d.cu; the tile kernels are named by their channels per tile (16, 32 or 64). */
    static final String FORWARD = "deconv3d_forward_c";
    static final String FORWARD_FINISH = "deconv3d_forward_finish";
    static final String GRAD_SCALE = "deconv3d_grad_scale";
    static final String GRAD_INPUT = "deconv3d_grad_input_c";
    /** The filter gradient's kernels: "_i{input channels per tile}_o{output channels per tile}" appended. */
    static final String GRAD_FILTER = "deconv3d_grad_filter";
    static final String GRAD_REDUCE = "deconv3d_grad_reduce";
    static final String GRAD_BIAS = "deconv3d_grad_bias";
    /** The channels per tile the tile kernels come in. */
    static final int[] TILE_CHANNELS = {16, 32, 64};
    /** Threads per block of the one-dimensional kernels (SCALE_THREADS in deconv3d.cu). */
    static final int LINEAR_THREADS = 256;
    /** CUDA's largest grid in z. */
    static final int MAX_GRID_Z = 65535;
    /**
     * Blocks the filter gradient aims for (taps x channel tiles x splits): enough to fill a large GPU several
     * times over. A constant, not the device's size, so that the splits, and so the sums, are the same everywhere.
     */
    static final int FILTER_BLOCKS = 1024;
    /** Input positions per filter-gradient split, at least: enough work per block to hide its start. */
    static final int MIN_SPAN = 256;
    /** The most splits of the filter gradient (partial filters kept on the device). */
    static final int MAX_SPLITS = 256;
    /** Output positions per bias-gradient split, at least, and the most splits. */
    static final int BIAS_SPAN = 2048;
    static final int MAX_BIAS_SPLITS = 1024;

    /**
     * A kernel launch as the device gets it: the kernel's name, grid and block, and its int arguments, which
     * follow its buffer arguments (bound by the plan).
     */
    record Call(String kernel, int gridX, int gridY, int gridZ, int blockX, int blockY, int[] ints) {
    }

    /**
     * The channels per tile for a layer with {@code channels} channels per group: the smallest of 16, 32, 64 that
     * holds them, 64 beyond (positions per tile: 4096 / channels, from the same 16 x 16 threads).
     */
    static int tileChannels(int channels) {
        for (int c : TILE_CHANNELS) {
            if (channels <= c) {
                return c;
            }
        }
        return TILE_CHANNELS[TILE_CHANNELS.length - 1];
    }

    /** Positions per tile of a tile kernel with {@code tileChannels} channels per tile. */
    static int tilePositions(int tileChannels) {
        return THREADS_X * THREADS_Y * 16 / tileChannels;
    }

    /**
     * The forward's phase table: per phase with outputs on every axis, {@link #PHASE_INTS} ints (the phase, its
     * position counts, its first tile), then one more int, the total number of tiles.
     */
    static int[] phaseTable(Deconv3dProblem p) {
        AxisPhases ad = AxisPhases.of(p, Axis.DEPTH), ah = AxisPhases.of(p, Axis.HEIGHT);
        AxisPhases aw = AxisPhases.of(p, Axis.WIDTH);
        int tileP = tilePositions(tileChannels(p.outChannelsPerGroup()));
        // Phases with outputs only (core's AxisPhases lists no others), so the count is bounded by the output.
        int[] table = new int[Math.multiplyExact(Math.multiplyExact(ad.count(), ah.count()),
                Math.multiplyExact(aw.count(), PHASE_INTS)) + 1];
        long tiles = 0;
        int row = 0;
        for (int cd = 0; cd < ad.count(); cd++)
            for (int ch = 0; ch < ah.count(); ch++)
                for (int cw = 0; cw < aw.count(); cw++, row += PHASE_INTS) {
                    int jd = ad.positions(cd), jh = ah.positions(ch), jw = aw.positions(cw);
                    table[row + P_CD] = cd;
                    table[row + P_CH] = ch;
                    table[row + P_CW] = cw;
                    table[row + P_JD] = jd;
                    table[row + P_JH] = jh;
                    table[row + P_JW] = jw;
                    table[row + P_FIRST_TILE] = (int) tiles;
                    tiles += ((long) p.batch() * jd * jh * jw + tileP - 1) / tileP;
                    if (tiles > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("the problem needs more than " + Integer.MAX_VALUE
                                + " blocks in one launch, more than CUDA allows: split the batch");
                    }
                }
        table[row] = (int) tiles;
        return table;
    }

    /**
     * How a tile kernel's sum of {@code units} steps splits: {splits, units per split}. One split when the launch has
     * {@link #TILE_BLOCKS} blocks already; else enough splits to reach it, at most one per unit, with their partial
     * results ({@code splits x length} floats) under 256 MiB, and one split where groups x splits would pass CUDA's
     * grid limit in z.
     */
    private static int[] split(Deconv3dProblem p, long blocks, long units, long length) {
        long wanted = blocks >= TILE_BLOCKS ? 1 : ceilDiv(TILE_BLOCKS, Math.max(1, blocks));
        long splits = Math.max(1, Math.min(Math.min(wanted, units), (1L << 26) / Math.max(1, length)));
        long per = ceilDiv(units, splits);
        splits = ceilDiv(units, per);
        return p.groups() * splits <= MAX_GRID_Z ? new int[] {(int) splits, (int) per} : new int[] {1, (int) units};
    }

    /** The forward's split of its input channels, in whole chunks: {splits, input channels per split}. */
    static int[] forwardSplit(Deconv3dProblem p, int[] phaseTable) {
        int tileC = tileChannels(p.outChannelsPerGroup());
        long blocks = (long) phaseTable[phaseTable.length - 1] * ceilDiv(p.outChannelsPerGroup(), tileC) * p.groups();
        int[] chunks = split(p, blocks, Math.max(1, ceilDiv(p.inChannelsPerGroup(), CHUNK)), p.outputLength());
        return new int[] {chunks[0], chunks[1] * CHUNK};
    }

    /**
     * The forward, one launch over every phase (buffers: geometry, phase table, x, w, bias, y, or the partial sums
     * when split; ints: the phase count, the splits, the input channels per split). Grid: the phases' tiles x
     * output-channel tiles of a group x groups times splits.
     */
    static Call forwardCall(Deconv3dProblem p, int[] phaseTable) {
        int tileC = tileChannels(p.outChannelsPerGroup());
        int phases = (phaseTable.length - 1) / PHASE_INTS;
        int[] split = forwardSplit(p, phaseTable);
        return new Call(FORWARD + tileC, phaseTable[phaseTable.length - 1], ceilDiv(p.outChannelsPerGroup(), tileC),
                p.groups() * split[0], THREADS_X, THREADS_Y, new int[] {phases, split[0], split[1]});
    }

    /** A split forward's partial sums added in order, with bias and activation (buffers: geometry, partial, bias, y). */
    static Call forwardFinishCall(Deconv3dProblem p, int splits) {
        return new Call(FORWARD_FINISH, blocks(p.outputLength()), 1, 1, LINEAR_THREADS, 1,
                new int[] {splits, p.outputLength()});
    }

    /** {@code go *= act'(y)} over the output (buffers: geometry, go, y). */
    static Call scaleCall(Deconv3dProblem p) {
        return new Call(GRAD_SCALE, blocks(p.outputLength()), 1, 1, LINEAR_THREADS, 1, new int[] {p.outputLength()});
    }

    /** The input gradient's split of its steps (tap, chunk of output channels): {splits, steps per split}. */
    static int[] inputGradientSplit(Deconv3dProblem p) {
        int tileC = tileChannels(p.inChannelsPerGroup());
        long positions = (long) p.inputLength() / p.inChannels();
        long blocks = ceilDiv(positions, tilePositions(tileC)) * ceilDiv(p.inChannelsPerGroup(), tileC) * p.groups();
        long steps = (long) taps(p) * ceilDiv(p.outChannelsPerGroup(), CHUNK);
        return split(p, blocks, steps, p.inputLength());
    }

    /**
     * The input gradient (buffers: geometry, go, w, dx, or the partial sums when split; ints: the steps per
     * split): tiles of input positions x input-channel tiles x groups times splits.
     */
    static Call inputGradientCall(Deconv3dProblem p) {
        int tileC = tileChannels(p.inChannelsPerGroup());
        long positions = (long) p.inputLength() / p.inChannels();
        long blocks = ceilDiv(positions, tilePositions(tileC));
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the input gradient needs " + blocks + " blocks in one launch, more"
                    + " than CUDA allows: split the batch");
        }
        int[] split = inputGradientSplit(p);
        return new Call(GRAD_INPUT + tileC, (int) blocks, ceilDiv(p.inChannelsPerGroup(), tileC),
                p.groups() * split[0], THREADS_X, THREADS_Y, new int[] {split[1]});
    }

    /** A split input gradient's partial sums added in order into dx (buffers: geometry, partial, dx). */
    static Call inputGradientReduceCall(Deconv3dProblem p, int splits) {
        return new Call(GRAD_REDUCE, blocks(p.inputLength()), 1, 1, LINEAR_THREADS, 1,
                new int[] {splits, p.inputLength()});
    }

    /**
     * How many spans of input positions the filter gradient splits into: fixed by the problem (never by the
     * device), so its sums, and so its result, are the same on every GPU.
     */
    static int filterSplits(Deconv3dProblem p) {
        long positions = (long) p.inputLength() / p.inChannels();
        long tiles = (long) taps(p) * filterTiles(p) * p.groups();
        long wanted = ceilDiv(FILTER_BLOCKS, tiles);
        long byMemory = (1L << 26) / Math.max(1, p.filterLength()); // partial filters: at most 256 MiB
        long most = Math.min(Math.min(MAX_SPLITS, byMemory), positions / MIN_SPAN);
        return (int) Math.max(1, Math.min(wanted, most));
    }

    /** The filter gradient's (input, output) channel tiles of a group. */
    private static int filterTiles(Deconv3dProblem p) {
        int ci = p.inChannelsPerGroup(), co = p.outChannelsPerGroup();
        return ceilDiv(ci, tileChannels(ci)) * ceilDiv(co, tileChannels(co));
    }

    /**
     * The filter gradient's partial sums (buffers: geometry, x, go, partial; ints: positions per split). Grid: taps
     * times splits x channel tiles x groups; the tile's channels follow the layer's (16, 32 or 64 each way).
     */
    static Call filterGradientCall(Deconv3dProblem p) {
        int splits = filterSplits(p);
        long positions = (long) p.inputLength() / p.inChannels();
        int span = (int) ceilDiv(positions, splits);
        String kernel = GRAD_FILTER + "_i" + tileChannels(p.inChannelsPerGroup()) + "_o"
                + tileChannels(p.outChannelsPerGroup());
        return new Call(kernel, Math.multiplyExact(taps(p), splits), filterTiles(p), p.groups(), THREADS_X,
                THREADS_Y, new int[] {span});
    }

    /** The partial filters added in split order into the packed filter gradient (buffers: geometry, partial, dw). */
    static Call reduceCall(Deconv3dProblem p) {
        return new Call(GRAD_REDUCE, blocks(p.filterLength()), 1, 1, LINEAR_THREADS, 1,
                new int[] {filterSplits(p), p.filterLength()});
    }

    /** How many spans of output positions the bias gradient splits into (fixed by the problem, as the filter's). */
    static int biasSplits(Deconv3dProblem p) {
        long positions = (long) p.outputLength() / p.outChannels();
        return (int) Math.max(1, Math.min(MAX_BIAS_SPLITS, positions / BIAS_SPAN));
    }

    /** The bias gradient's partial sums (buffers: geometry, go, partial): channel tiles x splits. */
    static Call biasCall(Deconv3dProblem p) {
        long positions = (long) p.outputLength() / p.outChannels();
        int splits = biasSplits(p);
        return new Call(GRAD_BIAS, ceilDiv(p.outChannels(), BIAS_CHANNELS), splits, 1, BIAS_CHANNELS, BIAS_ROWS,
                new int[] {(int) ceilDiv(positions, splits)});
    }

    /** The bias's partial sums added in split order (buffers: geometry, partial, db). */
    static Call biasReduceCall(Deconv3dProblem p) {
        return new Call(GRAD_REDUCE, blocks(p.outChannels()), 1, 1, LINEAR_THREADS, 1,
                new int[] {biasSplits(p), p.outChannels()});
    }

    private static int taps(Deconv3dProblem p) {
        int[] k = p.kernel();
        return k[0] * k[1] * k[2];
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static int blocks(int count) {
        return Math.max(1, ceilDiv(count, LINEAR_THREADS));
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
