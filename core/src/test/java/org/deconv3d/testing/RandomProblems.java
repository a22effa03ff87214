package org.deconv3d.testing;

import java.util.Random;
import org.deconv3d.Activation;
import org.deconv3d.AutoPad;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;
import org.deconv3d.Padding;
import org.deconv3d.ShapeRules;
import org.deconv3d.SizeRange;

/**
 * Random valid problems with the awkward cases over-represented: stride greater than kernel, kernel greater than
 * input, dilation 1 to 3, groups, output_padding, asymmetric SAME padding, odd sizes, batch 1 and 2, 1-channel,
 * channel counts below, at and above a 16-lane vector and not multiples of it, bias and every activation, both
 * conventions and both data layouts. Sizes are kept small enough for the reference kernel to be quick.
 */
public final class RandomProblems {

    private static final int[] CHANNELS = {1, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 24, 31, 32, 33, 40};
    private static final long WORK_BUDGET = 400_000; // multiply-adds of the reference, per case

    private RandomProblems() {
    }

    /**
     * The case drawn from {@code seed}: the same seed always gives the same case. Even seeds get small-integer data
     * (sums exact in fp32, compared exactly), odd seeds random floats (compared with a tolerance). A problem whose
     * reference output would be mostly zeros (it would test nothing) is redrawn from the same stream.
     */
    public static Case draw(long seed) {
        Random r = new Random(seed);
        boolean integers = (seed & 1) == 0;
        while (true) {
            Deconv3dProblem p = problem(r);
            if (work(p) > WORK_BUDGET) {
                continue;
            }
            boolean withBias = r.nextBoolean();
            float[] x = integers ? smallIntegers(r, p.inputLength()) : values(r, p.inputLength());
            float[] w = integers ? smallIntegers(r, p.filterLength()) : values(r, p.filterLength());
            float[] b = !withBias ? null : integers ? smallIntegers(r, p.outChannels()) : values(r, p.outChannels());
            Case c = new Case(seed, p, x, w, b, integers, "RandomProblems.draw(" + seed + "L)");
            if (CrossCheck.zeroFraction(CrossCheck.reference(c)) <= CrossCheck.MAX_ZERO_FRACTION) {
                return c;
            }
        }
    }

    /** Reference multiply-adds: outputs times the taps and channels each one visits. */
    public static long work(Deconv3dProblem p) {
        int[] k = p.kernel();
        return (long) p.outputLength() * k[0] * k[1] * k[2] * p.inChannelsPerGroup() + p.outputLength();
    }

    private static Deconv3dProblem problem(Random r) {
        int groups = r.nextInt(4) == 0 ? 2 + r.nextInt(3) : 1;
        int cinPerGroup = pick(r, CHANNELS);
        int coutPerGroup = pick(r, CHANNELS);
        int batch = r.nextInt(3) == 0 ? 2 : 1;
        int[] x = new int[3];
        int[] k = new int[3];
        int[] s = new int[3];
        int[] d = new int[3];
        for (int a = 0; a < 3; a++) {
            x[a] = 1 + r.nextInt(r.nextInt(4) == 0 ? 9 : 5);
            k[a] = 1 + r.nextInt(r.nextInt(3) == 0 ? 6 : 4);
            s[a] = 1 + r.nextInt(r.nextInt(4) == 0 ? 6 : 3);
            d[a] = r.nextInt(4) == 0 ? 2 + r.nextInt(2) : 1;
        }
        Activation act = activation(r);
        int cin = cinPerGroup * groups;
        if (r.nextBoolean()) {
            Padding padding = r.nextBoolean() ? Padding.SAME : Padding.VALID;
            Layout layout = r.nextInt(3) == 0 ? Layout.NCDHW : Layout.NDHWC;
            int[] o = new int[3];
            for (int a = 0; a < 3; a++) {
                SizeRange valid = ShapeRules.tfValidOutputSizes(padding, x[a], k[a], s[a], d[a]);
                o[a] = valid.min() + r.nextInt(valid.max() - valid.min() + 1);
            }
            int[] in = layout == Layout.NDHWC ? new int[] {batch, x[0], x[1], x[2], cin}
                    : new int[] {batch, cin, x[0], x[1], x[2]};
            int cout = coutPerGroup * groups;
            int[] out = layout == Layout.NDHWC ? new int[] {batch, o[0], o[1], o[2], cout}
                    : new int[] {batch, cout, o[0], o[1], o[2]};
            return Deconv3dProblem.tensorflow(in, new int[] {k[0], k[1], k[2], coutPerGroup, cin})
                    .strides(s).dilations(d).padding(padding).outputShape(out).groups(groups).dataFormat(layout)
                    .activation(act).build();
        }
        if (r.nextInt(3) == 0) {
            return onnx(r, batch, cin, coutPerGroup, groups, x, k, s, d, act);
        }
        int[] p = new int[3];
        int[] op = new int[3];
        for (int a = 0; a < 3; a++) {
            int full = (x[a] - 1) * s[a] + (k[a] - 1) * d[a] + 1;
            op[a] = r.nextInt(Math.max(s[a], d[a]));
            p[a] = r.nextInt(3) == 0 ? 0 : r.nextInt(Math.max(1, (full + op[a] + 1) / 2));
        }
        return Deconv3dProblem.pytorch(new int[] {batch, cin, x[0], x[1], x[2]},
                        new int[] {cin, coutPerGroup, k[0], k[1], k[2]})
                .stride(s).padding(p).outputPadding(op).dilation(d).groups(groups).activation(act).build();
    }

