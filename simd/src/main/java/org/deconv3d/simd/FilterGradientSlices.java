package org.deconv3d.simd;

import jdk.incubator.vector.FloatVector;

/**
 * The filter gradient's work items, in one of two fixed splits chosen per problem (never by the thread count, so
 * results are bitwise identical for any number of threads):
 * <ul>
 *   <li><b>by taps</b>, for large filters over small volumes: one item per (group, td, th, part of the group's
 *       input channels) owns those filter entries and sums them over the chunk's samples, rows and positions in
 *       ascending order; a later chunk of samples continues from the sums already in {@code dw};</li>
 *   <li><b>by planes</b>, for small filters over large volumes (where re-reading the data once per tap would cost
 *       more than a partial filter per item): one item per run of {@link GradientGeometry#planesPerItem} input
 *       planes {@code (n, id)} sums every filter entry over its planes into its own partial filter; the partials
 *       are then added in item order ({@link #reduce}, in slices of taps on the plan's threads).</li>
 * </ul>
 * Either way, for each input row that taps {@code td, th} take inside the output and each width tap {@code tw},
 * the {@link FilterGradientKernel}s sum {@code x} times {@code g} over the inputs that {@code tw} takes inside the
 * output, so an infinite input next to the padding is skipped exactly as the specification skips it.
 */
final class FilterGradientSlices {

    /** Positions per packed block: a block's x and g (at most 128 x (Cout + Cin) floats) stay in L2. */
    static final int BLOCK = 128;

    private final GradientGeometry geo;

    FilterGradientSlices(GradientGeometry geo) {
        this.geo = geo;
    }

    /** Items of a chunk of {@code samples} samples. */
    int items(int samples) {
        if (geo.byPlanes) {
            return (samples * geo.in[0] + geo.planesPerItem - 1) / geo.planesPerItem;
        }
        return geo.groups * geo.k[0] * geo.k[1] * geo.parts;
    }

    /** The floats of {@link #item}'s packed block of positions. */
    int packFloats() {
        return geo.packBlocks ? Math.multiplyExact(BLOCK, geo.coutPadG + (geo.byPlanes ? geo.cinG : geo.cinPerPart))
                : 0;
    }

    /** The ints {@link #item} needs for its plane table: two per input plane {@code (n, id)} it may visit. */
    int planeTableInts(int samples) {
        return geo.byPlanes ? 2 : Math.multiplyExact(2, Math.multiplyExact(samples, geo.in[0]));
    }

    /**
     * Item {@code item} over the chunk of samples {@code n0 .. n0+samples-1} of {@code x}, whose {@code g} is
     * {@code gp} (see {@link GradientGeometry#filterRead}); {@code sum} is the item's scratch of
     * {@link GradientGeometry#sumFloats} floats (by planes: the item's own partial filter), {@code planes} a
     * scratch of {@link #planeTableInts} ints, {@code pack} one of {@link #packFloats} floats.
     */
    void item(float[] x, float[] gp, int n0, int samples, boolean firstChunk, float[] sum, float[] dw, int item,
            int[] planes, float[] pack, float[] rowSums) {
        java.util.Arrays.fill(sum, 0f);
        int[] k = geo.k;
        if (geo.byPlanes) {
            int p0 = item * geo.planesPerItem;
            int p1 = Math.min(p0 + geo.planesPerItem, samples * geo.in[0]);
            for (int pl = p0; pl < p1; pl++) {
                int n = pl / geo.in[0];
                int id = pl % geo.in[0];
                for (int grp = 0; grp < geo.groups; grp++) {
                    for (int td = 0; td < k[0]; td++) {
                        if (!geo.takes(0, td, id)) {
                            continue;
                        }
                        for (int th = 0; th < k[1]; th++) {
                            int tap = (grp * k[0] + td) * k[1] + th;
                            addPlane(planes, 0, n0, n, id, grp, td, th, 0);
                            planes(x, gp, planes, 1, th, geo.cinG, sum, tap * k[2] * geo.cinG * geo.coutPadG,
                                    geo.cinG * geo.coutPadG, pack);
                        }
                        int od = id * geo.s[0] + td * geo.d[0] - geo.pad[0];
                        if (rowSums != null && grp == geo.groups - 1 && geo.biasTap[od] == td) {
                            biasRows(gp, n0, n, od, rowSums);
                        }
                    }
                }
            }
            return;
        }
        int part = item % geo.parts;
        int r = item / geo.parts;
        int th = r % k[1];
        int td = r / k[1] % k[0];
        int grp = r / (k[1] * k[0]);
        int ci0 = part * geo.cinPerPart;
        int cn = Math.min(geo.cinPerPart, geo.cinG - ci0);
        if (!firstChunk) {
            moveSums(dw, sum, false, grp, ci0, cn, td, th);
        }
        int count = 0;
        for (int n = 0; n < samples; n++) {
            for (int id = geo.first(0, td); id < geo.end(0, td); id++) {
                count = addPlane(planes, count, n0, n, id, grp, td, th, ci0);
            }
        }
        planes(x, gp, planes, count, th, cn, sum, 0, geo.cinPerPart * geo.coutPadG, pack);
        moveSums(dw, sum, true, grp, ci0, cn, td, th);
    }

