package org.deconv3d.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.deconv3d.Layout;

/**
 * Executes the items of a {@link Schedule}: copies input rows into the padded buffer, and computes output rows by
 * walking them in tiles and calling the micro-kernel that fits each tile, then hands the row to the
 * {@link Epilogue}. Stateless apart from the plan's immutable data, so any number of runs share it.
 */
final class TileLoop {

    private static final VectorSpecies<Float> S = SimdKernel.S;
    private static final int L = SimdKernel.L;

    private final Schedule s;
    private final PackedWeights weights;
    private final Epilogue epilogue;
    /** {@code k * plane} for lane k: one position's consecutive channels in an NCDHW input. */
    private final int[] channelGather;

    TileLoop(Schedule schedule, PackedWeights weights, Epilogue epilogue) {
        this.s = schedule;
        this.weights = weights;
        this.epilogue = epilogue;
        int[] size = schedule.inputSize;
        int plane = size[0] * size[1] * size[2];
        channelGather = new int[L];
        for (int k = 0; k < L && k < schedule.cin; k++) {
            channelGather[k] = k * plane; // an element of the input when k < cin, so no overflow
        }
    }

    /**
     * Copies input row {@code item} = (id, ih) of the sample at {@code x[xBase...]} into its zero-padded,
     * channels-last copy at {@code xp[pBase...]}.
     */
    void prepare(float[] x, int xBase, float[] xp, int pBase, int item) {
        int[] size = s.inputSize;
        int ih = item % size[1];
        int id = item / size[1];
        int xw = size[2];
        int cin = s.cin;
        int dst = pBase + (((id + s.padLo[0]) * s.padded[1] + ih + s.padLo[1]) * s.padded[2] + s.padLo[2]) * cin;
        if (s.problem.layout() == Layout.NDHWC) {
            System.arraycopy(x, xBase + (id * size[1] + ih) * xw * cin, xp, dst, xw * cin);
            return;
        }
        int plane = size[0] * size[1] * xw;
        int src = xBase + (id * size[1] + ih) * xw;
        int c = 0;
        // L channels of one position per gather, stored as one vector: the copy's writes stay contiguous.
        for (; c <= cin - L; c += L) {
            int from = src + c * plane;
            for (int iw = 0; iw < xw; iw++) {
                FloatVector.fromArray(S, x, from + iw, channelGather, 0).intoArray(xp, dst + iw * cin + c);
            }
        }
        for (; c < cin; c++) {
            int from = src + c * plane;
            for (int iw = 0; iw < xw; iw++) {
                xp[dst + iw * cin + c] = x[from + iw];
            }
        }
    }

    /**
     * Computes and stores every output of one sample's compute item {@code item}: one or two whole output rows of a
     * (depth, height) row phase, each width phase into its own section of the row buffer, reading the sample's
     * (padded) input at {@code x[xBase...]} and writing its output at {@code y[yBase...]}.
     */
    void computeRows(float[] x, int xBase, float[] y, int yBase, float[] row, int item) {
        int dItem = item / s.heightItems;
        int hItem = item - dItem * s.heightItems;
        int nd = s.depthPhases.length;
        int nh = s.heightPhases.length;
        int dIndex = dItem % nd;
        int hIndex = hItem % nh;
        int cd = s.depthPhases[dIndex], ch = s.heightPhases[hIndex];
        int rp = dIndex * nh + hIndex;
        int rowsPerItem = s.rowsPerItem;
        int jd = dItem / nd;
        int jh = hItem / nh * rowsPerItem;
        int jhCount = s.axes[1].positions(ch);
        boolean second = rowsPerItem == 2 && jh + 1 < jhCount;
        int xRowStride = s.padded[2] * s.cin;
        int xRowA = xBase + (jd * s.padded[1] + jh) * xRowStride;
        // A lone last row still fills the tile's second half, from its own input; that half is discarded.
        int xRowB = second ? xRowA + xRowStride : xRowA;
        if (s.mergedWidth) {
            computeMerged(rp, x, xRowA, xRowB, row);
        } else {
            for (int section = 0; section < s.sections; section++) {
                computeSection(rp * s.sections + section, x, xRowA, xRowB, row, section * s.sectionFloats);
            }
        }
        int od = s.axes[0].output(cd, jd);
        int oh = s.axes[1].output(ch, jh);
        epilogue.storeRow(row, 0, y, yBase, od, oh);
        if (second) {
            epilogue.storeRow(row, s.rowBlock, y, yBase, od, oh + s.axes[1].stride());
        }
    }

