package org.deconv3d.simd;

/**
 * The filter gradient, one item per (group, td, th, part of the group's input channels): for every input row that
 * taps {@code td, th} take inside the output, and each width tap {@code tw}, the {@link FilterGradientKernel}s sum
 * {@code x} times the padded copy of {@code g} over the row's inputs that {@code tw} takes inside the output (so
 * an infinite input next to the padding is skipped exactly as the specification skips it). One item owns its
 * filter entries and sums them over samples, rows and positions in ascending order: the result never depends on
 * the thread count. A chunk of samples after the first continues from the sums already in {@code dw}.
 */
final class FilterGradientSlices {

    private final GradientGeometry geo;

    FilterGradientSlices(GradientGeometry geo) {
        this.geo = geo;
    }

    int items() {
        return geo.groups * geo.k[0] * geo.k[1] * geo.parts;
    }

    /**
     * Item {@code item} over the chunk of samples {@code n0 .. n0+samples-1} of {@code x}, whose {@code g} is
     * {@code gp} (see {@link GradientGeometry#filterRead}); {@code sum} is the worker's scratch of {@link GradientGeometry#sumFloats} floats.
     */
    void slice(float[] x, float[] gp, int n0, int samples, boolean firstChunk, float[] sum, float[] dw, int item) {
        int[] k = geo.k;
        int part = item % geo.parts;
        int r = item / geo.parts;
        int th = r % k[1];
        int td = r / k[1] % k[0];
        int grp = r / (k[1] * k[0]);
        int ci0 = part * geo.cinPerPart;
        int cn = Math.min(geo.cinPerPart, geo.cinG - ci0);
        int coutPad = geo.coutPadG;
        int tapFloats = geo.cinPerPart * coutPad;
        if (firstChunk) {
            java.util.Arrays.fill(sum, 0f);
        } else {
            moveSums(dw, sum, false, grp, ci0, cn, td, th);
        }
        int[] in = geo.in;
        int cin = geo.problem.inChannels();
        boolean last = geo.channelsLast();
        int plane = in[0] * in[1] * in[2];
        int xChannel = last ? 1 : plane;
        int xStep = last ? cin : 1;
        int gStep = geo.s[2] * geo.channelStride;
        int id0 = geo.first(0, td), id1 = geo.end(0, td);
        int ih0 = geo.first(1, th), ih1 = geo.end(1, th);
        int rows = ih1 - ih0;
        for (int n = 0; n < samples && rows > 0; n++) {
            int xSample = last ? (n0 + n) * plane * cin + grp * geo.cinG + ci0
                    : ((n0 + n) * cin + grp * geo.cinG + ci0) * plane;
            for (int id = id0; id < id1; id++) {
                // The rows ih0..ih1-1 in one run each: their x rows and g rows are evenly spaced.
                int xRow = xSample + (id * in[1] + ih0) * in[2] * xStep;
                int gRow = geo.filterRead(n0, n, id * geo.s[0] + td * geo.d[0], ih0 * geo.s[1] + th * geo.d[1])
                        + grp * coutPad;
                int xRowJump = in[2] * xStep;
                int gRowJump = geo.s[1] * geo.filterReadPitch();
                for (int tw = 0; tw < k[2]; tw++) {
                    int iw0 = geo.first(2, tw);
                    int count = geo.end(2, tw) - iw0;
                    if (count > 0) {
                        run(x, xRow + iw0 * xStep, xChannel, xStep, gp,
                                gRow + (iw0 * geo.s[2] + tw * geo.d[2]) * geo.channelStride, gStep, count, rows,
                                xRowJump - count * xStep, gRowJump - count * gStep, cn, sum, tw * tapFloats);
                    }
                }
            }
        }
        moveSums(dw, sum, true, grp, ci0, cn, td, th);
    }

    /** All channel blocks of one run of positions: 8x2 tiles, then 8x1 / 16x1 for an odd vector, then singles. */
    private void run(float[] x, int xi, int xChannel, int xStep, float[] g, int gi, int gStep, int count, int rows,
            int xSkip, int gSkip, int cn, float[] sum, int si) {
        int lanes = SimdKernel.L;
        int vectors = geo.coutPadG / lanes;
        int sStride = geo.coutPadG;
        int c = 0;
        if (vectors == 1) {
            for (; c + 16 <= cn; c += 16) {
                FilterGradientKernel.m16n1(x, xi + c * xChannel, xChannel, xStep, g, gi, gStep, count, rows,
                        xSkip, gSkip, sum, si + c * sStride, sStride);
            }
        }
        for (; c + 8 <= cn; c += 8) {
            int v = 0;
            for (; v + 2 <= vectors; v += 2) {
                FilterGradientKernel.m8n2(x, xi + c * xChannel, xChannel, xStep, g, gi + v * lanes, gStep, count,
                        rows, xSkip, gSkip, sum, si + c * sStride + v * lanes, sStride);
            }
            if (v < vectors) {
                FilterGradientKernel.m8n1(x, xi + c * xChannel, xChannel, xStep, g, gi + v * lanes, gStep, count,
                        rows, xSkip, gSkip, sum, si + c * sStride + v * lanes, sStride);
            }
        }
        for (; c < cn; c++) {
            for (int v = 0; v < vectors; v++) {
                FilterGradientKernel.m1n1(x, xi + c * xChannel, xStep, g, gi + v * lanes, gStep, count, rows,
                        xSkip, gSkip, sum, si + c * sStride + v * lanes);
            }
        }
    }

    /** Copies the item's sums into {@code dw} ({@code toFilter}) or back out of it (a later chunk continues). */
    private void moveSums(float[] dw, float[] sum, boolean toFilter, int grp, int ci0, int cn, int td, int th) {
        int tapFloats = geo.cinPerPart * geo.coutPadG;
        for (int tw = 0; tw < geo.k[2]; tw++) {
            for (int c = 0; c < cn; c++) {
                int at = tw * tapFloats + c * geo.coutPadG;
                for (int co = 0; co < geo.coutG; co++) {
                    int f = geo.problem.filterIndex(grp * geo.cinG + ci0 + c, co, td, th, tw);
                    if (toFilter) {
                        dw[f] = sum[at + co];
                    } else {
                        sum[at + co] = dw[f];
                    }
                }
            }
        }
    }
}