    /**
     * The bias gradient's row sums of output plane {@code od} of sample {@code n0 + n} of {@code dy}, at the rows'
     * preparation items ({@link GradientPrep#row}: same sums, same order).
     */
    private void biasRows(float[] dy, int n0, int n, int od, float[] rowSums) {
        int[] out = geo.out;
        int cout = geo.problem.outChannels();
        for (int oh = 0; oh < out[1]; oh++) {
            int row = (n * out[0] + od) * out[1] + oh;
            GradientPrep.sumRow(dy, (((n0 + n) * out[0] + od) * out[1] + oh) * out[2] * cout, out[2], cout, rowSums,
                    row * cout);
        }
    }

    /**
     * Appends input plane {@code (n, id)} to the table as where its first row that tap {@code th} takes starts in
     * {@code x} (channel {@code ci0} of group {@code grp}) and in {@code g}; returns the new plane count.
     */
    private int addPlane(int[] planes, int count, int n0, int n, int id, int grp, int td, int th, int ci0) {
        int[] in = geo.in;
        int ih0 = geo.first(1, th);
        int cin = geo.problem.inChannels();
        boolean last = geo.channelsLast();
        int plane = in[0] * in[1] * in[2];
        int xStep = last ? cin : 1;
        int xSample = last ? (n0 + n) * plane * cin + grp * geo.cinG + ci0
                : ((n0 + n) * cin + grp * geo.cinG + ci0) * plane;
        planes[2 * count] = xSample + (id * in[1] + ih0) * in[2] * xStep;
        planes[2 * count + 1] = geo.filterRead(n0, n, id * geo.s[0] + td * geo.d[0], ih0 * geo.s[1] + th * geo.d[1])
                + grp * geo.coutPadG;
        return count + 1;
    }