    /** The tiles of phase {@code ph} of the item's row(s), into the row buffer from {@code rowBase}. */
    private void computeSection(int ph, float[] x, int xRowA, int xRowB, float[] row, int rowBase) {
        int jwCount = s.axes[2].positions(s.phase[ph][2]);
        int[] xOff = s.phaseXOff[ph];
        int entries = xOff.length;
        boolean paired = s.phasePaired[ph];
        int cin = s.cin;
        int cinPerGroup = s.cinPerGroup;
        int rowStride = s.rowStride;
        float[] w = weights.values;
        int blocks = weights.blocks();
        int lanes = weights.lanes;
        int half = Schedule.TILE / 2;
        for (int g = 0; g < s.groups; g++) {
            int xa = xRowA + g * cinPerGroup;
            int xb = xRowB + g * cinPerGroup;
            for (int b = 0; b < blocks; b++) {
                int[] wOff = s.phaseWOff[ph][g * blocks + b];
                int rowOff = rowBase + (g * weights.vectorsPerGroup + weights.blockStart[b]) * lanes;
                boolean two = weights.blockWidth[b] == 2;
                if (s.rowsPerItem == 2) {
                    for (int jw = 0; jw < jwCount; jw += half) {
                        int ra = rowOff + jw * rowStride;
                        tile(two, paired, x, xa + jw * cin, xb + jw * cin, xOff, w, wOff, entries, row, ra,
                                ra + s.rowBlock);
                    }
                } else {
                    for (int jw = 0; jw < jwCount; jw += Schedule.TILE) {
                        int a = xa + jw * cin;
                        int ra = rowOff + jw * rowStride;
                        tile(two, paired, x, a, a + half * cin, xOff, w, wOff, entries, row, ra,
                                ra + half * rowStride);
                    }
                }
            }
        }
    }

    /**
     * Both width phases of row phase {@code rp} with {@link SimdKernel#m8c1} ({@link Schedule#mergedWidth}): tiles
     * over the longer phase's positions; the shorter phase's extra sums land in its section's rounding and are
     * never stored, and their inputs lie inside the padded buffer, which covers every phase over the longest
     * phase's tiles.
     */
    private void computeMerged(int rp, float[] x, int xRowA, int xRowB, float[] row) {
        int ph = rp * 2 + s.pairedSection;
        int qh = rp * 2 + 1 - s.pairedSection;
        int jwCount = Math.max(s.axes[2].positions(s.phase[ph][2]), s.axes[2].positions(s.phase[qh][2]));
        int[] xOff = s.phaseXOff[ph];
        int entries = xOff.length;
        int cin = s.cin;
        int rowStride = s.rowStride;
        float[] w = weights.values;
        int blocks = weights.blocks();
        int lanes = weights.lanes;
        int half = Schedule.TILE / 2;
        int pBase = s.pairedSection * s.sectionFloats;
        int qBase = (1 - s.pairedSection) * s.sectionFloats;
        boolean lag = s.qLag == 1;
        for (int g = 0; g < s.groups; g++) {
            int xa = xRowA + g * s.cinPerGroup;
            int xb = xRowB + g * s.cinPerGroup;
            for (int b = 0; b < blocks; b++) {
                int[] pOff = s.phaseWOff[ph][g * blocks + b];
                int[] qOff = s.phaseWOff[qh][g * blocks + b];
                int rowOff = (g * weights.vectorsPerGroup + weights.blockStart[b]) * lanes;
                if (s.rowsPerItem == 2) {
                    for (int jw = 0; jw < jwCount; jw += half) {
                        int r = rowOff + jw * rowStride;
                        SimdKernel.m8c1(x, xa + jw * cin, xb + jw * cin, xOff, w, pOff, qOff, lag, entries,
                                s.cinPerGroup, cin, row, pBase + r, pBase + r + s.rowBlock, qBase + r,
                                qBase + r + s.rowBlock, rowStride);
                    }
                } else {
                    for (int jw = 0; jw < jwCount; jw += Schedule.TILE) {
                        int a = xa + jw * cin;
                        int r = rowOff + jw * rowStride;
                        int rHalf = r + half * rowStride;
                        SimdKernel.m8c1(x, a, a + half * cin, xOff, w, pOff, qOff, lag, entries, s.cinPerGroup,
                                cin, row, pBase + r, pBase + rHalf, qBase + r, qBase + rHalf, rowStride);
                    }
                }
            }
        }
    }

    private void tile(boolean two, boolean paired, float[] x, int xa, int xb, int[] xOff, float[] w, int[] wOff,
            int entries, float[] row, int ra, int rb) {
        int cinPerGroup = s.cinPerGroup;
        int cin = s.cin;
        int rowStride = s.rowStride;
        if (paired) {
            if (two) {
                SimdKernel.p8c2(x, xa, xb, xOff, w, wOff, entries, cinPerGroup, cin, row, ra, rb, rowStride);
            } else {
                SimdKernel.p8c1(x, xa, xb, xOff, w, wOff, entries, cinPerGroup, cin, row, ra, rb, rowStride);
            }
        } else if (two) {
            SimdKernel.r8c2(x, xa, xb, xOff, w, wOff, entries, cinPerGroup, cin, row, ra, rb, rowStride);
        } else {
            SimdKernel.r8c1(x, xa, xb, xOff, w, wOff, entries, cinPerGroup, cin, row, ra, rb, rowStride);
        }
    }
}
