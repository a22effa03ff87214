package org.deconv3d;

/**
 * An ordinary strided, dilated, grouped conv3d written independently of the library's kernels: the operator whose
 * adjoint a transposed convolution is. It maps an array shaped like the problem's output to one shaped like its
 * input: {@code C(y)[n, ci, i] = sum over t, co in ci's group of y[n, co, i*s + t*d - pad] * w[ci, co, t]}.
 */
final class PlainConv3d {

    private PlainConv3d() {
    }

    static double[] forward(Deconv3dProblem p, float[] y, float[] w) {
        int[] xs = p.inputSize();
        int[] os = p.outputSize();
        int[] k = p.kernel();
        int[] s = p.stride();
        int[] d = p.dilation();
        int[] pad = p.padBefore();
        int cinG = p.inChannelsPerGroup();
        int coutG = p.outChannelsPerGroup();
        double[] out = new double[p.inputLength()];
        for (int n = 0; n < p.batch(); n++)
            for (int ci = 0; ci < p.inChannels(); ci++)
                for (int i0 = 0; i0 < xs[0]; i0++)
                    for (int i1 = 0; i1 < xs[1]; i1++)
                        for (int i2 = 0; i2 < xs[2]; i2++) {
                            double sum = 0;
                            for (int t0 = 0; t0 < k[0]; t0++)
                                for (int t1 = 0; t1 < k[1]; t1++)
                                    for (int t2 = 0; t2 < k[2]; t2++) {
                                        int o0 = i0 * s[0] + t0 * d[0] - pad[0];
                                        int o1 = i1 * s[1] + t1 * d[1] - pad[1];
                                        int o2 = i2 * s[2] + t2 * d[2] - pad[2];
                                        if (o0 < 0 || o0 >= os[0] || o1 < 0 || o1 >= os[1] || o2 < 0 || o2 >= os[2])
                                            continue;
                                        for (int c = 0; c < coutG; c++) {
                                            int co = (ci / cinG) * coutG + c;
                                            sum += (double) y[p.outputIndex(n, co, o0, o1, o2)]
                                                    * w[p.filterIndex(ci, c, t0, t1, t2)];
                                        }
                                    }
                            out[p.inputIndex(n, ci, i0, i1, i2)] = sum;
                        }
        return out;
    }
}