    /** An ONNX problem: every auto_pad mode, explicit pads or an output_shape, output_padding. */
    private static Deconv3dProblem onnx(Random r, int batch, int cin, int coutPerGroup, int groups, int[] x, int[] k,
            int[] s, int[] d, Activation act) {
        return onnxAttributes(r, batch, cin, coutPerGroup, groups, x, k, s, d, act).problem();
    }

    /**
     * ONNX attributes drawn from {@code seed} (every auto_pad mode, pads or output_shape given or not, groups,
     * dilation, output_padding, an activation), of a size the reference computes quickly; the same seed always
     * gives the same attributes. For conformance tests that give them to ONNX Runtime as they are.
     */
    public static OnnxAttributes onnxAttributes(long seed) {
        Random r = new Random(seed);
        while (true) {
            int groups = r.nextInt(4) == 0 ? 2 + r.nextInt(2) : 1;
            int cin = pick(r, CHANNELS) * groups;
            int coutPerGroup = pick(r, CHANNELS);
            int[] x = new int[3];
            int[] k = new int[3];
            int[] s = new int[3];
            int[] d = new int[3];
            for (int a = 0; a < 3; a++) {
                x[a] = 1 + r.nextInt(6);
                k[a] = 1 + r.nextInt(4);
                s[a] = 1 + r.nextInt(3);
                d[a] = r.nextInt(4) == 0 ? 2 : 1;
            }
            OnnxAttributes attributes = onnxAttributes(r, 1 + r.nextInt(2), cin, coutPerGroup, groups, x, k, s, d,
                    activation(r));
            try {
                if (work(attributes.problem()) <= WORK_BUDGET) {
                    return attributes;
                }
            } catch (IllegalArgumentException invalid) {
                // e.g. an output_shape that gives negative pads: draw again from the same stream
            }
        }
    }

    private static OnnxAttributes onnxAttributes(Random r, int batch, int cin, int coutPerGroup, int groups, int[] x,
            int[] k, int[] s, int[] d, Activation act) {
        AutoPad mode = AutoPad.values()[r.nextInt(4)];
        int[] op = new int[3];
        int[] pads = new int[6];
        int[] o = new int[3];
        boolean giveOutput = mode != AutoPad.VALID && r.nextBoolean();
        for (int a = 0; a < 3; a++) {
            int full = (x[a] - 1) * s[a] + (k[a] - 1) * d[a] + 1;
            op[a] = r.nextInt(Math.max(s[a], d[a]));
            int room = full + op[a] - 1; // pads may remove all but one output
            pads[a] = r.nextInt(Math.max(1, room / 2 + 1));
            pads[a + 3] = r.nextInt(Math.max(1, room - pads[a] + 1));
            o[a] = 1 + r.nextInt(full + op[a]);
        }
        return new OnnxAttributes(new int[] {batch, cin, x[0], x[1], x[2]},
                new int[] {cin, coutPerGroup, k[0], k[1], k[2]}, mode, s, d,
                mode == AutoPad.NOTSET && !giveOutput ? pads : null, op, giveOutput ? o : null, groups, act);
    }

    private static Activation activation(Random r) {
        switch (r.nextInt(8)) {
            case 0: return Activation.RELU;
            case 1: return Activation.leakyRelu(0.125f + r.nextFloat());
            case 2: return Activation.SIGMOID;
            case 3: return Activation.TANH;
            default: return Activation.NONE;
        }
    }

    private static int pick(Random r, int[] from) {
        return from[r.nextInt(from.length)];
    }

    /** Integers in -3..3 (never all zero): products and sums stay exact in fp32 for every problem drawn here. */
    public static float[] smallIntegers(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(7) - 3;
        }
        if (n > 0 && v[0] == 0f) {
            v[0] = 1f;
        }
        return v;
    }

    /** Uniform values in [-1, 1), with at least one nonzero. */
    public static float[] values(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        if (n > 0 && v[0] == 0f) {
            v[0] = 0.5f;
        }
        return v;
    }
}
