package org.deconv3d.simd;

/**
 * The input gradient, one input row {@code (n, id, ih)} per item: a strided convolution of {@code g} (the padded
 * copy, or {@code dy} in place: see {@link GradientGeometry#inputReadsGradOutput}) with the
 * {@linkplain PackedWeights#transposed transposed} filter. It reuses the forward's
 * micro-kernels with the roles renamed: their "input" is {@code g} (positions {@code stride * channelStride}
 * apart, summed over a group's output channels), their "output channels" are the input channels, and their
 * entries are runs of {@link GradientGeometry#widthRun} width taps, each at {@link GradientGeometry#entryOffset}.
 * A tile is 8 consecutive inputs of the row (two runs of 4), or, when rows are at most 4 long, 4 of this row and 4
 * of the next ({@link GradientGeometry#rowsPerItem}); the row buffer then goes to {@code dx} in the problem's
 * layout.
 */
final class InputGradientRows {

    private final GradientGeometry geo;
    private final PackedWeights w;
    /** Per (group, block): the weight offset of each entry (its first tap). */
    private final int[][] wOff;

    InputGradientRows(GradientGeometry geo, PackedWeights transposedWeights) {
        this.geo = geo;
        this.w = transposedWeights;
        int blocks = w.blocks();
        int entries = geo.entryOffset.length;
        this.wOff = new int[geo.groups * blocks][entries];
        for (int g = 0; g < geo.groups; g++) {
            for (int b = 0; b < blocks; b++) {
                for (int e = 0; e < entries; e++) {
                    wOff[g * blocks + b][e] = w.offset(g, b, e * geo.widthRun);
                }
            }
        }
    }

    /** Per-worker working memory for {@link #row}. */
    InputGradientScratch scratch() {
        return new InputGradientScratch(geo, wOff.length);
    }

    /**
     * Row (or pair of rows) {@code item} of the chunk whose first sample is sample {@code n0} of {@code dx};
     * {@code gp} is the chunk's padded copy, or {@code dy} itself when {@link GradientGeometry#inputReadsGradOutput}.
     */
    void row(float[] gp, InputGradientScratch sc, float[] dx, int n0, int item) {
        int perSample = geo.inputItemsPerSample();
        int n = item / perSample;
        row(gp, geo.inputReadsGradOutput ? n0 + n : n, sc, dx, n0 + n, item - n * perSample);
    }

