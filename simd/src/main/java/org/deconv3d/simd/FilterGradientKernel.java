package org.deconv3d.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled micro-kernels of the filter gradient, {@code sum[ci][co] += x[p, ci] * g[p, co]} over
 * {@code rows} runs of {@code count} positions {@code p}, in order: a block of input channels (each a broadcast of
 * {@code x}) times a block of output-channel vectors (loads of {@code g}). Names: {@code m8n2} = 8 input channels x
 * 2 output-channel vectors, 16 accumulators that stay in registers for the whole run and meet the sums in memory
 * once at each end. The tiles are symmetric in their two operands: called with {@code g} as the broadcast side and
 * {@code x} as the vector side, {@code m8n2} computes 8 output channels x 2 input-channel vectors, which is how the
 * filter gradient sums a single vector of output channels (see {@link GradientGeometry#sumsByOutputChannel}).
 *
 * <p>{@code x} is read at {@code x[xi + c + p*xStep]} (channels last, in place or packed: with constant channel
 * offsets C2 checks the eight reads' bounds as one), {@code g} at {@code g[gi + p*gStep + lane]}; after each run
 * both skip ahead by {@code xSkip}/{@code gSkip} to the next row. The sums are at {@code sum[si + c*sStride + lane]}.
 * One flat loop over all positions (a counter for the row's end, not a nested loop): JDK 17's C2 keeps vectors in
 * registers only within a single loop.
 */
final class FilterGradientKernel {

    private static final VectorSpecies<Float> S = SimdKernel.S;
    private static final int L = SimdKernel.L;

    private FilterGradientKernel() {
    }

    static void m8n2(float[] x, int xi, int xStep, float[] g, int gi, int gStep, int count,
            int rows, int xSkip, int gSkip, float[] sum, int si, int sStride) {
        int s1 = si + sStride, s2 = si + 2 * sStride, s3 = si + 3 * sStride, s4 = si + 4 * sStride;
        int s5 = si + 5 * sStride, s6 = si + 6 * sStride, s7 = si + 7 * sStride;
        FloatVector a00 = FloatVector.fromArray(S, sum, si), a01 = FloatVector.fromArray(S, sum, si + L);
        FloatVector a10 = FloatVector.fromArray(S, sum, s1), a11 = FloatVector.fromArray(S, sum, s1 + L);
        FloatVector a20 = FloatVector.fromArray(S, sum, s2), a21 = FloatVector.fromArray(S, sum, s2 + L);
        FloatVector a30 = FloatVector.fromArray(S, sum, s3), a31 = FloatVector.fromArray(S, sum, s3 + L);
        FloatVector a40 = FloatVector.fromArray(S, sum, s4), a41 = FloatVector.fromArray(S, sum, s4 + L);
        FloatVector a50 = FloatVector.fromArray(S, sum, s5), a51 = FloatVector.fromArray(S, sum, s5 + L);
        FloatVector a60 = FloatVector.fromArray(S, sum, s6), a61 = FloatVector.fromArray(S, sum, s6 + L);
        FloatVector a70 = FloatVector.fromArray(S, sum, s7), a71 = FloatVector.fromArray(S, sum, s7 + L);
        int xp = xi;
        int gp = gi;
        for (int p = 0, w = 0, total = count * rows; p < total; p++) {
            FloatVector g0 = FloatVector.fromArray(S, g, gp);
            FloatVector g1 = FloatVector.fromArray(S, g, gp + L);
            FloatVector v = FloatVector.broadcast(S, x[xp]);
            a00 = v.fma(g0, a00); a01 = v.fma(g1, a01);
            v = FloatVector.broadcast(S, x[xp + 1]);
            a10 = v.fma(g0, a10); a11 = v.fma(g1, a11);
            v = FloatVector.broadcast(S, x[xp + 2]);
            a20 = v.fma(g0, a20); a21 = v.fma(g1, a21);
            v = FloatVector.broadcast(S, x[xp + 3]);
            a30 = v.fma(g0, a30); a31 = v.fma(g1, a31);
            v = FloatVector.broadcast(S, x[xp + 4]);
            a40 = v.fma(g0, a40); a41 = v.fma(g1, a41);
            v = FloatVector.broadcast(S, x[xp + 5]);
            a50 = v.fma(g0, a50); a51 = v.fma(g1, a51);
            v = FloatVector.broadcast(S, x[xp + 6]);
            a60 = v.fma(g0, a60); a61 = v.fma(g1, a61);
            v = FloatVector.broadcast(S, x[xp + 7]);
            a70 = v.fma(g0, a70); a71 = v.fma(g1, a71);
            xp += xStep;
            gp += gStep;
            if (++w == count) {
                w = 0;
                xp += xSkip;
                gp += gSkip;
            }
        }
        a00.intoArray(sum, si); a01.intoArray(sum, si + L); a10.intoArray(sum, s1); a11.intoArray(sum, s1 + L);
        a20.intoArray(sum, s2); a21.intoArray(sum, s2 + L); a30.intoArray(sum, s3); a31.intoArray(sum, s3 + L);
        a40.intoArray(sum, s4); a41.intoArray(sum, s4 + L); a50.intoArray(sum, s5); a51.intoArray(sum, s5 + L);
        a60.intoArray(sum, s6); a61.intoArray(sum, s6 + L); a70.intoArray(sum, s7); a71.intoArray(sum, s7 + L);
    }

    /** 16 input channels x 1 vector: for groups with one vector of output channels (e.g. 16 at 512 bits). */
    static void m16n1(float[] x, int xi, int xStep, float[] g, int gi, int gStep, int count,
            int rows, int xSkip, int gSkip, float[] sum, int si, int sStride) {
        m8n1(x, xi, xStep, g, gi, gStep, count, rows, xSkip, gSkip, sum, si, sStride, true);
    }

    /**
     * 8 input channels x 1 vector, or 16 when {@code sixteen}: one method for both so the two tile sizes share one
     * body (the flag is a constant at each call site once inlined).
     */
    private static void m8n1(float[] x, int xi, int xStep, float[] g, int gi, int gStep, int count,
            int rows, int xSkip, int gSkip, float[] sum, int si, int sStride, boolean sixteen) {
        int hi = sixteen ? 8 : 0;
        int t = si + hi * sStride;
        FloatVector a0 = FloatVector.fromArray(S, sum, si), a1 = FloatVector.fromArray(S, sum, si + sStride);
        FloatVector a2 = FloatVector.fromArray(S, sum, si + 2 * sStride);
        FloatVector a3 = FloatVector.fromArray(S, sum, si + 3 * sStride);
        FloatVector a4 = FloatVector.fromArray(S, sum, si + 4 * sStride);
        FloatVector a5 = FloatVector.fromArray(S, sum, si + 5 * sStride);
        FloatVector a6 = FloatVector.fromArray(S, sum, si + 6 * sStride);
        FloatVector a7 = FloatVector.fromArray(S, sum, si + 7 * sStride);
        FloatVector b0 = FloatVector.fromArray(S, sum, t), b1 = FloatVector.fromArray(S, sum, t + sStride);
        FloatVector b2 = FloatVector.fromArray(S, sum, t + 2 * sStride);
        FloatVector b3 = FloatVector.fromArray(S, sum, t + 3 * sStride);
        FloatVector b4 = FloatVector.fromArray(S, sum, t + 4 * sStride);
        FloatVector b5 = FloatVector.fromArray(S, sum, t + 5 * sStride);
        FloatVector b6 = FloatVector.fromArray(S, sum, t + 6 * sStride);
        FloatVector b7 = FloatVector.fromArray(S, sum, t + 7 * sStride);
        int xp = xi;
        int gp = gi;
        for (int p = 0, w = 0, total = count * rows; p < total; p++) {
            FloatVector g0 = FloatVector.fromArray(S, g, gp);
            a0 = FloatVector.broadcast(S, x[xp]).fma(g0, a0);
            a1 = FloatVector.broadcast(S, x[xp + 1]).fma(g0, a1);
            a2 = FloatVector.broadcast(S, x[xp + 2]).fma(g0, a2);
            a3 = FloatVector.broadcast(S, x[xp + 3]).fma(g0, a3);
            a4 = FloatVector.broadcast(S, x[xp + 4]).fma(g0, a4);
            a5 = FloatVector.broadcast(S, x[xp + 5]).fma(g0, a5);
            a6 = FloatVector.broadcast(S, x[xp + 6]).fma(g0, a6);
            a7 = FloatVector.broadcast(S, x[xp + 7]).fma(g0, a7);
            if (sixteen) {
                int xq = xp + hi;
                b0 = FloatVector.broadcast(S, x[xq]).fma(g0, b0);
                b1 = FloatVector.broadcast(S, x[xq + 1]).fma(g0, b1);
                b2 = FloatVector.broadcast(S, x[xq + 2]).fma(g0, b2);
                b3 = FloatVector.broadcast(S, x[xq + 3]).fma(g0, b3);
                b4 = FloatVector.broadcast(S, x[xq + 4]).fma(g0, b4);
                b5 = FloatVector.broadcast(S, x[xq + 5]).fma(g0, b5);
                b6 = FloatVector.broadcast(S, x[xq + 6]).fma(g0, b6);
                b7 = FloatVector.broadcast(S, x[xq + 7]).fma(g0, b7);
            }
            xp += xStep;
            gp += gStep;
            if (++w == count) {
                w = 0;
                xp += xSkip;
                gp += gSkip;
            }
        }
        a0.intoArray(sum, si); a1.intoArray(sum, si + sStride); a2.intoArray(sum, si + 2 * sStride);
        a3.intoArray(sum, si + 3 * sStride); a4.intoArray(sum, si + 4 * sStride);
        a5.intoArray(sum, si + 5 * sStride); a6.intoArray(sum, si + 6 * sStride);
        a7.intoArray(sum, si + 7 * sStride);
        if (sixteen) {
            b0.intoArray(sum, t); b1.intoArray(sum, t + sStride); b2.intoArray(sum, t + 2 * sStride);
            b3.intoArray(sum, t + 3 * sStride); b4.intoArray(sum, t + 4 * sStride);
            b5.intoArray(sum, t + 5 * sStride); b6.intoArray(sum, t + 6 * sStride);
            b7.intoArray(sum, t + 7 * sStride);
        }
    }

    /** 8 input channels x 1 vector. */
    static void m8n1(float[] x, int xi, int xStep, float[] g, int gi, int gStep, int count,
            int rows, int xSkip, int gSkip, float[] sum, int si, int sStride) {
        m8n1(x, xi, xStep, g, gi, gStep, count, rows, xSkip, gSkip, sum, si, sStride, false);
    }

    /** 1 input channel x 1 vector: the channels left over after the 8s. */
    static void m1n1(float[] x, int xi, int xStep, float[] g, int gi, int gStep, int count, int rows, int xSkip,
            int gSkip, float[] sum, int si) {
        FloatVector a = FloatVector.fromArray(S, sum, si);
        int xp = xi;
        int gp = gi;
        for (int p = 0, w = 0, total = count * rows; p < total; p++) {
            a = FloatVector.broadcast(S, x[xp]).fma(FloatVector.fromArray(S, g, gp), a);
            xp += xStep;
            gp += gStep;
            if (++w == count) {
                w = 0;
                xp += xSkip;
                gp += gSkip;
            }
        }
        a.intoArray(sum, si);
    }
}
