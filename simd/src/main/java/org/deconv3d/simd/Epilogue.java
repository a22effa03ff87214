package org.deconv3d.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.deconv3d.Activation;
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
    /**
     * Per output width {@code ow}: where its sums sit in the row buffer (section and position), so an NCDHW row
     * of one channel is read with gathers; null when some width phase is bare or the activation is scalar-only.
     */
    private final int[] widthGather;

    Epilogue(Schedule schedule, PackedWeights weights, float[] bias) {
        this.s = schedule;
        this.bias = bias;
        this.activation = schedule.problem.activation();
        this.vectorsPerGroupFloats = weights.vectorsPerGroup * weights.lanes;
        bare = new float[schedule.cout];
        for (int co = 0; co < bare.length; co++) {
            bare[co] = activate(bias == null ? 0f : bias[co], activation);
        }
        widthGather = schedule.problem.layout() == Layout.NCDHW && vectorActivation(activation.kind())
                ? widthGather(schedule) : null;
    }

    private static int[] widthGather(Schedule s) {
        int width = s.outputSize[2];
        int phases = s.axes[2].count();
        int[] at = new int[Schedule.roundUp(width, L)]; // the tail's lanes read position 0, then are dropped
        for (int ow = 0; ow < width; ow++) {
            int section = s.widthSection[ow % phases];
            if (section < 0) {
                return null;
            }
            at[ow] = section * s.sectionFloats + ow / phases * s.rowStride;
        }
        return at;
    }

    private static boolean vectorActivation(Activation.Kind kind) {
        return kind == Activation.Kind.NONE || kind == Activation.Kind.RELU || kind == Activation.Kind.LEAKY_RELU;
    }

    /**
     * Stores output row (od, oh) of the sample at {@code y[yBase...]} front to back from the row buffer at
     * {@code rowBase}: output width {@code ow} is position {@code ow / stride} of width phase {@code ow % stride},
     * in that phase's section; a width phase that no tap reaches gets act(bias).
     */
    void storeRow(float[] row, int rowBase, float[] y, int yBase, int od, int oh) {
        int[] o = s.outputSize;
        if (s.problem.layout() == Layout.NDHWC) {
            storeChannelsLast(row, rowBase, y, yBase + (od * o[1] + oh) * o[2] * s.cout);
        } else {
            storeChannelsFirst(row, rowBase, y, yBase + (od * o[1] + oh) * o[2], o[0] * o[1] * o[2]);
        }
    }

    private void storeChannelsLast(float[] row, int rowBase, float[] y, int rowStart) {
        int width = s.outputSize[2];
        int phases = s.axes[2].count(); // min(stride, width): ow = jw * stride + cw runs front to back
        int cout = s.cout;
        int coutPerGroup = s.coutPerGroup;
        for (int jw = 0, ow = 0; ow < width; jw++) {
            for (int cw = 0; cw < phases && ow < width; cw++, ow++) {
                int dst = rowStart + ow * cout;
                int section = s.widthSection[cw];
                if (section < 0) {
                    System.arraycopy(bare, 0, y, dst, cout);
                    continue;
                }
                int src = rowBase + section * s.sectionFloats + jw * s.rowStride;
                for (int g = 0; g < s.groups; g++) {
                    int co0 = g * coutPerGroup;
                    finish(row, src + g * vectorsPerGroupFloats, co0, y, dst + co0, coutPerGroup);
                }
            }
        }
    }

    /**
     * The row into NCDHW: channel by channel, each channel's output row written front to back, instead of one
     * float into each of Cout planes per position (a cache miss per store); read from the row buffer with gathers
     * where {@link #widthGather} allows, else one float at a time.
     */
    private void storeChannelsFirst(float[] row, int rowBase, float[] y, int rowStart, int plane) {
        if (widthGather != null) {
            gatherChannelsFirst(row, rowBase, y, rowStart, plane);
            return;
        }
        int width = s.outputSize[2];
        int phases = s.axes[2].count();
        int sw = s.axes[2].stride();
        int rowStride = s.rowStride;
        int coutPerGroup = s.coutPerGroup;
        for (int g = 0; g < s.groups; g++) {
            int co0 = g * coutPerGroup;
            int from = rowBase + g * vectorsPerGroupFloats;
            for (int c = 0; c < coutPerGroup; c++) {
                int co = co0 + c;
                float b = bias == null ? 0f : bias[co];
                int dst = rowStart + co * plane;
                for (int cw = 0; cw < phases; cw++) {
                    int section = s.widthSection[cw];
                    if (section < 0) {
                        for (int ow = cw; ow < width; ow += sw) {
                            y[dst + ow] = bare[co];
                        }
                        continue;
                    }
                    int src = from + section * s.sectionFloats + c;
                    for (int ow = cw, jw = 0; ow < width; ow += sw, jw++) {
                        float v = row[src + jw * rowStride];
                        y[dst + ow] = activate(bias == null ? v : v + b, activation);
                    }
                }
            }
        }
    }

    private void gatherChannelsFirst(float[] row, int rowBase, float[] y, int rowStart, int plane) {
        int width = s.outputSize[2];
        int coutPerGroup = s.coutPerGroup;
        int[] at = widthGather;
        Activation.Kind kind = activation.kind();
        float slope = activation.slope();
        FloatVector zero = FloatVector.zero(S);
        for (int g = 0; g < s.groups; g++) {
            int co0 = g * coutPerGroup;
            int from = rowBase + g * vectorsPerGroupFloats;
            for (int c = 0; c < coutPerGroup; c++) {
                int co = co0 + c;
                float bc = bias == null ? 0f : bias[co];
                FloatVector b = FloatVector.broadcast(S, bc);
                int dst = rowStart + co * plane;
                int ow = 0;
                for (; ow <= width - L; ow += L) {
                    FloatVector v = FloatVector.fromArray(S, row, from + c, at, ow);
                    if (bias != null) {
                        v = v.add(b);
                    }
                    if (kind != Activation.Kind.NONE) {
                        v = v.blend(kind == Activation.Kind.RELU ? zero : v.mul(slope), v.lt(zero));
                    }
                    v.intoArray(y, dst + ow);
                }
                for (; ow < width; ow++) {
                    float v = row[from + c + at[ow]];
                    y[dst + ow] = activate(bias == null ? v : v + bc, activation);
                }
            }
        }
    }

    /**
     * Fill item {@code item} = output row (od, oh) of the sample at {@code y[yBase...]}: writes act(bias) to the
     * whole row when no tap reaches it (its depth or height phase has none).
     */
    void fillBareRow(float[] y, int yBase, int item) {
        int[] o = s.outputSize;
        int oh = item % o[1];
        int od = item / o[1];
        if (!s.bareRow(od, oh)) {
            return; // a compute item stores this row, its bare width phases included
        }
        for (int ow = 0; ow < o[2]; ow++) {
            writeBare(y, yBase, od, oh, ow);
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
        if (vectorActivation(kind)) {
            float slope = activation.slope();
            FloatVector zero = FloatVector.zero(S);
            // The bias and activation written out here, not in a helper returning a vector: C2 inlines a helper
            // only where the profile says its call is frequent, and a vector that crosses a call it did not inline
            // becomes a heap object on every iteration (seen: a 25x slower JVM launch when a kernel's rarely
            // taken accumulator loads went through such a helper).
            for (; c <= count - L; c += L) {
                FloatVector v = FloatVector.fromArray(S, row, from + c);
                if (bias != null) {
                    v = v.add(FloatVector.fromArray(S, bias, biasFrom + c));
                }
                if (kind != Activation.Kind.NONE) {
                    // Not v * 0 for relu: -Inf * 0 would be NaN where the reference gives 0.
                    v = v.blend(kind == Activation.Kind.RELU ? zero : v.mul(slope), v.lt(zero));
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
