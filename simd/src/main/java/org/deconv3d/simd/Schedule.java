package org.deconv3d.simd;

import java.util.Arrays;
import java.util.Optional;
import org.deconv3d.Axis;
import org.deconv3d.AxisPhases;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;

/**
 * What a simd run computes, and in which pieces: the phases (from core's {@link AxisPhases}), their tap entries
 * with input and weight offsets, the zero-padded input buffer, and the work items.
 *
 * <p><b>The tile contract</b>, stated once: a micro-kernel computes {@link #TILE} output positions of one phase ×
 * one block of output-channel vectors. The positions are two runs of {@code TILE/2} consecutive positions along
 * width (consecutive inputs, {@code cin} floats apart): either the two halves of one output row, or the first
 * halves of two consecutive rows when every row is at most {@code TILE/2} long ({@link #rowsPerItem} = 2). A row's
 * last tile reads past its last position; the padded input buffer is wide enough that those reads stay in bounds
 * (their results are discarded), so no kernel ever checks a bound.
 *
 * <p>Work items, counted per sample (a run of {@code B} samples has {@code B} times as many, sample-major): first
 * {@link #prepItems} input rows copied into the padded buffer (none when the input is used directly), then
 * {@link #computeItems} whole output rows (one or two each) of the depth and height phases that taps reach, every
 * width phase of the row computed into its own section of the row buffer ({@link #widthSection}) so that the row
 * is stored front to back, then {@link #fillItems} output rows that no tap reaches (they receive the bias alone).
 * Every output element belongs to exactly one item and is summed in a fixed order, so the result does not depend
 * on threads or on the batch.
 *
 * <p>Compute items go in output order: item {@code i} is depth item {@code i / heightItems} and height item
 * {@code i % heightItems}, and along each axis item {@code k} is position {@code (k / n) * rows} of the axis's
 * {@code k % n}-th phase that taps reach ({@link #depthPhases}, {@link #heightPhases}), so consecutive items write
 * consecutive output rows. That numbering covers exactly the phases' positions because the positions per phase,
 * {@code ceil((size - c) / stride)}, differ by at most one and do not grow with {@code c}: every block of
 * {@code n} items is full except the last, whose items are a prefix of the phases.
 *
 * <p>Why whole rows in output order: storing one width phase at a time writes every {@code stride}-th position of
 * a row, and a phase's rows are far apart; on the output-bound shapes (16-32 output channels) those scattered
 * stores took 25-45% of the run, and writing 8 KB rows in phase order runs at half the bandwidth of writing them
 * in sequence (8 against 14-17 GB/s on a Zen 4 core).
 *
 * <p>Every size here is bounded by the input, filter and output sizes, never by the stride or dilation.
 */
final class Schedule {

    /** Output positions per micro-kernel tile along width. */
    static final int TILE = 8;

    final Deconv3dProblem problem;
    /** The problem's spatial sizes, kept here because the problem's accessors return copies. */
    final int[] inputSize;
    final int[] outputSize;
    final AxisPhases[] axes = new AxisPhases[3];
    /** Per axis: zero positions before the input in the padded buffer, and the padded size. */
    final int[] padLo = new int[3];
    final int[] padded = new int[3];
    final int cin;
    final int cinPerGroup;
    final int coutPerGroup;
    final int cout;
    final int groups;
    /** Floats per output position in the row buffer: all groups' padded vectors. */
    final int rowStride;
    /** Floats of one width phase's section of the row buffer: its positions rounded up to whole tiles. */
    final int sectionFloats;
    /**
     * Per width phase: its section of the row buffer, in order of the phases that width taps reach, or -1 when
     * none does (its outputs receive the bias alone, written as the row is stored).
     */
    final int[] widthSection;
    /** Floats per output row in the row buffer: a section per width phase that taps reach. */
    final int rowBlock;
    /** Output rows per compute item: 2 when every phase's rows are at most half a tile long. */
    final int rowsPerItem;
    /** Whether the kernels read the caller's input directly (NDHWC, no padding needed). */
    final boolean direct;
    /** Floats of one sample's zero-padded input copy (0 when {@link #direct}). */
    final int paddedPerSample;
    final int inputPerSample;
    final int outputPerSample;

