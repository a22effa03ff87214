package org.deconv3d.reference;

import org.deconv3d.Deconv3dProblem;

/**
 * The specification of the operation, as loops anyone can check by eye. Every other backend is tested against it.
 *
 * <p>Per spatial axis an input position {@code i} and tap {@code t} reach output position
 * {@code o = i*s + t*d - padBefore}. This kernel gathers: for each output element it finds, per tap, the one input
 * position that reaches it ({@code i = (o + padBefore - t*d) / s} when that divides exactly and lies in the input),
 * sums {@code x * w} in double over those taps and over the input channels of the output channel's group, adds the
 * bias and applies the activation.
 */
public final class ReferenceKernel {

    private ReferenceKernel() {
    }

    /** Writes every element of {@code y}; arguments must already be checked against {@code p}. */
    public static void compute(Deconv3dProblem p, float[] x, float[] w, float[] bias, float[] y) {
        compute(p, x, 0, w, bias, y, 0, p.batch());
    }

    /**
     * Computes {@code batch} samples from {@code x[xOffset...]} into {@code y[yOffset...]}; arguments must already be
     * checked ({@link Deconv3dProblem#requireRunArguments(float[], int, float[], int, int)}).
     */
    public static void compute(Deconv3dProblem p, float[] x, int xOffset, float[] w, float[] bias, float[] y,
            int yOffset, int batch) {
        int[] xs = p.inputSize();
        int[] os = p.outputSize();
        int[] k = p.kernel();
        int[] s = p.stride();
        int[] d = p.dilation();
        int[] pad = p.padBefore();
        int cinPerGroup = p.inChannelsPerGroup();
        int coutPerGroup = p.outChannelsPerGroup();

        for (int n = 0; n < batch; n++) {
            for (int co = 0; co < p.outChannels(); co++) {
                int group = co / coutPerGroup;
                int coInGroup = co % coutPerGroup;
                for (int od = 0; od < os[0]; od++) {
                    for (int oh = 0; oh < os[1]; oh++) {
                        for (int ow = 0; ow < os[2]; ow++) {
                            double sum = bias == null ? 0.0 : bias[co];
                            for (int td = 0; td < k[0]; td++) {
                                int id = source(od, td, s[0], d[0], pad[0], xs[0]);
                                if (id < 0) continue;
                                for (int th = 0; th < k[1]; th++) {
                                    int ih = source(oh, th, s[1], d[1], pad[1], xs[1]);
                                    if (ih < 0) continue;
                                    for (int tw = 0; tw < k[2]; tw++) {
                                        int iw = source(ow, tw, s[2], d[2], pad[2], xs[2]);
                                        if (iw < 0) continue;
                                        for (int c = 0; c < cinPerGroup; c++) {
                                            int ci = group * cinPerGroup + c;
                                            sum += (double) x[xOffset + p.inputIndex(n, ci, id, ih, iw)]
                                                    * w[p.filterIndex(ci, coInGroup, td, th, tw)];
                                        }
                                    }
                                }
                            }
                            y[yOffset + p.outputIndex(n, co, od, oh, ow)] = (float) p.activation().apply(sum);
                        }
                    }
                }
            }
        }
    }

    /** The input position that tap {@code t} maps onto output {@code o}, or -1 when none does. */
    private static int source(int o, int t, int s, int d, int pad, int inputSize) {
        long num = (long) o + pad - (long) t * d; // long: o + pad alone can pass Integer.MAX_VALUE
        if (num < 0 || num % s != 0) {
            return -1;
        }
        long i = num / s;
        return i < inputSize ? (int) i : -1;
    }
}