    /**
     * Adds the rows that tap {@code th} takes in the {@code planeCount} planes of the table to the sums of
     * {@code cn} channels: width tap {@code tw}'s sums start at {@code sum[base + tw*tapFloats]},
     * laid out as {@link GradientGeometry#sumAt} says. Where {@link GradientGeometry#packBlocks} says so, the positions
     * go through {@code pack} in blocks of {@link #BLOCK}, their channels last.
     */
    private void planes(float[] x, float[] gp, int[] planes, int planeCount, int th, int cn, float[] sum, int base,
            int tapFloats, float[] pack) {
        int[] in = geo.in;
        int rows = geo.end(1, th) - geo.first(1, th);
        boolean last = geo.channelsLast();
        int xChannel = last ? 1 : in[0] * in[1] * in[2];
        int xStep = last ? geo.problem.inChannels() : 1;
        int gStep = geo.s[2] * geo.channelStride;
        // The rows of a plane are evenly spaced in x and in g.
        int xRowJump = in[2] * xStep;
        int gRowJump = geo.s[1] * geo.filterReadPitch();
        int width = geo.coutPadG;
        int xPack = BLOCK * width;
        for (int tw = 0; tw < geo.k[2]; tw++) {
            int iw0 = geo.first(2, tw);
            int count = geo.end(2, tw) - iw0;
            if (count <= 0 || rows <= 0) {
                continue;
            }
            int xCol = iw0 * xStep;
            int gCol = (iw0 * geo.s[2] + tw * geo.d[2]) * geo.channelStride;
            int si = base + tw * tapFloats;
            if (!geo.packBlocks) {
                for (int j = 0; j < planeCount; j++) {
                    run(x, planes[2 * j] + xCol, xStep, gp, planes[2 * j + 1] + gCol, gStep, count, rows,
                            xRowJump - count * xStep, gRowJump - count * gStep, cn, sum, si);
                }
                continue;
            }
            int filled = 0;
            for (int j = 0; j < planeCount; j++) {
                for (int r = 0; r < rows; r++) {
                    int xr = planes[2 * j] + r * xRowJump + xCol;
                    int gr = planes[2 * j + 1] + r * gRowJump + gCol;
                    for (int w = 0; w < count; w++) {
                        System.arraycopy(gp, gr + w * gStep, pack, filled * width, width);
                        int xi = xr + w * xStep;
                        if (last) {
                            System.arraycopy(x, xi, pack, xPack + filled * cn, cn);
                        } else {
                            for (int c = 0; c < cn; c++) {
                                pack[xPack + filled * cn + c] = x[xi + c * xChannel];
                            }
                        }
                        if (++filled == BLOCK) {
                            run(pack, xPack, cn, pack, 0, width, filled, 1, 0, 0, cn, sum, si);
                            filled = 0;
                        }
                    }
                }
            }
            if (filled > 0) {
                run(pack, xPack, cn, pack, 0, width, filled, 1, 0, 0, cn, sum, si);
            }
        }
    }

    /**
     * All channel tiles of {@code rows} runs of {@code count} positions (in place, or one packed block): 8x2 tiles,
     * then 8x1 / 16x1 for an odd vector, then singles.
     */
    private void run(float[] x, int xi, int xStep, float[] g, int gi, int gStep, int count, int rows,
            int xSkip, int gSkip, int cn, float[] sum, int si) {
        int lanes = SimdKernel.L;
        if (geo.sumsByOutputChannel) {
            int sStride = geo.sumRowFloats();
            for (int c = 0; c < cn; c += 2 * lanes) {
                for (int co = 0; co < geo.coutPadG; co += 8) {
                    // The 8x2 tile with the operands' roles swapped: 8 broadcasts of g, 2 vectors of x.
                    FilterGradientKernel.m8n2(g, gi + co, gStep, x, xi + c, xStep, count, rows, gSkip, xSkip, sum,
                            si + co * sStride + c, sStride);
                }
            }
            return;
        }
        int vectors = geo.coutPadG / lanes;
        int sStride = geo.coutPadG;
        int c = 0;
        if (vectors == 1) {
            for (; c + 16 <= cn; c += 16) {
                FilterGradientKernel.m16n1(x, xi + c, xStep, g, gi, gStep, count, rows,
                        xSkip, gSkip, sum, si + c * sStride, sStride);
            }
        }
        for (; c + 8 <= cn; c += 8) {
            int v = 0;
            for (; v + 2 <= vectors; v += 2) {
                FilterGradientKernel.m8n2(x, xi + c, xStep, g, gi + v * lanes, gStep, count,
                        rows, xSkip, gSkip, sum, si + c * sStride + v * lanes, sStride);
            }
            if (v < vectors) {
                FilterGradientKernel.m8n1(x, xi + c, xStep, g, gi + v * lanes, gStep, count,
                        rows, xSkip, gSkip, sum, si + c * sStride + v * lanes, sStride);
            }
        }
        for (; c < cn; c++) {
            for (int v = 0; v < vectors; v++) {
                FilterGradientKernel.m1n1(x, xi + c, xStep, g, gi + v * lanes, gStep, count, rows,
                        xSkip, gSkip, sum, si + c * sStride + v * lanes);
            }
        }
    }

