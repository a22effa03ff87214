package org.deconv3d.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.deconv3d.Activation;
import org.deconv3d.AxisPhases;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;

/**
 * The gradients of a channels-last (NDHWC) problem with the Vector API, on the plan's threads; see
 * {@link org.deconv3d.reference.ReferenceGradients} for the definitions. With {@code g = dy * act'(y)}:
 * <ul>
 *   <li>input gradient: one work item per input row {@code (n, d, h)}; each input position gathers, per tap that
 *       reaches an output, {@code g[o, co]} (broadcast) times the filter's input-channel vector
 *       {@code w[t, co, ci...]} (transposed once per plan), input channels in the vector lanes;</li>
 *   <li>filter gradient: one work item per (group, tap); it sums over every sample and input position, in a fixed
 *       order, {@code x[i, ci]} (broadcast) times {@code g[o, co...]}, output channels in the lanes;</li>
 *   <li>bias gradient: the sum of {@code g} per output channel, in double, on the calling thread.</li>
 * </ul>
 * Every gradient element is summed by one item in a fixed order, so results are bitwise identical for any thread
 * count. Sums are in float (the reference's are in double): within the cross-check's tolerance, exact on small
 * integers.
 */
final class SimdGradients {

    private static final VectorSpecies<Float> S = SimdKernel.S;
    private static final int L = SimdKernel.L;

    private final Deconv3dProblem p;
    private final ParallelRunner runner;
    private final long parallelFlops;
    private final int kvol;
    private final int cinG;
    private final int coutG;
    private final int cinPad;
    private final int coutPad;
    /** The filter as {@code [group][tap][coutG][cinPad]}, zero past {@code cinG}: input channels contiguous. */
    private final float[] wT;

    SimdGradients(Deconv3dProblem problem, float[] filter, ParallelRunner runner, long parallelFlops) {
        this.p = problem;
        this.runner = runner;
        this.parallelFlops = parallelFlops;
        int[] k = problem.kernel();
        this.kvol = k[0] * k[1] * k[2];
        this.cinG = problem.inChannelsPerGroup();
        this.coutG = problem.outChannelsPerGroup();
        this.cinPad = roundUp(cinG, L);
        this.coutPad = roundUp(coutG, L);
        this.wT = new float[Math.multiplyExact(Math.multiplyExact(problem.groups() * kvol, coutG), cinPad)];
        for (int grp = 0; grp < problem.groups(); grp++) {
            for (int t = 0; t < kvol; t++) {
                int td = t / (k[1] * k[2]);
                int th = t / k[2] % k[1];
                int tw = t % k[2];
                for (int c = 0; c < coutG; c++) {
                    for (int ci = 0; ci < cinG; ci++) {
                        wT[((grp * kvol + t) * coutG + c) * cinPad + ci] =
                                filter[problem.filterIndex(grp * cinG + ci, c, td, th, tw)];
                    }
                }
            }
        }
    }

    /** Whether this class computes {@code problem}'s gradients (channels-last data); else the reference does. */
    static boolean supports(Deconv3dProblem problem) {
        return problem.layout() == Layout.NDHWC;
    }

    void inputGradient(float[] dy, float[] y, float[] dx) {
        float[] g = beforeActivation(dy, y);
        int[] x = p.inputSize();
        int rows = p.batch() * x[0] * x[1];
        run(new Items(rows) {
            @Override
            public void compute(int item, int worker) {
                inputRow(g, dx, item);
            }
        });
    }

    void weightGradient(float[] input, float[] dy, float[] y, float[] dw, float[] db) {
        float[] g = beforeActivation(dy, y);
        run(new Items(p.groups() * kvol) {
            @Override
            public void compute(int item, int worker) {
                filterSlice(input, g, dw, item / kvol, item % kvol);
            }
        });
        if (db != null) {
            biasGradient(g, db);
        }
    }

    private float[] beforeActivation(float[] dy, float[] y) {
        Activation act = p.activation();
        if (act.kind() == Activation.Kind.NONE) {
            return dy;
        }
        float[] g = new float[dy.length];
        for (int j = 0; j < g.length; j++) {
            g[j] = (float) (dy[j] * act.derivativeFromOutput(y[j]));
        }
        return g;
    }

    /**
     * The input gradient of input row {@code item = (n, id, ih)}: every width position and input channel. Each
     * position's sums live in a small buffer between taps and the vectors only inside the innermost loop: C2 does
     * not keep a vector in a register across nested loops (it boxes it, many times slower).
     */
    private void inputRow(float[] g, float[] dx, int item) {
        int[] xs = p.inputSize();
        int[] os = p.outputSize();
        int[] k = p.kernel();
        int[] s = p.stride();
        int[] d = p.dilation();
        int[] pad = p.padBefore();
        int ih = item % xs[1];
        int id = item / xs[1] % xs[0];
        int n = item / (xs[1] * xs[0]);
        int cin = p.inChannels();
        int cout = p.outChannels();
        int groups = p.groups();
        float[] sums = new float[groups * cinPad];
        for (int iw = 0; iw < xs[2]; iw++) {
            java.util.Arrays.fill(sums, 0f);
            for (int td = 0; td < k[0]; td++) {
                int od = AxisPhases.reached(id, td, s[0], d[0], pad[0], os[0]);
                if (od < 0) continue;
                for (int th = 0; th < k[1]; th++) {
                    int oh = AxisPhases.reached(ih, th, s[1], d[1], pad[1], os[1]);
                    if (oh < 0) continue;
                    for (int tw = 0; tw < k[2]; tw++) {
                        int ow = AxisPhases.reached(iw, tw, s[2], d[2], pad[2], os[2]);
                        if (ow < 0) continue;
                        int t = (td * k[1] + th) * k[2] + tw;
                        int gRow = (((n * os[0] + od) * os[1] + oh) * os[2] + ow) * cout;
                        for (int grp = 0; grp < groups; grp++) {
                            accumulate(g, gRow + grp * coutG, (grp * kvol + t) * coutG * cinPad, sums, grp * cinPad);
                        }
                    }
                }
            }
            int xBase = (((n * xs[0] + id) * xs[1] + ih) * xs[2] + iw) * cin;
            for (int grp = 0; grp < groups; grp++) {
                System.arraycopy(sums, grp * cinPad, dx, xBase + grp * cinG, cinG);
            }
        }
    }

