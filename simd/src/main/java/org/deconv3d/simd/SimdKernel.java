package org.deconv3d.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled micro-kernels. Each computes a tile of 8 output positions of one phase (two runs of 4,
 * consecutive along width, so their inputs are {@code xStep} apart) times a block of 1 or 2 output-channel
 * vectors, summing over the phase's taps ({@code entries}) and the group's input channels with FMA, in a fixed
 * order: taps, then channels. Eight positions share each weight load, which keeps the weights' trip from L2 cheap.
 * Accumulators live in registers; the tile is stored once, to the row buffer, when all sums are done.
 *
 * <p>Names: {@code r8c2} = <b>r</b>egular entries (one tap each), <b>8</b> positions, <b>2</b> output-channel
 * vectors; {@code p8c1} = <b>p</b>aired entries (two width taps one input apart share each broadcast), 8
 * positions, 1 vector; {@code m8c1} = <b>m</b>erged width phases (a paired phase and a one-tap phase that share
 * their inputs), 8 positions of each, 1 vector. The tile's layout is {@link Schedule}'s tile contract.
 *
 * <p>The species is a constant ({@code static final}) so that C2 compiles the vector operations to machine
 * instructions; its width can be narrowed with {@code -Ddeconv3d.simd.bits=128|256} to test those code paths.
 */
final class SimdKernel {

    static final VectorSpecies<Float> S = species();
    static final int L = S.length();
    /**
     * Whether the kernels keep their accumulators in registers across a loop nest (an entry loop around a channel
     * loop whose indices are linear in the channel, so C2 hoists the range checks: 94 GFLOP/s of a 116 peak on one
     * Zen 4 core for r8c2 on L1-resident data) or use one flat loop (72-76 there, range-checked every access). JDK 25's
     * C2 keeps vectors in registers through the nest; JDK 17's boxes them (4.6 GFLOP/s), so earlier JDKs take the
     * flat loop. {@code -Ddeconv3d.simd.loops=flat|nested} forces either (tests).
     */
    static final boolean NESTED_LOOPS = nestedLoops();

    private SimdKernel() {
    }

    private static VectorSpecies<Float> species() {
        String bits = System.getProperty(VectorSupport.BITS_PROPERTY, "");
        switch (bits) {
            case "128": return FloatVector.SPECIES_128;
            case "256": return FloatVector.SPECIES_256;
            case "512": return FloatVector.SPECIES_512;
            default: return FloatVector.SPECIES_PREFERRED;
        }
    }

    private static boolean nestedLoops() {
        String forced = System.getProperty("deconv3d.simd.loops", "");
        if (!forced.isEmpty()) {
            return forced.equals("nested");
        }
        return Runtime.version().feature() >= 25;
    }

    static int lanes() {
        return L;
    }

    /**
     * 8 positions x 2 vectors: 16 accumulators. Positions 0-3 read from {@code xA} and store to {@code rowA},
     * positions 4-7 from {@code xB} and {@code rowB}, each {@code xStep}/{@code rowStep} apart: the halves are
     * either the two halves of one row or two rows, so short rows still fill the tile.
     *
     * <p>The accumulators stay in registers from the first FMA to the store, summing entries, then channels, in
     * order: through a loop nest where C2 allows it ({@link #NESTED_LOOPS}), else as one flat loop (a counter moves
     * to the next entry's offsets when a channel run ends). Both add in the same order: the same bits.
     */
    static void r8c2(float[] x, int xA, int xB, int[] xOff, float[] w, int[] wOff, int entries, int cin, int xStep,
            float[] row, int rowA, int rowB, int rowStep) {
        r8c2(x, xA, xB, xOff, w, wOff, 0, entries, cin, xStep, row, rowA, rowB, rowStep, false);
    }