    /**
     * Phases reached by taps on all three axes: {cd, ch, cw}, the width phases of one (cd, ch) row phase
     * consecutive, so phase {@code rp * sections + widthSection[cw]} is width phase cw of row phase rp.
     */
    final int[][] phase;
    /** Depth and height phases that taps reach, ascending (none when no width tap reaches anything). */
    final int[] depthPhases;
    final int[] heightPhases;
    /** Compute items along depth (one row each) and height ({@link #rowsPerItem} rows each) per sample. */
    final int depthItems;
    final int heightItems;
    /** Width phases that taps reach: sections of the row buffer, phases per row phase. */
    final int sections;
    /** [ph][entry]: offset of the entry's input in the padded buffer. */
    final int[][] phaseXOff;
    /** [ph][g * blocks + b][entry (x2 when paired)]: weight offset. */
    final int[][][] phaseWOff;
    /** [ph]: entries hold a pair of width taps whose inputs are one position apart. */
    final boolean[] phasePaired;
    /**
     * Whether rows are computed by {@link SimdKernel#m8c1}, both width phases at once: two width phases, one with
     * paired entries (section {@link #pairedSection}) and one with a single width tap whose entries read the same
     * inputs as one of the pair's taps ({@link #qLag}; kernel 3, stride 2, with any padding), and every block one
     * vector wide.
     */
    final boolean mergedWidth;
    final int pairedSection;
    /** With {@link #mergedWidth}: 0 when the one-tap phase reads the pair's first tap's input, 1 its second's. */
    final int qLag;
    /** Items per sample of each stage. */
    final int prepItems;
    final int computeItems;
    final int fillItems;

    Schedule(Deconv3dProblem p, PackedWeights weights) {
        this.problem = p;
        this.inputSize = p.inputSize();
        this.outputSize = p.outputSize();
        for (Axis a : Axis.values()) {
            axes[a.ordinal()] = AxisPhases.of(p, a);
        }
        int[] x = p.inputSize();
        long[] pads = paddedExtent(p, axes);
        for (int a = 0; a < 3; a++) {
            padLo[a] = (int) pads[2 * a];
            padded[a] = (int) pads[2 * a + 1];
        }
        cin = p.inChannels();
        cinPerGroup = p.inChannelsPerGroup();
        coutPerGroup = p.outChannelsPerGroup();
        cout = p.outChannels();
        groups = p.groups();
        rowStride = groups * weights.vectorsPerGroup * weights.lanes;
        int maxPositions = 1;
        AxisPhases aw = axes[2];
        for (int c = 0; c < aw.count(); c++) {
            maxPositions = Math.max(maxPositions, aw.positions(c));
        }
        widthSection = new int[aw.count()];
        int tapped = 0;
        for (int c = 0; c < aw.count(); c++) {
            widthSection[c] = aw.tapCount(c) > 0 ? tapped++ : -1;
        }
        sections = tapped;
        sectionFloats = Math.toIntExact((long) roundUp(maxPositions, TILE) * rowStride);
        rowBlock = Math.toIntExact(Math.max(1, (long) sections * sectionFloats));
        rowsPerItem = maxPositions <= TILE / 2 ? 2 : 1;
        direct = p.layout() == Layout.NDHWC && padLo[0] == 0 && padLo[1] == 0 && padLo[2] == 0
                && padded[0] == x[0] && padded[1] == x[1] && padded[2] == x[2];
        paddedPerSample = direct ? 0 : Math.toIntExact(paddedFloats(p, pads) / p.batch());
        inputPerSample = p.inputLengthPerSample();
        outputPerSample = p.outputLengthPerSample();

        AxisPhases ad = axes[0], ah = axes[1];
        depthPhases = sections == 0 ? new int[0] : tappedPhases(ad);
        heightPhases = sections == 0 ? new int[0] : tappedPhases(ah);
        depthItems = axisItems(ad, depthPhases, 1);
        heightItems = axisItems(ah, heightPhases, rowsPerItem);
        phase = new int[depthPhases.length * heightPhases.length * sections][];
        phaseXOff = new int[phase.length][];
        phaseWOff = new int[phase.length][][];
        phasePaired = new boolean[phase.length];
        int ph = 0;
        for (int cd : depthPhases)
            for (int ch : heightPhases)
                for (int cw = 0; cw < aw.count(); cw++)
                    if (widthSection[cw] >= 0) {
                        phase[ph] = new int[] {cd, ch, cw};
                        buildEntries(ph, weights);
                        ph++;
                    }
        computeItems = Math.toIntExact((long) depthItems * heightItems);
        pairedSection = phase.length > 0 && phasePaired[0] ? 0 : 1;
        int lag = mergeLag(weights);
        mergedWidth = lag >= 0;
        qLag = Math.max(0, lag);
        prepItems = direct ? 0 : x[0] * x[1];
        int[] o = p.outputSize();
        fillItems = hasBareOutputs() ? o[0] * o[1] : 0;
    }