    /** {@code sums[to + ci] += sum over c of g[gFrom + c] * wT[wFrom + c*cinPad + ci]}, c in order. */
    private void accumulate(float[] g, int gFrom, int wFrom, float[] sums, int to) {
        for (int cb = 0; cb < cinPad; cb += L) {
            FloatVector acc = FloatVector.fromArray(S, sums, to + cb);
            for (int c = 0; c < coutG; c++) {
                acc = FloatVector.broadcast(S, g[gFrom + c]).fma(FloatVector.fromArray(S, wT, wFrom + c * cinPad + cb),
                        acc);
            }
            acc.intoArray(sums, to + cb);
        }
    }

    /** The filter gradient of group {@code grp}, tap {@code t}: every input and output channel of the group. */
    private void filterSlice(float[] x, float[] g, float[] dw, int grp, int t) {
        int[] xs = p.inputSize();
        int[] os = p.outputSize();
        int[] k = p.kernel();
        int[] s = p.stride();
        int[] d = p.dilation();
        int[] pad = p.padBefore();
        int td = t / (k[1] * k[2]);
        int th = t / k[2] % k[1];
        int tw = t % k[2];
        int cin = p.inChannels();
        int cout = p.outChannels();
        float[] acc = new float[cinG * coutPad];
        VectorMask<Float> tail = S.indexInRange(coutPad - L, coutG);
        for (int n = 0; n < p.batch(); n++) {
            for (int id = 0; id < xs[0]; id++) {
                int od = AxisPhases.reached(id, td, s[0], d[0], pad[0], os[0]);
                if (od < 0) continue;
                for (int ih = 0; ih < xs[1]; ih++) {
                    int oh = AxisPhases.reached(ih, th, s[1], d[1], pad[1], os[1]);
                    if (oh < 0) continue;
                    for (int iw = 0; iw < xs[2]; iw++) {
                        int ow = AxisPhases.reached(iw, tw, s[2], d[2], pad[2], os[2]);
                        if (ow < 0) continue;
                        int xBase = (((n * xs[0] + id) * xs[1] + ih) * xs[2] + iw) * cin + grp * cinG;
                        int gBase = (((n * os[0] + od) * os[1] + oh) * os[2] + ow) * cout + grp * coutG;
                        for (int ci = 0; ci < cinG; ci++) {
                            FloatVector xv = FloatVector.broadcast(S, x[xBase + ci]);
                            int a = ci * coutPad;
                            int cb = 0;
                            for (; cb + L <= coutG; cb += L) {
                                FloatVector gv = FloatVector.fromArray(S, g, gBase + cb);
                                xv.fma(gv, FloatVector.fromArray(S, acc, a + cb)).intoArray(acc, a + cb);
                            }
                            if (cb < coutG) {
                                FloatVector gv = FloatVector.fromArray(S, g, gBase + cb, tail);
                                xv.fma(gv, FloatVector.fromArray(S, acc, a + cb)).intoArray(acc, a + cb);
                            }
                        }
                    }
                }
            }
        }
        for (int ci = 0; ci < cinG; ci++) {
            for (int c = 0; c < coutG; c++) {
                dw[p.filterIndex(grp * cinG + ci, c, td, th, tw)] = acc[ci * coutPad + c];
            }
        }
    }

    private void biasGradient(float[] g, float[] db) {
        int cout = p.outChannels();
        double[] sums = new double[cout];
        for (int j = 0; j < g.length; j++) {
            sums[j % cout] += g[j];
        }
        for (int co = 0; co < cout; co++) {
            db[co] = (float) sums[co];
        }
    }

    /** Tests set this: runs then wait until every helper has started, and record the items each worker did. */
    volatile boolean waitForHelpers;
    /** Items per worker of the last run, when {@link #waitForHelpers} is set. */
    volatile int[] lastItemsPerWorker;

    private void run(Items items) {
        long flops = p.flops();
        int workers = flops < parallelFlops ? 1 : (int) Math.max(1, Math.min(runner.maxWorkers(), items.count));
        ParallelRunner.Progress progress = new ParallelRunner.Progress(runner.maxWorkers());
        progress.waitForHelpers = waitForHelpers;
        runner.run(progress, items, workers);
        if (waitForHelpers) {
            lastItemsPerWorker = java.util.Arrays.copyOf(progress.computedBy, progress.workers);
        }
    }

    /** Compute items only (no preparation stage). */
    private abstract static class Items implements ParallelRunner.Items {
        final int count;

        Items(int count) {
            this.count = count;
        }

        @Override
        public int prepItems() {
            return 0;
        }

        @Override
        public void prepare(int item) {
        }

        @Override
        public int computeItems() {
            return count;
        }
    }

    private static int roundUp(int v, int to) {
        return (v + to - 1) / to * to;
    }
}