    /**
     * {@link #r8c2} over entries {@code e0 .. entries-1}, adding to the sums already in the row when
     * {@code accumulate} (so a caller can split the entries into groups that keep their weights in L1).
     */
    static void r8c2(float[] x, int xA, int xB, int[] xOff, float[] w, int[] wOff, int e0, int entries, int cin,
            int xStep, float[] row, int rowA, int rowB, int rowStep, boolean accumulate) {
        int a1 = rowA + rowStep, a2 = rowA + 2 * rowStep, a3 = rowA + 3 * rowStep;
        int b1 = rowB + rowStep, b2 = rowB + 2 * rowStep, b3 = rowB + 3 * rowStep;
        FloatVector a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, row, rowA); a01 = FloatVector.fromArray(S, row, rowA + L);
            a10 = FloatVector.fromArray(S, row, a1); a11 = FloatVector.fromArray(S, row, a1 + L);
            a20 = FloatVector.fromArray(S, row, a2); a21 = FloatVector.fromArray(S, row, a2 + L);
            a30 = FloatVector.fromArray(S, row, a3); a31 = FloatVector.fromArray(S, row, a3 + L);
            a40 = FloatVector.fromArray(S, row, rowB); a41 = FloatVector.fromArray(S, row, rowB + L);
            a50 = FloatVector.fromArray(S, row, b1); a51 = FloatVector.fromArray(S, row, b1 + L);
            a60 = FloatVector.fromArray(S, row, b2); a61 = FloatVector.fromArray(S, row, b2 + L);
            a70 = FloatVector.fromArray(S, row, b3); a71 = FloatVector.fromArray(S, row, b3 + L);
        } else {
            a00 = FloatVector.zero(S); a01 = a00; a10 = a00; a11 = a00; a20 = a00; a21 = a00; a30 = a00;
            a31 = a00; a40 = a00; a41 = a00; a50 = a00; a51 = a00; a60 = a00; a61 = a00; a70 = a00; a71 = a00;
        }
        if (NESTED_LOOPS && cin > 0) {
            for (int e = e0; e < entries; e++) {
                int pa = xA + xOff[e];
                int pb = xB + xOff[e];
                int w0i = wOff[e];
                for (int c = 0; c < cin; c++) {
                    // Indices linear in c, so C2 hoists the range checks out of the loop.
                    int ia = pa + c;
                    int ib = pb + c;
                    int wi = w0i + c * 2 * L;
                    FloatVector w0 = FloatVector.fromArray(S, w, wi);
                    FloatVector w1 = FloatVector.fromArray(S, w, wi + L);
                    FloatVector v = FloatVector.broadcast(S, x[ia]);
                    a00 = v.fma(w0, a00); a01 = v.fma(w1, a01);
                    v = FloatVector.broadcast(S, x[ia + xStep]);
                    a10 = v.fma(w0, a10); a11 = v.fma(w1, a11);
                    v = FloatVector.broadcast(S, x[ia + 2 * xStep]);
                    a20 = v.fma(w0, a20); a21 = v.fma(w1, a21);
                    v = FloatVector.broadcast(S, x[ia + 3 * xStep]);
                    a30 = v.fma(w0, a30); a31 = v.fma(w1, a31);
                    v = FloatVector.broadcast(S, x[ib]);
                    a40 = v.fma(w0, a40); a41 = v.fma(w1, a41);
                    v = FloatVector.broadcast(S, x[ib + xStep]);
                    a50 = v.fma(w0, a50); a51 = v.fma(w1, a51);
                    v = FloatVector.broadcast(S, x[ib + 2 * xStep]);
                    a60 = v.fma(w0, a60); a61 = v.fma(w1, a61);
                    v = FloatVector.broadcast(S, x[ib + 3 * xStep]);
                    a70 = v.fma(w0, a70); a71 = v.fma(w1, a71);
                }
            }
        } else if (entries > e0 && cin > 0) {
            int ia = xA + xOff[e0];
            int ib = xB + xOff[e0];
            int wi = wOff[e0];
            for (int k = 0, c = 0, e = e0, total = (entries - e0) * cin; k < total; k++) {
                FloatVector w0 = FloatVector.fromArray(S, w, wi);
                FloatVector w1 = FloatVector.fromArray(S, w, wi + L);
                FloatVector v = FloatVector.broadcast(S, x[ia]);
                a00 = v.fma(w0, a00); a01 = v.fma(w1, a01);
                v = FloatVector.broadcast(S, x[ia + xStep]);
                a10 = v.fma(w0, a10); a11 = v.fma(w1, a11);
                v = FloatVector.broadcast(S, x[ia + 2 * xStep]);
                a20 = v.fma(w0, a20); a21 = v.fma(w1, a21);
                v = FloatVector.broadcast(S, x[ia + 3 * xStep]);
                a30 = v.fma(w0, a30); a31 = v.fma(w1, a31);
                v = FloatVector.broadcast(S, x[ib]);
                a40 = v.fma(w0, a40); a41 = v.fma(w1, a41);
                v = FloatVector.broadcast(S, x[ib + xStep]);
                a50 = v.fma(w0, a50); a51 = v.fma(w1, a51);
                v = FloatVector.broadcast(S, x[ib + 2 * xStep]);
                a60 = v.fma(w0, a60); a61 = v.fma(w1, a61);
                v = FloatVector.broadcast(S, x[ib + 3 * xStep]);
                a70 = v.fma(w0, a70); a71 = v.fma(w1, a71);
                ia++;
                ib++;
                wi += 2 * L;
                if (++c == cin && ++e < entries) {
                    c = 0;
                    ia = xA + xOff[e];
                    ib = xB + xOff[e];
                    wi = wOff[e];
                }
            }
        }
        a00.intoArray(row, rowA); a01.intoArray(row, rowA + L); a10.intoArray(row, a1); a11.intoArray(row, a1 + L);
        a20.intoArray(row, a2); a21.intoArray(row, a2 + L); a30.intoArray(row, a3); a31.intoArray(row, a3 + L);
        a40.intoArray(row, rowB); a41.intoArray(row, rowB + L); a50.intoArray(row, b1); a51.intoArray(row, b1 + L);
        a60.intoArray(row, b2); a61.intoArray(row, b2 + L); a70.intoArray(row, b3); a71.intoArray(row, b3 + L);
    }

    /** 8 positions x 1 vector: 8 accumulators; the halves and the flat loop as in {@link #r8c2}. */
    static void r8c1(float[] x, int xA, int xB, int[] xOff, float[] w, int[] wOff, int entries, int cin, int xStep,
            float[] row, int rowA, int rowB, int rowStep) {
        r8c1(x, xA, xB, xOff, w, wOff, 0, entries, cin, xStep, row, rowA, rowB, rowStep, false);
    }

    /** {@link #r8c1} over entries {@code e0 .. entries-1}, optionally adding to the row's sums (see r8c2). */
    static void r8c1(float[] x, int xA, int xB, int[] xOff, float[] w, int[] wOff, int e0, int entries, int cin,
            int xStep, float[] row, int rowA, int rowB, int rowStep, boolean accumulate) {
        int a1 = rowA + rowStep, a2 = rowA + 2 * rowStep, a3 = rowA + 3 * rowStep;
        int b1 = rowB + rowStep, b2 = rowB + 2 * rowStep, b3 = rowB + 3 * rowStep;
        FloatVector s0, s1, s2, s3, s4, s5, s6, s7;
        if (accumulate) {
            s0 = FloatVector.fromArray(S, row, rowA); s1 = FloatVector.fromArray(S, row, a1);
            s2 = FloatVector.fromArray(S, row, a2); s3 = FloatVector.fromArray(S, row, a3);
            s4 = FloatVector.fromArray(S, row, rowB); s5 = FloatVector.fromArray(S, row, b1);
            s6 = FloatVector.fromArray(S, row, b2); s7 = FloatVector.fromArray(S, row, b3);
        } else {
            s0 = FloatVector.zero(S); s1 = s0; s2 = s0; s3 = s0; s4 = s0; s5 = s0; s6 = s0; s7 = s0;
        }
        if (NESTED_LOOPS && cin > 0) {
            for (int e = e0; e < entries; e++) {
                int pa = xA + xOff[e];
                int pb = xB + xOff[e];
                int w0i = wOff[e];
                for (int c = 0; c < cin; c++) {
                    int ia = pa + c;
                    int ib = pb + c;
                    FloatVector w0 = FloatVector.fromArray(S, w, w0i + c * L);
                    s0 = FloatVector.broadcast(S, x[ia]).fma(w0, s0);
                    s1 = FloatVector.broadcast(S, x[ia + xStep]).fma(w0, s1);
                    s2 = FloatVector.broadcast(S, x[ia + 2 * xStep]).fma(w0, s2);
                    s3 = FloatVector.broadcast(S, x[ia + 3 * xStep]).fma(w0, s3);
                    s4 = FloatVector.broadcast(S, x[ib]).fma(w0, s4);
                    s5 = FloatVector.broadcast(S, x[ib + xStep]).fma(w0, s5);
                    s6 = FloatVector.broadcast(S, x[ib + 2 * xStep]).fma(w0, s6);
                    s7 = FloatVector.broadcast(S, x[ib + 3 * xStep]).fma(w0, s7);
                }
            }
        } else if (entries > e0 && cin > 0) {
            int ia = xA + xOff[e0];
            int ib = xB + xOff[e0];
            int wi = wOff[e0];
            for (int k = 0, c = 0, e = e0, total = (entries - e0) * cin; k < total; k++) {
                FloatVector w0 = FloatVector.fromArray(S, w, wi);
                s0 = FloatVector.broadcast(S, x[ia]).fma(w0, s0);
                s1 = FloatVector.broadcast(S, x[ia + xStep]).fma(w0, s1);
                s2 = FloatVector.broadcast(S, x[ia + 2 * xStep]).fma(w0, s2);
                s3 = FloatVector.broadcast(S, x[ia + 3 * xStep]).fma(w0, s3);
                s4 = FloatVector.broadcast(S, x[ib]).fma(w0, s4);
                s5 = FloatVector.broadcast(S, x[ib + xStep]).fma(w0, s5);
                s6 = FloatVector.broadcast(S, x[ib + 2 * xStep]).fma(w0, s6);
                s7 = FloatVector.broadcast(S, x[ib + 3 * xStep]).fma(w0, s7);
                ia++;
                ib++;
                wi += L;
                if (++c == cin && ++e < entries) {
                    c = 0;
                    ia = xA + xOff[e];
                    ib = xB + xOff[e];
                    wi = wOff[e];
                }
            }
        }
        s0.intoArray(row, rowA); s1.intoArray(row, a1); s2.intoArray(row, a2); s3.intoArray(row, a3);
        s4.intoArray(row, rowB); s5.intoArray(row, b1); s6.intoArray(row, b2); s7.intoArray(row, b3);
    }

    /**
     * {@link #r8c2} for entries that pair two width taps whose inputs are one position apart: tap A (weights at
     * {@code wOff[2e]}) reads position {@code r} at {@code x + r*xStep}, tap B ({@code wOff[2e+1]}) at
     * {@code x + (r-1)*xStep}, so each broadcast input feeds both taps: 10 broadcasts for 32 FMAs instead of 16.
     */
    static void p8c2(float[] x, int xA, int xB, int[] xOff, float[] w, int[] wOff, int entries, int cin, int xStep,
            float[] row, int rowA, int rowB, int rowStep) {
        int a1 = rowA + rowStep, a2 = rowA + 2 * rowStep, a3 = rowA + 3 * rowStep;
        int b1 = rowB + rowStep, b2 = rowB + 2 * rowStep, b3 = rowB + 3 * rowStep;
        for (int e = 0; e < entries; e++) {
            FloatVector a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71;
            if (e == 0) {
                a00 = FloatVector.zero(S); a01 = a00; a10 = a00; a11 = a00; a20 = a00; a21 = a00; a30 = a00;
                a31 = a00; a40 = a00; a41 = a00; a50 = a00; a51 = a00; a60 = a00; a61 = a00; a70 = a00; a71 = a00;
            } else {
                a00 = FloatVector.fromArray(S, row, rowA); a01 = FloatVector.fromArray(S, row, rowA + L);
                a10 = FloatVector.fromArray(S, row, a1); a11 = FloatVector.fromArray(S, row, a1 + L);
                a20 = FloatVector.fromArray(S, row, a2); a21 = FloatVector.fromArray(S, row, a2 + L);
                a30 = FloatVector.fromArray(S, row, a3); a31 = FloatVector.fromArray(S, row, a3 + L);
                a40 = FloatVector.fromArray(S, row, rowB); a41 = FloatVector.fromArray(S, row, rowB + L);
                a50 = FloatVector.fromArray(S, row, b1); a51 = FloatVector.fromArray(S, row, b1 + L);
                a60 = FloatVector.fromArray(S, row, b2); a61 = FloatVector.fromArray(S, row, b2 + L);
                a70 = FloatVector.fromArray(S, row, b3); a71 = FloatVector.fromArray(S, row, b3 + L);
            }
            int pa = xA + xOff[e];
            int pb = xB + xOff[e];
            int wA = wOff[2 * e];
            int wB = wOff[2 * e + 1];
            for (int c = 0; c < cin; c++) {
                int ia = pa + c;
                int ib = pb + c;
                FloatVector p0 = FloatVector.fromArray(S, w, wA + c * 2 * L);
                FloatVector p1 = FloatVector.fromArray(S, w, wA + c * 2 * L + L);
                FloatVector q0 = FloatVector.fromArray(S, w, wB + c * 2 * L);
                FloatVector q1 = FloatVector.fromArray(S, w, wB + c * 2 * L + L);
                FloatVector v = FloatVector.broadcast(S, x[ia - xStep]);
                a00 = v.fma(q0, a00); a01 = v.fma(q1, a01);
                v = FloatVector.broadcast(S, x[ia]);
                a00 = v.fma(p0, a00); a01 = v.fma(p1, a01); a10 = v.fma(q0, a10); a11 = v.fma(q1, a11);
                v = FloatVector.broadcast(S, x[ia + xStep]);
                a10 = v.fma(p0, a10); a11 = v.fma(p1, a11); a20 = v.fma(q0, a20); a21 = v.fma(q1, a21);
                v = FloatVector.broadcast(S, x[ia + 2 * xStep]);
                a20 = v.fma(p0, a20); a21 = v.fma(p1, a21); a30 = v.fma(q0, a30); a31 = v.fma(q1, a31);
                v = FloatVector.broadcast(S, x[ia + 3 * xStep]);
                a30 = v.fma(p0, a30); a31 = v.fma(p1, a31);
                v = FloatVector.broadcast(S, x[ib - xStep]);
                a40 = v.fma(q0, a40); a41 = v.fma(q1, a41);
                v = FloatVector.broadcast(S, x[ib]);
                a40 = v.fma(p0, a40); a41 = v.fma(p1, a41); a50 = v.fma(q0, a50); a51 = v.fma(q1, a51);
                v = FloatVector.broadcast(S, x[ib + xStep]);
                a50 = v.fma(p0, a50); a51 = v.fma(p1, a51); a60 = v.fma(q0, a60); a61 = v.fma(q1, a61);
                v = FloatVector.broadcast(S, x[ib + 2 * xStep]);
                a60 = v.fma(p0, a60); a61 = v.fma(p1, a61); a70 = v.fma(q0, a70); a71 = v.fma(q1, a71);
                v = FloatVector.broadcast(S, x[ib + 3 * xStep]);
                a70 = v.fma(p0, a70); a71 = v.fma(p1, a71);
            }
            a00.intoArray(row, rowA); a01.intoArray(row, rowA + L); a10.intoArray(row, a1); a11.intoArray(row, a1 + L);
            a20.intoArray(row, a2); a21.intoArray(row, a2 + L); a30.intoArray(row, a3); a31.intoArray(row, a3 + L);
            a40.intoArray(row, rowB); a41.intoArray(row, rowB + L); a50.intoArray(row, b1); a51.intoArray(row, b1 + L);
            a60.intoArray(row, b2); a61.intoArray(row, b2 + L); a70.intoArray(row, b3); a71.intoArray(row, b3 + L);
        }
    }

    /** {@link #r8c1} for paired width taps, as in {@link #p8c2}: 10 broadcasts for 16 FMAs instead of 8. */
    static void p8c1(float[] x, int xA, int xB, int[] xOff, float[] w, int[] wOff, int entries, int cin, int xStep,
            float[] row, int rowA, int rowB, int rowStep) {
        int a1 = rowA + rowStep, a2 = rowA + 2 * rowStep, a3 = rowA + 3 * rowStep;
        int b1 = rowB + rowStep, b2 = rowB + 2 * rowStep, b3 = rowB + 3 * rowStep;
        for (int e = 0; e < entries; e++) {
            FloatVector s0, s1, s2, s3, s4, s5, s6, s7;
            if (e == 0) {
                s0 = FloatVector.zero(S); s1 = s0; s2 = s0; s3 = s0; s4 = s0; s5 = s0; s6 = s0; s7 = s0;
            } else {
                s0 = FloatVector.fromArray(S, row, rowA); s1 = FloatVector.fromArray(S, row, a1);
                s2 = FloatVector.fromArray(S, row, a2); s3 = FloatVector.fromArray(S, row, a3);
                s4 = FloatVector.fromArray(S, row, rowB); s5 = FloatVector.fromArray(S, row, b1);
                s6 = FloatVector.fromArray(S, row, b2); s7 = FloatVector.fromArray(S, row, b3);
            }
            int pa = xA + xOff[e];
            int pb = xB + xOff[e];
            int wA = wOff[2 * e];
            int wB = wOff[2 * e + 1];
            for (int c = 0; c < cin; c++) {
                int ia = pa + c;
                int ib = pb + c;
                FloatVector p = FloatVector.fromArray(S, w, wA + c * L);
                FloatVector q = FloatVector.fromArray(S, w, wB + c * L);
                FloatVector v = FloatVector.broadcast(S, x[ia - xStep]);
                s0 = v.fma(q, s0);
                v = FloatVector.broadcast(S, x[ia]);
                s0 = v.fma(p, s0); s1 = v.fma(q, s1);
                v = FloatVector.broadcast(S, x[ia + xStep]);
                s1 = v.fma(p, s1); s2 = v.fma(q, s2);
                v = FloatVector.broadcast(S, x[ia + 2 * xStep]);
                s2 = v.fma(p, s2); s3 = v.fma(q, s3);
                v = FloatVector.broadcast(S, x[ia + 3 * xStep]);
                s3 = v.fma(p, s3);
                v = FloatVector.broadcast(S, x[ib - xStep]);
                s4 = v.fma(q, s4);
                v = FloatVector.broadcast(S, x[ib]);
                s4 = v.fma(p, s4); s5 = v.fma(q, s5);
                v = FloatVector.broadcast(S, x[ib + xStep]);
                s5 = v.fma(p, s5); s6 = v.fma(q, s6);
                v = FloatVector.broadcast(S, x[ib + 2 * xStep]);
                s6 = v.fma(p, s6); s7 = v.fma(q, s7);
                v = FloatVector.broadcast(S, x[ib + 3 * xStep]);
                s7 = v.fma(p, s7);
            }
            s0.intoArray(row, rowA); s1.intoArray(row, a1); s2.intoArray(row, a2); s3.intoArray(row, a3);
            s4.intoArray(row, rowB); s5.intoArray(row, b1); s6.intoArray(row, b2); s7.intoArray(row, b3);
        }
    }

    /**
     * Both width phases of a stride-2 row at once, for 1 output-channel vector: phase P with paired entries (as in
     * {@link #p8c1}: weights {@code pOff[2e]} at input position r, {@code pOff[2e+1]} at r - 1) and phase Q with one
     * width tap ({@code qOff[e]}) that reads position r, the same input as P's first tap, or r - 1 when
     * {@code qLag} (its second: PyTorch's padding 1). Each broadcast input then
     * feeds three FMAs: 10 broadcasts for 24 FMAs, where {@code p8c1} and {@code r8c1} need 18 for the same work,
     * and with one output-channel vector a broadcast costs about as much as an FMA on Zen 4. P's sums go to
     * {@code row} from {@code pA}/{@code pB}, Q's from {@code qA}/{@code qB}, positions {@code rowStep} apart; each
     * output is summed in the same order as by {@code p8c1} and {@code r8c1} (entries, then channels, P's
     * second tap before its first), so the results are the same bits.
     */
    static void m8c1(float[] x, int xA, int xB, int[] xOff, float[] w, int[] pOff, int[] qOff, boolean qLag,
            int entries, int cin, int xStep, float[] row, int pA, int pB, int qA, int qB, int rowStep) {
        int p1 = pA + rowStep, p2 = pA + 2 * rowStep, p3 = pA + 3 * rowStep;
        int p5 = pB + rowStep, p6 = pB + 2 * rowStep, p7 = pB + 3 * rowStep;
        int q1 = qA + rowStep, q2 = qA + 2 * rowStep, q3 = qA + 3 * rowStep;
        int q5 = qB + rowStep, q6 = qB + 2 * rowStep, q7 = qB + 3 * rowStep;
        for (int e = 0; e < entries; e++) {
            FloatVector s0, s1, s2, s3, s4, s5, s6, s7, t0, t1, t2, t3, t4, t5, t6, t7;
            if (e == 0) {
                s0 = FloatVector.zero(S); s1 = s0; s2 = s0; s3 = s0; s4 = s0; s5 = s0; s6 = s0; s7 = s0;
                t0 = s0; t1 = s0; t2 = s0; t3 = s0; t4 = s0; t5 = s0; t6 = s0; t7 = s0;
            } else {
                s0 = FloatVector.fromArray(S, row, pA); s1 = FloatVector.fromArray(S, row, p1);
                s2 = FloatVector.fromArray(S, row, p2); s3 = FloatVector.fromArray(S, row, p3);
                s4 = FloatVector.fromArray(S, row, pB); s5 = FloatVector.fromArray(S, row, p5);
                s6 = FloatVector.fromArray(S, row, p6); s7 = FloatVector.fromArray(S, row, p7);
                t0 = FloatVector.fromArray(S, row, qA); t1 = FloatVector.fromArray(S, row, q1);
                t2 = FloatVector.fromArray(S, row, q2); t3 = FloatVector.fromArray(S, row, q3);
                t4 = FloatVector.fromArray(S, row, qB); t5 = FloatVector.fromArray(S, row, q5);
                t6 = FloatVector.fromArray(S, row, q6); t7 = FloatVector.fromArray(S, row, q7);
            }
            int pa = xA + xOff[e];
            int pb = xB + xOff[e];
            int wA = pOff[2 * e];
            int wB = pOff[2 * e + 1];
            int wQ = qOff[e];
            // Two copies of the channel loop, one per alignment, so neither tests it per FMA.
            if (qLag) {
                for (int c = 0; c < cin; c++) {
                    int ia = pa + c;
                    int ib = pb + c;
                    FloatVector p = FloatVector.fromArray(S, w, wA + c * L);
                    FloatVector q = FloatVector.fromArray(S, w, wB + c * L);
                    FloatVector r = FloatVector.fromArray(S, w, wQ + c * L);
                    FloatVector v = FloatVector.broadcast(S, x[ia - xStep]);
                    s0 = v.fma(q, s0); t0 = v.fma(r, t0);
                    v = FloatVector.broadcast(S, x[ia]);
                    s0 = v.fma(p, s0); s1 = v.fma(q, s1); t1 = v.fma(r, t1);
                    v = FloatVector.broadcast(S, x[ia + xStep]);
                    s1 = v.fma(p, s1); s2 = v.fma(q, s2); t2 = v.fma(r, t2);
                    v = FloatVector.broadcast(S, x[ia + 2 * xStep]);
                    s2 = v.fma(p, s2); s3 = v.fma(q, s3); t3 = v.fma(r, t3);
                    v = FloatVector.broadcast(S, x[ia + 3 * xStep]);
                    s3 = v.fma(p, s3);
                    v = FloatVector.broadcast(S, x[ib - xStep]);
                    s4 = v.fma(q, s4); t4 = v.fma(r, t4);
                    v = FloatVector.broadcast(S, x[ib]);
                    s4 = v.fma(p, s4); s5 = v.fma(q, s5); t5 = v.fma(r, t5);
                    v = FloatVector.broadcast(S, x[ib + xStep]);
                    s5 = v.fma(p, s5); s6 = v.fma(q, s6); t6 = v.fma(r, t6);
                    v = FloatVector.broadcast(S, x[ib + 2 * xStep]);
                    s6 = v.fma(p, s6); s7 = v.fma(q, s7); t7 = v.fma(r, t7);
                    v = FloatVector.broadcast(S, x[ib + 3 * xStep]);
                    s7 = v.fma(p, s7);
                }
            } else {
                for (int c = 0; c < cin; c++) {
                    int ia = pa + c;
                    int ib = pb + c;
                    FloatVector p = FloatVector.fromArray(S, w, wA + c * L);
                    FloatVector q = FloatVector.fromArray(S, w, wB + c * L);
                    FloatVector r = FloatVector.fromArray(S, w, wQ + c * L);
                    FloatVector v = FloatVector.broadcast(S, x[ia - xStep]);
                    s0 = v.fma(q, s0);
                    v = FloatVector.broadcast(S, x[ia]);
                    s0 = v.fma(p, s0); s1 = v.fma(q, s1); t0 = v.fma(r, t0);
                    v = FloatVector.broadcast(S, x[ia + xStep]);
                    s1 = v.fma(p, s1); s2 = v.fma(q, s2); t1 = v.fma(r, t1);
                    v = FloatVector.broadcast(S, x[ia + 2 * xStep]);
                    s2 = v.fma(p, s2); s3 = v.fma(q, s3); t2 = v.fma(r, t2);
                    v = FloatVector.broadcast(S, x[ia + 3 * xStep]);
                    s3 = v.fma(p, s3); t3 = v.fma(r, t3);
                    v = FloatVector.broadcast(S, x[ib - xStep]);
                    s4 = v.fma(q, s4);
                    v = FloatVector.broadcast(S, x[ib]);
                    s4 = v.fma(p, s4); s5 = v.fma(q, s5); t4 = v.fma(r, t4);
                    v = FloatVector.broadcast(S, x[ib + xStep]);
                    s5 = v.fma(p, s5); s6 = v.fma(q, s6); t5 = v.fma(r, t5);
                    v = FloatVector.broadcast(S, x[ib + 2 * xStep]);
                    s6 = v.fma(p, s6); s7 = v.fma(q, s7); t6 = v.fma(r, t6);
                    v = FloatVector.broadcast(S, x[ib + 3 * xStep]);
                    s7 = v.fma(p, s7); t7 = v.fma(r, t7);
                }
            }
            s0.intoArray(row, pA); s1.intoArray(row, p1); s2.intoArray(row, p2); s3.intoArray(row, p3);
            s4.intoArray(row, pB); s5.intoArray(row, p5); s6.intoArray(row, p6); s7.intoArray(row, p7);
            t0.intoArray(row, qA); t1.intoArray(row, q1); t2.intoArray(row, q2); t3.intoArray(row, q3);
            t4.intoArray(row, qB); t5.intoArray(row, q5); t6.intoArray(row, q6); t7.intoArray(row, q7);
        }
    }

    /** Zeros 4 positions of {@code vectors} vectors each: the tile of a phase that no tap reaches. */
    private static void zero(float[] row, int from, int rowStep, int vectors) {
        for (int r = 0; r < 4; r++) {
            java.util.Arrays.fill(row, from + r * rowStep, from + r * rowStep + vectors * L, 0f);
        }
    }
}
