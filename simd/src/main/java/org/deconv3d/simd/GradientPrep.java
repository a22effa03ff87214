package org.deconv3d.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.deconv3d.Activation;

/**
 * The gradients' preparation stage, one output row {@code (n, od, oh)} per item: computes
 * {@code g = dy * act'(y)} (from the saved output; {@code dy} itself without an activation), stores the row into
 * the padded copy where an input reaches it (see {@link GradientGeometry}), and, when asked, the row's sum per
 * output channel for the bias gradient (every output counts there, reached or not).
 */
final class GradientPrep {

    private final GradientGeometry geo;
    private final Activation act;

    GradientPrep(GradientGeometry geo) {
        this.geo = geo;
        this.act = geo.problem.activation();
    }

    /**
     * Row {@code item} of the chunk whose first sample is sample {@code n0} of {@code dy}/{@code y}; the padded copy
     * {@code gp} holds the chunk only, and is not written when {@code store} is false. {@code rowSums} (null when not
     * wanted) gets {@code cout} floats per item.
     */
    void row(float[] dy, float[] y, int n0, float[] gp, boolean store, float[] rowSums, int item) {
        int[] out = geo.out;
        int oh = item % out[1];
        int od = item / out[1] % out[0];
        if (!store && geo.fusedBias && geo.biasTap[od] >= 0) {
            return; // the filter gradient sums this row
        }
        int n = item / (out[1] * out[0]);
        row(dy, y, n0 + n, gp, n, store, rowSums, item * geo.problem.outChannels(), od, oh);
    }

    /**
     * Output row {@code r} (depth-major) of sample {@code sample} of {@code dy}/{@code y} into sample slot
     * {@code slot} of the padded copy {@code gp} (a worker's own slot, {@link GradientGeometry#inputBySample}).
     */
    void copyRow(float[] dy, float[] y, int sample, float[] gp, int slot, int r) {
        row(dy, y, sample, gp, slot, true, null, 0, r / geo.out[1], r % geo.out[1]);
    }

    private void row(float[] dy, float[] y, int sample, float[] gp, int slot, boolean store, float[] rowSums,
            int sumsAt, int od, int oh) {
        int[] out = geo.out;
        int qd = od + geo.pad[0];
        int qh = oh + geo.pad[1];
        int cout = geo.problem.outChannels();
        int ow0 = Math.max(0, -geo.pad[2]);
        int ow1 = Math.min(out[2], geo.q[2] - geo.pad[2]);
        boolean stored = store && qd >= 0 && qd < geo.q[0] && qh >= 0 && qh < geo.q[1] && ow0 < ow1;
        int dst = stored ? geo.padded(slot, qd, qh, 0) : 0;
        int cs = geo.channelStride;
        if (geo.channelsLast()) {
            int src = ((sample * out[0] + od) * out[1] + oh) * out[2] * cout;
            if (stored && geo.gradOutputAsIs) { // one run per row copies as is
                System.arraycopy(dy, src + ow0 * cout, gp, dst + (ow0 + geo.pad[2]) * cs, (ow1 - ow0) * cout);
            } else if (stored) {
                for (int ow = ow0; ow < ow1; ow++) {
                    int from = src + ow * cout;
                    int to = dst + (ow + geo.pad[2]) * cs;
                    for (int co = 0; co < cout; co++) {
                        gp[to + slot(co)] = g(dy, y, from + co);
                    }
                }
            }
            if (rowSums != null && act.kind() == Activation.Kind.NONE) {
                sumRow(dy, src, out[2], cout, rowSums, sumsAt);
            } else if (rowSums != null) {
                int at = sumsAt;
                java.util.Arrays.fill(rowSums, at, at + cout, 0f);
                for (int ow = 0; ow < out[2]; ow++) {
                    int from = src + ow * cout;
                    for (int co = 0; co < cout; co++) {
                        rowSums[at + co] += g(dy, y, from + co);
                    }
                }
            }
            return;
        }
        int plane = out[0] * out[1] * out[2];
        int rowStart = (od * out[1] + oh) * out[2];
        for (int co = 0; co < cout; co++) {
            int from = (sample * cout + co) * plane + rowStart;
            float sum = 0f;
            if (stored) {
                int to = dst + slot(co) + geo.pad[2] * cs;
                for (int ow = ow0; ow < ow1; ow++) {
                    gp[to + ow * cs] = g(dy, y, from + ow);
                }
            }
            if (rowSums != null) {
                for (int ow = 0; ow < out[2]; ow++) {
                    sum += g(dy, y, from + ow);
                }
                rowSums[sumsAt + co] = sum;
            }
        }
    }

    /** {@code sums[at + co] = sum over w of v[from + w*cout + co]}, w in order, a vector of channels at a time. */
    static void sumRow(float[] v, int from, int width, int cout, float[] sums, int at) {
        VectorSpecies<Float> species = SimdKernel.S;
        for (int cb = 0; cb < cout; cb += species.length()) {
            VectorMask<Float> m = species.indexInRange(cb, cout);
            FloatVector acc = FloatVector.zero(species);
            for (int w = 0; w < width; w++) {
                acc = acc.add(FloatVector.fromArray(species, v, from + w * cout + cb, m));
            }
            acc.intoArray(sums, at + cb, m);
        }
    }

    /** Where output channel {@code co} sits in a position of the padded copy. */
    private int slot(int co) {
        return co / geo.coutG * geo.coutPadG + co % geo.coutG;
    }

    private float g(float[] dy, float[] y, int j) {
        return act.kind() == Activation.Kind.NONE ? dy[j] : (float) (dy[j] * act.derivativeFromOutput(y[j]));
    }
}