    /**
     * Why the simd backend cannot take {@code p}, or empty: its padded input buffer and packed filter must each fit
     * a Java array. Cheap: bounded by the kernel and output sizes.
     */
    static Optional<String> declineReason(Deconv3dProblem p, int lanes) {
        AxisPhases[] axes = new AxisPhases[3];
        for (Axis a : Axis.values()) {
            axes[a.ordinal()] = AxisPhases.of(p, a);
        }
        long padded = paddedFloats(p, paddedExtent(p, axes));
        if (padded > MAX_ARRAY) {
            return Optional.of("its zero-padded input copy needs " + padded + " floats, more than a Java array holds ("
                    + MAX_ARRAY + ")");
        }
        long rows = rowBufferFloats(p, axes, lanes);
        if (rows > MAX_ARRAY) {
            return Optional.of("its row buffer (an output row per width phase that taps reach, in whole tiles) needs "
                    + rows + " floats, more than a Java array holds (" + MAX_ARRAY + ")");
        }
        long packed = PackedWeights.packedLength(p, lanes);
        if (packed > MAX_ARRAY) {
            return Optional.of("the filter padded to " + lanes + "-lane vectors needs " + packed
                    + " floats, more than a Java array holds (" + MAX_ARRAY + ")");
        }
        return Optional.empty();
    }

    static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

