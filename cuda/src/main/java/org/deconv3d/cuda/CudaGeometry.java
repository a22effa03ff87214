package org.deconv3d.cuda;

import java.util.ArrayList;
import java.util.List;
import org.deconv3d.Activation;
import org.deconv3d.Axis;
import org.deconv3d.AxisPhases;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;

/**
 * Everything the kernel needs, computed on the host without touching CUDA: the geometry array (indices mirror
 * the {@code G_*} enum in {@code deconv3d.cu}), the weights packed {@code [group][tap][ci][co]}, and one launch per
 * phase. Kept apart from JCuda so that the CPU emulation test runs exactly what a GPU would be given.
 */
final class CudaGeometry {

    /** Positions and output channels per block, and the block's threads: as in deconv3d.cu. */
    static final int TILE_P = 64;
    static final int TILE_C = 64;
    static final int THREADS_X = 16;
    static final int THREADS_Y = 16;

    static final int G_N = 0, G_CIN = 1, G_COUT = 2, G_GROUPS = 3;
    static final int G_XD = 4, G_XH = 5, G_XW = 6, G_OD = 7, G_OH = 8, G_OW = 9;
    static final int G_KD = 10, G_KH = 11, G_KW = 12, G_SD = 13, G_SH = 14, G_SW = 15;
    static final int G_DD = 16, G_DH = 17, G_DW = 18, G_PD = 19, G_PH = 20, G_PW = 21;
    static final int G_ACTIVATION = 22, G_SLOPE_BITS = 23, G_HAS_BIAS = 24;
    static final int G_COUNT = 25;

    /**
     * One kernel launch: the grid, and the phase with its position counts.
     *
     * @param gridX  blocks over (n, jd, tiles of the (jh, jw) positions)
     * @param gridY  blocks over output-channel tiles of a group
     * @param gridZ  groups
     * @param phase  {cd, ch, cw}
     * @param counts {jd_count, jh_count, jw_count, tiles}
     */
    record Launch(int gridX, int gridY, int gridZ, int[] phase, int[] counts) {
    }

    private CudaGeometry() {
    }

    static int[] geometry(Deconv3dProblem p, boolean hasBias) {
        int[] g = new int[G_COUNT];
        int[] x = p.inputSize(), o = p.outputSize(), k = p.kernel(), s = p.stride(), d = p.dilation();
        int[] pad = p.padBefore();
        g[G_N] = p.batch();
        g[G_CIN] = p.inChannels();
        g[G_COUT] = p.outChannels();
        g[G_GROUPS] = p.groups();
        for (int a = 0; a < 3; a++) {
            g[G_XD + a] = x[a];
            g[G_OD + a] = o[a];
            g[G_KD + a] = k[a];
            g[G_SD + a] = s[a];
            g[G_DD + a] = d[a];
            g[G_PD + a] = pad[a];
        }
        Activation act = p.activation();
        g[G_ACTIVATION] = act.kind().ordinal(); // NONE, RELU, LEAKY_RELU, SIGMOID, TANH as in the .cu enum
        g[G_SLOPE_BITS] = Float.floatToRawIntBits(act.slope());
        g[G_HAS_BIAS] = hasBias ? 1 : 0;
        return g;
    }

    /** The filter as {@code [group][kd*kh*kw][Cin/groups][Cout/groups]}. */
    static float[] packWeights(Deconv3dProblem p, float[] filter) {
        int[] k = p.kernel();
        int cinG = p.inChannelsPerGroup();
        int coutG = p.outChannelsPerGroup();
        float[] packed = new float[p.filterLength()];
        int i = 0;
        for (int g = 0; g < p.groups(); g++)
            for (int td = 0; td < k[0]; td++)
                for (int th = 0; th < k[1]; th++)
                    for (int tw = 0; tw < k[2]; tw++)
                        for (int c = 0; c < cinG; c++)
                            for (int co = 0; co < coutG; co++)
                                packed[i++] = filter[p.filterIndex(g * cinG + c, co, td, th, tw)];
        return packed;
    }

    /** One launch per phase that has outputs on every axis. */
    static List<Launch> launches(Deconv3dProblem p) {
        AxisPhases ad = AxisPhases.of(p, Axis.DEPTH), ah = AxisPhases.of(p, Axis.HEIGHT);
        AxisPhases aw = AxisPhases.of(p, Axis.WIDTH);
        int coTiles = (p.outChannelsPerGroup() + TILE_C - 1) / TILE_C;
        List<Launch> list = new ArrayList<>();
        // Phases with outputs only (core's AxisPhases lists no others), so the count is bounded by the output.
        for (int cd = 0; cd < ad.count(); cd++)
            for (int ch = 0; ch < ah.count(); ch++)
                for (int cw = 0; cw < aw.count(); cw++) {
                    int jd = ad.positions(cd);
                    int jh = ah.positions(ch);
                    int jw = aw.positions(cw);
                    int tiles = (int) (((long) jh * jw + TILE_P - 1) / TILE_P);
                    long blocks = (long) p.batch() * jd * tiles;
                    if (blocks > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("the problem needs " + blocks + " blocks in one launch,"
                                + " more than CUDA allows: split the batch");
                    }
                    list.add(new Launch((int) blocks, coTiles, p.groups(), new int[] {cd, ch, cw},
                            new int[] {jd, jh, jw, tiles}));
                }
        return list;
    }

    /** Writes {@code samples} samples of {@code x[offset...]} (in the problem's layout) into {@code out} as NDHWC. */
    static void toChannelsLast(Deconv3dProblem p, float[] x, int offset, int samples, float[] out) {
        int per = p.inputLengthPerSample();
        if (p.layout() == Layout.NDHWC) {
            System.arraycopy(x, offset, out, 0, samples * per);
            return;
        }
        int c = p.inChannels();
        int volume = per / c;
        for (int n = 0; n < samples; n++)
            for (int ch = 0; ch < c; ch++)
                for (int v = 0; v < volume; v++)
                    out[(n * volume + v) * c + ch] = x[offset + (n * c + ch) * volume + v];
    }

    /** Writes the first {@code samples} samples of NDHWC {@code y} into {@code out[offset...]} in the problem's layout. */
    static void fromChannelsLast(Deconv3dProblem p, float[] y, int samples, float[] out, int offset) {
        int per = p.outputLengthPerSample();
        if (p.layout() == Layout.NDHWC) {
            System.arraycopy(y, 0, out, offset, samples * per);
            return;
        }
        int c = p.outChannels();
        int volume = per / c;
        for (int n = 0; n < samples; n++)
            for (int ch = 0; ch < c; ch++)
                for (int v = 0; v < volume; v++)
                    out[offset + (n * c + ch) * volume + v] = y[(n * volume + v) * c + ch];
    }
}
