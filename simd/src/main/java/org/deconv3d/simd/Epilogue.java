package org.deconv3d.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.deconv3d.Activation;
import org.deconv3d.AxisPhases;
import org.deconv3d.Layout;

/**
 * The last step of every output: add the bias, apply the activation, store in the problem's layout. Also writes
 * the outputs that no tap reaches (bias and activation alone). The activation is computed in float, lane for lane
 * the same in the vector and scalar paths; see {@link #activate}.
 */
final class Epilogue {

    private static final VectorSpecies<Float> S = SimdKernel.S;
    private static final int L = SimdKernel.L;

    private final Schedule s;
    private final float[] bias;
    private final Activation activation;
    private final int vectorsPerGroupFloats;
    /** act(bias[co]) per output channel: the value of every output no tap reaches. */
    private final float[] bare;

    Epilogue(Schedule schedule, PackedWeights weights, float[] bias) {
        this.s = schedule;
        this.bias = bias;
        this.activation = schedule.problem.activation();
        this.vectorsPerGroupFloats = weights.vectorsPerGroup * weights.lanes;
        bare = new float[schedule.cout];
        for (int co = 0; co < bare.length; co++) {
            bare[co] = activate(bias == null ? 0f : bias[co], activation);
        }
    }

    /**
     * Stores one output row of a phase from the row buffer: {@code jwCount} positions starting at output width
     * {@code cw}, {@code stride} apart, at depth {@code od} and height {@code oh} of the sample at {@code y[yBase...]}.
     */
    void storeRow(float[] row, int rowBase, float[] y, int yBase, int od, int oh, int cw, int jwCount) {
        int[] o = s.outputSize;
        int sw = s.axes[2].stride();
        int cout = s.cout;
        int coutPerGroup = s.coutPerGroup;
        boolean channelsLast = s.problem.layout() == Layout.NDHWC;
        int rowStart;
        int owStep;
        int coStep;
        if (channelsLast) {
            rowStart = yBase + ((od * o[1] + oh) * o[2] + cw) * cout;
            owStep = sw * cout;
            coStep = 1;
        } else {
            rowStart = yBase + (od * o[1] + oh) * o[2] + cw;
            owStep = sw;
            coStep = o[0] * o[1] * o[2];
        }
        if (!channelsLast) {
            storeChannelsFirst(row, rowBase, y, rowStart, owStep, coStep, jwCount);
            return;
        }
        for (int jw = 0; jw < jwCount; jw++) {
            int src = rowBase + jw * s.rowStride;
            int dst = rowStart + jw * owStep;
            for (int g = 0; g < s.groups; g++) {
                int co0 = g * coutPerGroup;
                finish(row, src + g * vectorsPerGroupFloats, co0, y, dst + co0, coutPerGroup);
            }
        }
    }

    /**
     * The row into NCDHW: channel by channel, so each channel's output row is written front to back (a few cache
     * lines) instead of one float into each of Cout planes per position, which missed the cache on every store.
     */
    private void storeChannelsFirst(float[] row, int rowBase, float[] y, int rowStart, int owStep, int coStep,
            int jwCount) {
        int rowStride = s.rowStride;
        int coutPerGroup = s.coutPerGroup;
        for (int g = 0; g < s.groups; g++) {
            int co0 = g * coutPerGroup;
            int from = rowBase + g * vectorsPerGroupFloats;
            for (int c = 0; c < coutPerGroup; c++) {
                float b = bias == null ? 0f : bias[co0 + c];
                int dst = rowStart + (co0 + c) * coStep;
                int src = from + c;
                for (int jw = 0; jw < jwCount; jw++) {
                    float v = row[src + jw * rowStride];
                    y[dst + jw * owStep] = activate(bias == null ? v : v + b, activation);
                }
            }
        }
    }

    /**
     * Fill item {@code item} = output row (od, oh) of the sample at {@code y[yBase...]}: writes act(bias) to each of
     * its outputs that no tap reaches (the whole row when its depth or height phase has no taps, else the width
     * positions whose phase has none).
     */
    void fillBareRow(float[] y, int yBase, int item) {
        int[] o = s.outputSize;
        int oh = item % o[1];
        int od = item / o[1];
        AxisPhases ad = s.axes[0], ah = s.axes[1], aw = s.axes[2];
        boolean wholeRow = ad.tapCount(od % ad.stride()) == 0 || ah.tapCount(oh % ah.stride()) == 0;
        for (int cw = 0; cw < aw.count(); cw++) {
            if (!wholeRow && aw.tapCount(cw) > 0) {
                continue;
            }
            for (int ow = cw; ow < o[2]; ow += aw.stride()) {
                writeBare(y, yBase, od, oh, ow);
            }
        }
    }

    private void writeBare(float[] y, int yBase, int od, int oh, int ow) {
        int[] o = s.outputSize;
        int cout = s.cout;
        if (s.problem.layout() == Layout.NDHWC) {
            System.arraycopy(bare, 0, y, yBase + ((od * o[1] + oh) * o[2] + ow) * cout, cout);
        } else {
            int volume = o[0] * o[1] * o[2];
            int at = yBase + (od * o[1] + oh) * o[2] + ow;
            for (int co = 0; co < cout; co++) {
                y[at + co * volume] = bare[co];
            }
        }
    }

    /**
     * Adds the bias and applies the activation to {@code count} contiguous sums, writing contiguous outputs
     * (channels-last). Sigmoid and tanh have no fast vector form on every JDK, so they stay scalar.
     */
    private void finish(float[] row, int from, int biasFrom, float[] y, int to, int count) {
        Activation.Kind kind = activation.kind();
        int c = 0;
        if (kind == Activation.Kind.NONE || kind == Activation.Kind.RELU || kind == Activation.Kind.LEAKY_RELU) {
            FloatVector zero = FloatVector.zero(S);
            float slope = activation.slope();
            for (; c <= count - L; c += L) {
                FloatVector v = FloatVector.fromArray(S, row, from + c);
                if (bias != null) {
                    v = v.add(FloatVector.fromArray(S, bias, biasFrom + c));
                }
                if (kind != Activation.Kind.NONE) {
                    // Not v * 0 for relu: -Inf * 0 would be NaN where the reference gives 0.
                    VectorMask<Float> negative = v.lt(zero);
                    v = v.blend(kind == Activation.Kind.RELU ? zero : v.mul(slope), negative);
                }
                v.intoArray(y, to + c);
            }
        }
        for (; c < count; c++) {
            float v = row[from + c];
            if (bias != null) {
                v += bias[biasFrom + c];
            }
            y[to + c] = activate(v, activation);
        }
    }

    /** The scalar activation, in float, matching the vector path lane for lane. */
    static float activate(float v, Activation activation) {
        switch (activation.kind()) {
            case RELU: return v < 0 ? 0f : v;
            case LEAKY_RELU: return v < 0 ? v * activation.slope() : v;
            case SIGMOID: return (float) (1.0 / (1.0 + Math.exp(-v)));
            case TANH: return (float) Math.tanh(v);
            default: return v;
        }
    }
}