    /** Floats of one worker's row buffer, saturating at {@code Long.MAX_VALUE}; the constructor's sizes exactly. */
    private static long rowBufferFloats(Deconv3dProblem p, AxisPhases[] axes, int lanes) {
        AxisPhases aw = axes[2];
        long maxPositions = 1;
        long tapped = 0;
        for (int c = 0; c < aw.count(); c++) {
            maxPositions = Math.max(maxPositions, aw.positions(c));
            tapped += aw.tapCount(c) > 0 ? 1 : 0;
        }
        long rowStride = (long) p.groups() * ((p.outChannelsPerGroup() + lanes - 1) / lanes) * lanes;
        long rowsPerItem = maxPositions <= TILE / 2 ? 2 : 1;
        try {
            long section = Math.multiplyExact((maxPositions + TILE - 1) / TILE * TILE, rowStride);
            return Math.multiplyExact(rowsPerItem, Math.max(1, Math.multiplyExact(tapped, section)));
        } catch (ArithmeticException tooLarge) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Per axis {padLo, padded}: every read of every tap of every tile position, tails included, lands inside; along
     * width every phase counts with the longest phase's tiles.
     */
    private static long[] paddedExtent(Deconv3dProblem p, AxisPhases[] axes) {
        int[] x = p.inputSize();
        long[] out = new long[6];
        for (int a = 0; a < 3; a++) {
            AxisPhases ax = axes[a];
            int roundTo = a == 2 ? TILE : 1;
            long minOff = 0;
            long maxAccess = x[a] - 1;
            // Width: every phase over the longest phase's tiles, as the merged width tiles compute them.
            int longest = 0;
            for (int c = 0; c < ax.count(); c++) {
                longest = Math.max(longest, ax.positions(c));
            }
            for (int c = 0; c < ax.count(); c++) {
                int last = roundUp(a == 2 ? longest : ax.positions(c), roundTo) - 1;
                for (int off : ax.offsets(c)) {
                    minOff = Math.min(minOff, off);
                    maxAccess = Math.max(maxAccess, (long) last + off);
                }
            }
            out[2 * a] = -minOff;
            out[2 * a + 1] = -minOff + maxAccess + 1;
        }
        return out;
    }

    private static long paddedFloats(Deconv3dProblem p, long[] pads) {
        return (long) p.batch() * pads[1] * pads[3] * pads[5] * p.inChannels();
    }

    /** Whether some output row is reached by no tap: a depth or height phase without taps, or no width tap at all. */
    private boolean hasBareOutputs() {
        if (sections == 0) {
            return true;
        }
        for (int a = 0; a < 2; a++) {
            for (int c = 0; c < axes[a].count(); c++) {
                if (axes[a].tapCount(c) == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether output row (od, oh) is reached by no tap (it then belongs to a fill item, not a compute item). */
    boolean bareRow(int od, int oh) {
        return sections == 0 || axes[0].tapCount(od % axes[0].stride()) == 0
                || axes[1].tapCount(oh % axes[1].stride()) == 0;
    }

    /**
     * The entries of phase {@code ph}: every combination of the three axes' taps, with input and weight offsets.
     * When the phase has two width taps whose inputs are one position apart (kernel 3 or 4 with stride 2, kernel 5
     * with stride 4, ...), they form one entry with two weight offsets, so the pair kernels feed each broadcast
     * input value to both taps.
     */
    private void buildEntries(int ph, PackedWeights weights) {
        int[] k = problem.kernel();
        AxisPhases ad = axes[0], ah = axes[1], aw = axes[2];
        int cd = phase[ph][0], ch = phase[ph][1], cw = phase[ph][2];
        int[] dTaps = ad.taps(cd), hTaps = ah.taps(ch), wTaps = aw.taps(cw);
        int[] dOff = ad.offsets(cd), hOff = ah.offsets(ch), wOff = aw.offsets(cw);
        boolean paired = wTaps.length == 2 && wOff[0] == wOff[1] + 1;
        int perEntry = paired ? 2 : 1;
        int n = dTaps.length * hTaps.length * (wTaps.length / perEntry);
        int[] xOff = new int[n];
        int[] tap = new int[n * perEntry];
        int e = 0;
        for (int i = 0; i < dTaps.length; i++)
            for (int j = 0; j < hTaps.length; j++)
                for (int l = 0; l < wTaps.length; l += perEntry) {
                    long pd = dOff[i] + padLo[0];
                    long phh = hOff[j] + padLo[1];
                    long pw = wOff[l] + padLo[2];
                    xOff[e] = Math.toIntExact(((pd * padded[1] + phh) * padded[2] + pw) * cin);
                    for (int q = 0; q < perEntry; q++) {
                        tap[e * perEntry + q] = (dTaps[i] * k[1] + hTaps[j]) * k[2] + wTaps[l + q];
                    }
                    e++;
                }
        phaseXOff[ph] = xOff;
        phasePaired[ph] = paired;
        int blocks = weights.blocks();
        phaseWOff[ph] = new int[groups * blocks][tap.length];
        for (int g = 0; g < groups; g++)
            for (int b = 0; b < blocks; b++)
                for (e = 0; e < tap.length; e++)
                    phaseWOff[ph][g * blocks + b][e] = weights.offset(g, b, tap[e]);
    }

    /**
     * The one-tap phase's alignment if rows can use {@link SimdKernel#m8c1} ({@link #mergedWidth}): 0 when its
     * entries read the inputs of the pair's first tap, 1 when those of its second (one position before), the same
     * for every row phase; -1 when they cannot.
     */
    private int mergeLag(PackedWeights weights) {
        if (sections != 2 || phase.length == 0 || "false".equals(System.getProperty(MERGE_PROPERTY))) {
            return -1;
        }
        for (int b = 0; b < weights.blocks(); b++) {
            if (weights.blockWidth[b] != 1) {
                return -1;
            }
        }
        int lag = -1;
        for (int rp = 0; rp < phase.length / 2; rp++) {
            int p = rp * 2 + pairedSection;
            int q = rp * 2 + 1 - pairedSection;
            int found = phasePaired[p] && !phasePaired[q] ? lag(phaseXOff[p], phaseXOff[q]) : -1;
            if (found < 0 || (lag >= 0 && found != lag)) {
                return -1;
            }
            lag = found;
        }
        return lag;
    }

    /** 0 or 1 when every entry of the one-tap phase reads the pair's input, or the one before it; else -1. */
    private int lag(int[] pairOff, int[] oneOff) {
        if (pairOff.length != oneOff.length) {
            return -1;
        }
        int found = Arrays.equals(pairOff, oneOff) ? 0 : 1;
        for (int e = 0; e < pairOff.length; e++) {
            if (oneOff[e] != pairOff[e] - found * cin) {
                return -1;
            }
        }
        return found;
    }

    /** Set to {@code false}, plans made afterwards compute the width phases one at a time (tests, A/B runs). */
    static final String MERGE_PROPERTY = "deconv3d.simd.merge";

    private static int[] tappedPhases(AxisPhases ax) {
        int n = 0;
        for (int c = 0; c < ax.count(); c++) {
            n += ax.tapCount(c) > 0 ? 1 : 0;
        }
        int[] out = new int[n];
        for (int c = 0, i = 0; c < ax.count(); c++) {
            if (ax.tapCount(c) > 0) {
                out[i++] = c;
            }
        }
        return out;
    }

    /** Items along an axis: each tapped phase's positions in groups of {@code rows}. */
    private static int axisItems(AxisPhases ax, int[] phases, int rows) {
        long n = 0;
        for (int c : phases) {
            n += (ax.positions(c) + rows - 1) / rows;
        }
        return Math.toIntExact(n);
    }

    /** Floats of per-run working memory for {@code batch} samples: the padded input and a row buffer per worker. */
    long workspaceFloats(int batch, int workers) {
        return (long) batch * paddedPerSample + (long) workers * rowsPerItem * rowBlock;
    }

    /** Samples whose padded copies fit one Java array: runs of more are computed in chunks of this many. */
    int samplesPerChunk() {
        return paddedPerSample == 0 ? Integer.MAX_VALUE : Math.max(1, MAX_ARRAY / paddedPerSample);
    }

    static int roundUp(int n, int m) {
        return (int) (((long) n + m - 1) / m * m);
    }
}
