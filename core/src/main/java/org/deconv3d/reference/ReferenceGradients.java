package org.deconv3d.reference;

import org.deconv3d.Activation;
import org.deconv3d.AxisPhases;
import org.deconv3d.Deconv3dProblem;

/**
 * The specification of the gradients, as loops anyone can check by eye, for {@code y = act(T(x; w) + b)}.
 *
 * <p>Every pair of an input position {@code i} and a tap {@code t} reaches (per spatial axis) the output position
 * {@code o = i*s + t*d - padBefore}, kept when {@code 0 <= o < O}: the forward kernel sums {@code x[i] * w[t]} into
 * {@code y[o]}. With {@code g = dy * act'(y)} (the gradient before the activation, from the saved output):
 * <ul>
 *   <li>{@code dx[n, ci, i] = sum over t and the output channels co of ci's group of w[ci, co, t] * g[n, co, o]}:
 *       a strided convolution of {@code g}, what {@code tf.nn.conv3d(g, w, strides, padding)} computes;</li>
 *   <li>{@code dw[ci, co, t] = sum over n and i of x[n, ci, i] * g[n, co, o]}, in the problem's filter layout;</li>
 *   <li>{@code db[co] = sum over n and o of g[n, co, o]}.</li>
 * </ul>
 * All sums in double, in a fixed order.
 */
public final class ReferenceGradients {

    private ReferenceGradients() {
    }

    /**
     * {@code dy * act'(y)} for every output element, in double: the gradient at the activation's input. With no
     * activation {@code y} is not read (and may be null).
     */
    public static double[] beforeActivation(Deconv3dProblem p, float[] dy, int dyOffset, float[] y, int yOffset,
            int batch) {
        int n = batch * p.outputLengthPerSample();
        double[] g = new double[n];
        Activation act = p.activation();
        for (int j = 0; j < n; j++) {
            g[j] = act.kind() == Activation.Kind.NONE ? dy[dyOffset + j]
                    : dy[dyOffset + j] * act.derivativeFromOutput(y[yOffset + j]);
        }
        return g;
    }

    /** Writes every element of {@code dx[dxOffset ...]} for {@code batch} samples; arguments already checked. */
    public static void inputGradient(Deconv3dProblem p, double[] g, float[] w, float[] dx, int dxOffset, int batch) {
        int[] xs = p.inputSize();
        int[] os = p.outputSize();
        int[] k = p.kernel();
        int[] s = p.stride();
        int[] d = p.dilation();
        int[] pad = p.padBefore();
        int cinPerGroup = p.inChannelsPerGroup();
        int coutPerGroup = p.outChannelsPerGroup();
        for (int n = 0; n < batch; n++) {
            for (int ci = 0; ci < p.inChannels(); ci++) {
                int group = ci / cinPerGroup;
                for (int id = 0; id < xs[0]; id++) {
                    for (int ih = 0; ih < xs[1]; ih++) {
                        for (int iw = 0; iw < xs[2]; iw++) {
                            double sum = 0;
                            for (int td = 0; td < k[0]; td++) {
                                int od = AxisPhases.reached(id, td, s[0], d[0], pad[0], os[0]);
                                if (od < 0) continue;
                                for (int th = 0; th < k[1]; th++) {
                                    int oh = AxisPhases.reached(ih, th, s[1], d[1], pad[1], os[1]);
                                    if (oh < 0) continue;
                                    for (int tw = 0; tw < k[2]; tw++) {
                                        int ow = AxisPhases.reached(iw, tw, s[2], d[2], pad[2], os[2]);
                                        if (ow < 0) continue;
                                        for (int c = 0; c < coutPerGroup; c++) {
                                            int co = group * coutPerGroup + c;
                                            sum += g[p.outputIndex(n, co, od, oh, ow)]
                                                    * w[p.filterIndex(ci, c, td, th, tw)];
                                        }
                                    }
                                }
                            }
                            dx[dxOffset + p.inputIndex(n, ci, id, ih, iw)] = (float) sum;
                        }
                    }
                }
            }
        }
    }

    /**
     * Writes every element of {@code dw} (the problem's filter layout) and, unless null, of {@code db}, summing
     * over {@code batch} samples of {@code x[xOffset ...]}; arguments already checked.
     */
    public static void weightGradient(Deconv3dProblem p, float[] x, int xOffset, double[] g, float[] dw, float[] db,
            int batch) {
        int[] xs = p.inputSize();
        int[] os = p.outputSize();
        int[] k = p.kernel();
        int[] s = p.stride();
        int[] d = p.dilation();
        int[] pad = p.padBefore();
        int cinPerGroup = p.inChannelsPerGroup();
        int coutPerGroup = p.outChannelsPerGroup();
        for (int ci = 0; ci < p.inChannels(); ci++) {
            int group = ci / cinPerGroup;
            for (int c = 0; c < coutPerGroup; c++) {
                int co = group * coutPerGroup + c;
                for (int td = 0; td < k[0]; td++) {
                    for (int th = 0; th < k[1]; th++) {
                        for (int tw = 0; tw < k[2]; tw++) {
                            double sum = 0;
                            for (int n = 0; n < batch; n++) {
                                for (int id = 0; id < xs[0]; id++) {
                                    int od = AxisPhases.reached(id, td, s[0], d[0], pad[0], os[0]);
                                    if (od < 0) continue;
                                    for (int ih = 0; ih < xs[1]; ih++) {
                                        int oh = AxisPhases.reached(ih, th, s[1], d[1], pad[1], os[1]);
                                        if (oh < 0) continue;
                                        for (int iw = 0; iw < xs[2]; iw++) {
                                            int ow = AxisPhases.reached(iw, tw, s[2], d[2], pad[2], os[2]);
                                            if (ow < 0) continue;
                                            sum += (double) x[xOffset + p.inputIndex(n, ci, id, ih, iw)]
                                                    * g[p.outputIndex(n, co, od, oh, ow)];
                                        }
                                    }
                                }
                            }
                            dw[p.filterIndex(ci, c, td, th, tw)] = (float) sum;
                        }
                    }
                }
            }
        }
        if (db != null) {
            for (int co = 0; co < p.outChannels(); co++) {
                double sum = 0;
                for (int n = 0; n < batch; n++) {
                    for (int od = 0; od < os[0]; od++) {
                        for (int oh = 0; oh < os[1]; oh++) {
                            for (int ow = 0; ow < os[2]; ow++) {
                                sum += g[p.outputIndex(n, co, od, oh, ow)];
                            }
                        }
                    }
                }
                db[co] = (float) sum;
            }
        }
    }
}
