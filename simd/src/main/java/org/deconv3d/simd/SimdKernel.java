package org.deconv3d.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled micro-kernels. Each computes a tile of R output positions of one phase (consecutive along
 * width, so their inputs are {@code xStep} apart) times a block of output-channel vectors, summing over the
 * phase's taps ({@code entries}) and the group's input channels with FMA, in a fixed order: taps, then channels.
 * Accumulators live in registers; the tile is stored once, to the row buffer, when all sums are done.
 *
 * <p>The species is a constant ({@code static final}) so that C2 compiles the vector operations to machine
 * instructions; its width can be narrowed with {@code -Ddeconv3d.simd.bits=128|256} to test those code paths.
 */
final class SimdKernel {

    static final VectorSpecies<Float> S = species();
    static final int L = S.length();

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

    static int lanes() {
        return L;
    }

    /** 4 positions x 4 vectors: 16 accumulators. */
    static void r4c4(float[] x, int xBase, int[] xOff, float[] w, int[] wOff, int entries, int cin, int xStep,
            float[] row, int rowOff, int rowStep) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int e = 0; e < entries; e++) {
            int x0 = xBase + xOff[e];
            int w0i = wOff[e];
            for (int c = 0; c < cin; c++) {
                // Indices as linear functions of c, so C2 can hoist the range checks out of the loop.
                int xi = x0 + c;
                int wi = w0i + c * 4 * L;
                FloatVector w0 = FloatVector.fromArray(S, w, wi);
                FloatVector w1 = FloatVector.fromArray(S, w, wi + L);
                FloatVector w2 = FloatVector.fromArray(S, w, wi + 2 * L);
                FloatVector w3 = FloatVector.fromArray(S, w, wi + 3 * L);
                FloatVector v = FloatVector.broadcast(S, x[xi]);
                a00 = v.fma(w0, a00); a01 = v.fma(w1, a01); a02 = v.fma(w2, a02); a03 = v.fma(w3, a03);
                v = FloatVector.broadcast(S, x[xi + xStep]);
                a10 = v.fma(w0, a10); a11 = v.fma(w1, a11); a12 = v.fma(w2, a12); a13 = v.fma(w3, a13);
                v = FloatVector.broadcast(S, x[xi + 2 * xStep]);
                a20 = v.fma(w0, a20); a21 = v.fma(w1, a21); a22 = v.fma(w2, a22); a23 = v.fma(w3, a23);
                v = FloatVector.broadcast(S, x[xi + 3 * xStep]);
                a30 = v.fma(w0, a30); a31 = v.fma(w1, a31); a32 = v.fma(w2, a32); a33 = v.fma(w3, a33);
            }
        }
        int o = rowOff;
        a00.intoArray(row, o); a01.intoArray(row, o + L); a02.intoArray(row, o + 2 * L); a03.intoArray(row, o + 3 * L);
        o += rowStep;
        a10.intoArray(row, o); a11.intoArray(row, o + L); a12.intoArray(row, o + 2 * L); a13.intoArray(row, o + 3 * L);
        o += rowStep;
        a20.intoArray(row, o); a21.intoArray(row, o + L); a22.intoArray(row, o + 2 * L); a23.intoArray(row, o + 3 * L);
        o += rowStep;
        a30.intoArray(row, o); a31.intoArray(row, o + L); a32.intoArray(row, o + 2 * L); a33.intoArray(row, o + 3 * L);
    }

    /** 4 positions x 2 vectors: 8 accumulators. */
    static void r4c2(float[] x, int xBase, int[] xOff, float[] w, int[] wOff, int entries, int cin, int xStep,
            float[] row, int rowOff, int rowStep) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int e = 0; e < entries; e++) {
            int x0 = xBase + xOff[e];
            int w0i = wOff[e];
            for (int c = 0; c < cin; c++) {
                // Indices as linear functions of c, so C2 can hoist the range checks out of the loop.
                int xi = x0 + c;
                int wi = w0i + c * 2 * L;
                FloatVector w0 = FloatVector.fromArray(S, w, wi);
                FloatVector w1 = FloatVector.fromArray(S, w, wi + L);
                FloatVector v = FloatVector.broadcast(S, x[xi]);
                a00 = v.fma(w0, a00); a01 = v.fma(w1, a01);
                v = FloatVector.broadcast(S, x[xi + xStep]);
                a10 = v.fma(w0, a10); a11 = v.fma(w1, a11);
                v = FloatVector.broadcast(S, x[xi + 2 * xStep]);
                a20 = v.fma(w0, a20); a21 = v.fma(w1, a21);
                v = FloatVector.broadcast(S, x[xi + 3 * xStep]);
                a30 = v.fma(w0, a30); a31 = v.fma(w1, a31);
            }
        }
        int o = rowOff;
        a00.intoArray(row, o); a01.intoArray(row, o + L);
        o += rowStep;
        a10.intoArray(row, o); a11.intoArray(row, o + L);
        o += rowStep;
        a20.intoArray(row, o); a21.intoArray(row, o + L);
        o += rowStep;
        a30.intoArray(row, o); a31.intoArray(row, o + L);
    }

    /** 8 positions x 1 vector: 8 accumulators. */
    static void r8c1(float[] x, int xBase, int[] xOff, float[] w, int[] wOff, int entries, int cin, int xStep,
            float[] row, int rowOff, int rowStep) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int e = 0; e < entries; e++) {
            int x0 = xBase + xOff[e];
            int w0i = wOff[e];
            for (int c = 0; c < cin; c++) {
                // Indices as linear functions of c, so C2 can hoist the range checks out of the loop.
                int xi = x0 + c;
                int wi = w0i + c * L;
                FloatVector w0 = FloatVector.fromArray(S, w, wi);
                a0 = FloatVector.broadcast(S, x[xi]).fma(w0, a0);
                a1 = FloatVector.broadcast(S, x[xi + xStep]).fma(w0, a1);
                a2 = FloatVector.broadcast(S, x[xi + 2 * xStep]).fma(w0, a2);
                a3 = FloatVector.broadcast(S, x[xi + 3 * xStep]).fma(w0, a3);
                a4 = FloatVector.broadcast(S, x[xi + 4 * xStep]).fma(w0, a4);
                a5 = FloatVector.broadcast(S, x[xi + 5 * xStep]).fma(w0, a5);
                a6 = FloatVector.broadcast(S, x[xi + 6 * xStep]).fma(w0, a6);
                a7 = FloatVector.broadcast(S, x[xi + 7 * xStep]).fma(w0, a7);
            }
        }
        a0.intoArray(row, rowOff);
        a1.intoArray(row, rowOff + rowStep);
        a2.intoArray(row, rowOff + 2 * rowStep);
        a3.intoArray(row, rowOff + 3 * rowStep);
        a4.intoArray(row, rowOff + 4 * rowStep);
        a5.intoArray(row, rowOff + 5 * rowStep);
        a6.intoArray(row, rowOff + 6 * rowStep);
        a7.intoArray(row, rowOff + 7 * rowStep);
    }
}