    /** Floats of partial filter per slice of the by-planes reduction (whole taps; 16 KiB). */
    static final int REDUCE_FLOATS = 4096;

    /** Slices of the by-planes reduction ({@link #reduce}): runs of whole filter taps. */
    int reduceSlices() {
        int taps = geo.groups * geo.kvol;
        int perSlice = tapsPerReduceSlice();
        return (taps + perSlice - 1) / perSlice;
    }

    private int tapsPerReduceSlice() {
        return Math.max(1, REDUCE_FLOATS / Math.max(1, geo.cinG * geo.coutPadG));
    }

    /**
     * By planes, after the chunk's items, slice {@code slice} of {@link #reduceSlices}: adds that slice's part of the
     * partial filters of items {@code 0 .. items-1} in item order (into the first) and stores the total in
     * {@code dw}, added to what is there unless {@code firstChunk}. Each element is summed in item order whichever
     * thread runs its slice.
     */
    void reduce(float[][] partials, int items, float[] dw, boolean firstChunk, int slice) {
        float[] total = partials[0];
        int tapFloats = geo.cinG * geo.coutPadG;
        int t0 = slice * tapsPerReduceSlice();
        int t1 = Math.min(geo.groups * geo.kvol, t0 + tapsPerReduceSlice());
        int from = t0 * tapFloats;
        int to = t1 * tapFloats;
        for (int i = 1; i < items; i++) {
            float[] part = partials[i];
            int j = from;
            for (; j < from + SimdKernel.S.loopBound(to - from); j += SimdKernel.L) {
                FloatVector.fromArray(SimdKernel.S, total, j).add(FloatVector.fromArray(SimdKernel.S, part, j))
                        .intoArray(total, j);
            }
            for (; j < to; j++) {
                total[j] += part[j];
            }
        }
        int[] k = geo.k;
        for (int t = t0; t < t1; t++) {
            int tw = t % k[2];
            int th = t / k[2] % k[1];
            int td = t / (k[2] * k[1]) % k[0];
            int grp = t / geo.kvol;
            for (int c = 0; c < geo.cinG; c++) {
                for (int co = 0; co < geo.coutG; co++) {
                    int f = geo.problem.filterIndex(grp * geo.cinG + c, co, td, th, tw);
                    int at = t * tapFloats + geo.sumAt(c, co);
                    dw[f] = firstChunk ? total[at] : dw[f] + total[at];
                }
            }
        }
    }

    /** By taps: copies the item's sums into {@code dw} ({@code toFilter}) or back out of it (a later chunk). */
    private void moveSums(float[] dw, float[] sum, boolean toFilter, int grp, int ci0, int cn, int td, int th) {
        int tapFloats = geo.cinPerPart * geo.coutPadG;
        for (int tw = 0; tw < geo.k[2]; tw++) {
            for (int c = 0; c < cn; c++) {
                for (int co = 0; co < geo.coutG; co++) {
                    int f = geo.problem.filterIndex(grp * geo.cinG + ci0 + c, co, td, th, tw);
                    int at = tw * tapFloats + geo.sumAt(c, co);
                    if (toFilter) {
                        dw[f] = sum[at];
                    } else {
                        sum[at] = dw[f];
                    }
                }
            }
        }
    }
}