    /**
     * Row (or pair of rows) {@code item} of sample {@code dxSample} of {@code dx}, reading {@code g} at sample
     * {@code sample} of {@code gp} (its sample in {@code dy} when read in place, else its slot in a padded copy).
     */
    void row(float[] gp, int sample, InputGradientScratch sc, float[] dx, int dxSample, int item) {
        int[] in = geo.in;
        boolean pairs = geo.rowsPerItem == 2;
        int perPlane = (in[1] + geo.rowsPerItem - 1) / geo.rowsPerItem;
        int ih = item % perPlane * geo.rowsPerItem;
        int id = item / perPlane;
        int base = geo.reachedByTapZero(sample, id, ih);
        boolean second = pairs && ih + 1 < in[1];
        // A lone last row still fills the tile's second half, from its own input; that half is not stored.
        int baseB = second ? geo.reachedByTapZero(sample, id, ih + 1) : base;
        int xStep = geo.s[2] * geo.channelStride;
        int rowStride = geo.rowStride;
        int half = Schedule.TILE / 2;
        int blocks = w.blocks();
        int lanes = w.lanes;
        int summed = geo.widthRun * geo.coutG;
        int[] gradOffsets = geo.entryOffset;
        int[][] weightOffsets = wOff;
        int entries = gradOffsets.length;
        int tileFloats = geo.edgeSpan * geo.channelStride;
        if (geo.inputReadsGradOutput) {
            gradOffsets = geo.gradEntryOffset;
            if (!reachesAll(id, ih)) {
                entries = keptEntries(id, ih, sc);
                gradOffsets = sc.gradOffsets;
                weightOffsets = sc.weightOffsets;
            }
            if (geo.edgeTiles > 0) {
                fillStrips(gp, sample, id, ih, sc);
            }
        }
        float[] row = sc.row;
        for (int g = 0; g < geo.groups; g++) {
            for (int b = 0; b < blocks; b++) {
                int[] offsets = weightOffsets[g * blocks + b];
                int rowOff = g * geo.cinPadG + w.blockStart[b] * lanes;
                boolean two = w.blockWidth[b] == 2;
                // Taps in groups whose weights fit L1 (each group's sums added to the last's in the row buffer); an
                // item that keeps no entry still stores its zeros.
                for (int e0 = 0; e0 == 0 || e0 < entries; e0 += geo.entriesPerPass) {
                    int e1 = Math.min(entries, e0 + geo.entriesPerPass);
                    boolean more = e0 > 0;
                    for (int jw = 0; jw < in[2]; jw += Schedule.TILE) {
                        float[] src = gp;
                        int[] xOff = gradOffsets;
                        int xa = base + jw * xStep + g * geo.coutPadG;
                        int slot = geo.inputReadsGradOutput ? geo.edgeSlot[jw / Schedule.TILE] : -1;
                        if (slot >= 0) {
                            src = sc.edge;
                            xOff = sc.edgeOffsets;
                            xa = slot * tileFloats + g * geo.coutPadG;
                        }
                        int xb = pairs ? baseB + g * geo.coutPadG : xa + half * xStep;
                        int ra = jw * rowStride + rowOff;
                        if (two) {
                            SimdKernel.r8c2(src, xa, xb, xOff, w.values, offsets, e0, e1, summed, xStep,
                                    row, ra, ra + half * rowStride, rowStride, more);
                        } else {
                            SimdKernel.r8c1(src, xa, xb, xOff, w.values, offsets, e0, e1, summed, xStep,
                                    row, ra, ra + half * rowStride, rowStride, more);
                        }
                    }
                }
            }
        }
        store(row, 0, dx, dxSample, id, ih);
        if (second) {
            store(row, half * rowStride, dx, dxSample, id, ih + 1);
        }
    }

    /** Whether every depth and height tap of input row {@code (id, ih)} lands inside the output. */
    private boolean reachesAll(int id, int ih) {
        for (int td = 0; td < geo.k[0]; td++) {
            if (!geo.takes(0, td, id)) {
                return false;
            }
        }
        for (int th = 0; th < geo.k[1]; th++) {
            if (!geo.takes(1, th, ih)) {
                return false;
            }
        }
        return true;
    }

    /**
     * In place: lists in {@code sc} the entries of input row {@code (id, ih)} whose depth and height taps land
     * inside the output (the others would add products with the padding's zeros), in entry order; returns how many
     * it kept.
     */
    private int keptEntries(int id, int ih, InputGradientScratch sc) {
        int[] k = geo.k;
        int runs = k[2] / geo.widthRun;
        int kept = 0;
        for (int td = 0; td < k[0]; td++) {
            if (!geo.takes(0, td, id)) {
                continue;
            }
            for (int th = 0; th < k[1]; th++) {
                if (!geo.takes(1, th, ih)) {
                    continue;
                }
                for (int r = 0; r < runs; r++) {
                    int e = (td * k[1] + th) * runs + r;
                    sc.gradOffsets[kept] = geo.gradEntryOffset[e];
                    for (int gb = 0; gb < wOff.length; gb++) {
                        sc.weightOffsets[gb][kept] = wOff[gb][e];
                    }
                    kept++;
                }
            }
        }
        return kept;
    }

