package org.deconv3d.simd;

/**
 * The input gradient, one input row {@code (n, id, ih)} per item: a strided convolution of the padded copy of
 * {@code g} with the {@linkplain PackedWeights#transposed transposed} filter. It reuses the forward's
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

    /**
     * Row (or pair of rows) {@code item} of the chunk whose first sample is sample {@code n0} of {@code dx};
     * {@code gp} is the chunk's padded copy, or {@code dy} itself when {@link GradientGeometry#inputReadsGradOutput}.
     */
    void row(float[] gp, float[] row, float[] dx, int n0, int item) {
        int[] in = geo.in;
        boolean pairs = geo.rowsPerItem == 2;
        int perPlane = (in[1] + geo.rowsPerItem - 1) / geo.rowsPerItem;
        int ih = item % perPlane * geo.rowsPerItem;
        int id = item / perPlane % in[0];
        int n = item / (perPlane * in[0]);
        int sample = geo.inputReadsGradOutput ? n0 + n : n;
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
        int entries = geo.entryOffset.length;
        for (int g = 0; g < geo.groups; g++) {
            for (int b = 0; b < blocks; b++) {
                int[] offsets = wOff[g * blocks + b];
                int rowOff = g * geo.cinPadG + w.blockStart[b] * lanes;
                boolean two = w.blockWidth[b] == 2;
                // Taps in groups whose weights fit L1 (each group's sums added to the last's in the row buffer).
                for (int e0 = 0; e0 < entries; e0 += geo.entriesPerPass) {
                    int e1 = Math.min(entries, e0 + geo.entriesPerPass);
                    boolean more = e0 > 0;
                    for (int jw = 0; jw < in[2]; jw += Schedule.TILE) {
                        int xa = base + jw * xStep + g * geo.coutPadG;
                        int xb = pairs ? baseB + g * geo.coutPadG : xa + half * xStep;
                        int ra = jw * rowStride + rowOff;
                        if (two) {
                            SimdKernel.r8c2(gp, xa, xb, geo.entryOffset, w.values, offsets, e0, e1, summed, xStep,
                                    row, ra, ra + half * rowStride, rowStride, more);
                        } else {
                            SimdKernel.r8c1(gp, xa, xb, geo.entryOffset, w.values, offsets, e0, e1, summed, xStep,
                                    row, ra, ra + half * rowStride, rowStride, more);
                        }
                    }
                }
            }
        }
        store(row, 0, dx, n0 + n, id, ih);
        if (second) {
            store(row, half * rowStride, dx, n0 + n, id, ih + 1);
        }
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