    /**
     * In place: makes sure a strip holds each output row that input row {@code (id, ih)} reaches through a
     * depth-height tap pair inside the output, and lists in {@code sc.edgeOffsets}, for the entries the item keeps
     * (in order, as {@link #keptEntries}), where in the strips they start.
     */
    private void fillStrips(float[] dy, int n, int id, int ih, InputGradientScratch sc) {
        int[] k = geo.k;
        int[] out = geo.out;
        int cs = geo.channelStride;
        int runs = k[2] / geo.widthRun;
        int stripFloats = geo.stripFloats();
        int tileFloats = geo.edgeSpan * cs;
        int kept = 0;
        int pair = 0;
        for (int td = 0; td < k[0]; td++) {
            if (!geo.takes(0, td, id)) {
                continue;
            }
            int od = id * geo.s[0] + td * geo.d[0] - geo.pad[0];
            for (int th = 0; th < k[1]; th++) {
                if (!geo.takes(1, th, ih)) {
                    continue;
                }
                int oh = ih * geo.s[1] + th * geo.d[1] - geo.pad[1];
                int outRow = (n * out[0] + od) * out[1] + oh;
                int strip = geo.stripsKept ? outRow % geo.stripSlots : pair;
                if (!geo.stripsKept || sc.stripRow[strip] != outRow) {
                    for (int j = 0; j < geo.edgeSlot.length; j++) {
                        int slot = geo.edgeSlot[j];
                        if (slot >= 0) {
                            fillEdge(dy, outRow * out[2], j * Schedule.TILE * geo.s[2] - geo.pad[2], sc.edge,
                                    strip * stripFloats + slot * tileFloats);
                        }
                    }
                    if (geo.stripsKept) {
                        sc.stripRow[strip] = outRow;
                    }
                }
                for (int r = 0; r < runs; r++) {
                    sc.edgeOffsets[kept++] = strip * stripFloats + r * geo.widthRun * geo.d[2] * cs;
                }
                pair++;
            }
        }
    }

    /**
     * Copies the {@link GradientGeometry#edgeSpan} positions from output position {@code first} of the row starting
     * at position {@code rowStart} of {@code dy} to {@code edge[at...]}, zeros where they fall outside the row.
     */
    private void fillEdge(float[] dy, int rowStart, int first, float[] edge, int at) {
        int cs = geo.channelStride;
        int lo = Math.max(0, first);
        int hi = Math.min(geo.out[2], first + geo.edgeSpan);
        int end = at + geo.edgeSpan * cs;
        if (hi <= lo) {
            java.util.Arrays.fill(edge, at, end, 0f);
            return;
        }
        int copyAt = at + (lo - first) * cs;
        java.util.Arrays.fill(edge, at, copyAt, 0f);
        System.arraycopy(dy, (rowStart + lo) * cs, edge, copyAt, (hi - lo) * cs);
        java.util.Arrays.fill(edge, copyAt + (hi - lo) * cs, end, 0f);
    }

    private void store(float[] row, int from, float[] dx, int n, int id, int ih) {
        int[] in = geo.in;
        int cin = geo.problem.inChannels();
        int cinG = geo.cinG;
        int rowStride = geo.rowStride;
        if (geo.channelsLast()) {
            int dst = (((n * in[0] + id) * in[1] + ih) * in[2]) * cin;
            if (rowStride == cin) {
                System.arraycopy(row, from, dx, dst, in[2] * cin);
                return;
            }
            for (int iw = 0; iw < in[2]; iw++) {
                for (int g = 0; g < geo.groups; g++) {
                    System.arraycopy(row, from + iw * rowStride + g * geo.cinPadG, dx, dst + iw * cin + g * cinG, cinG);
                }
            }
            return;
        }
        int plane = in[0] * in[1] * in[2];
        int rowStart = (id * in[1] + ih) * in[2];
        for (int ci = 0; ci < cin; ci++) {
            int src = from + ci / cinG * geo.cinPadG + ci % cinG;
            int dst = (n * cin + ci) * plane + rowStart;
            for (int iw = 0; iw < in[2]; iw++) {
                dx[dst + iw] = row[src + iw * rowStride];
            }
        }
    }
}
