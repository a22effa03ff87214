package org.deconv3d.simd;

import java.util.ArrayDeque;
import org.deconv3d.Deconv3dProblem;

/**
 * The gradients with the Vector API on the plan's threads, for either layout; see
 * {@link org.deconv3d.reference.ReferenceGradients} for the definitions. Each call runs, per chunk of samples, the
 * {@link GradientPrep} stage ({@code g = dy * act'(y)} into a padded copy, and the bias gradient's row sums) where
 * {@code dy} cannot be read as it is, then either {@link InputGradientRows} (the forward's register tiles, over
 * {@code g}) or {@link FilterGradientSlices} (register-tiled sums over positions, and the bias gradient's rows
 * where {@link GradientGeometry#fusedBias}).
 *
 * <p>Every gradient element is summed by one item in a fixed order, and the bias sums are combined row by row in
 * order: results are bitwise identical for any thread count. Sums are in float (the reference's in double):
 * within the cross-check's tolerance, exact on small integers.
 *
 * <p>Thread-safe: concurrent calls each take their own {@link GradientWorkspace}; a few idle ones are kept, so
 * repeated calls allocate nothing.
 */
final class SimdGradients {

    private final Deconv3dProblem p;
    private final ParallelRunner runner;
    private final long parallelFlops;
    private final GradientGeometry geo;
    private final GradientPrep prep;
    private final InputGradientRows inputRows;
    private final FilterGradientSlices slices;
    private final int samplesPerChunk;
    private final ArrayDeque<GradientWorkspace> idle = new ArrayDeque<>();

    SimdGradients(Deconv3dProblem problem, float[] filter, ParallelRunner runner, long parallelFlops,
            long workspaceCap) {
        this.p = problem;
        this.runner = runner;
        this.parallelFlops = parallelFlops;
        this.geo = new GradientGeometry(problem, SimdKernel.L, runner.maxWorkers());
        this.prep = new GradientPrep(geo);
        this.inputRows = new InputGradientRows(geo, PackedWeights.transposed(problem, filter, SimdKernel.L));
        this.slices = new FilterGradientSlices(geo);
        long perSample = (geo.inputReadsGradOutput ? 0 : 4L * geo.gPerSample)
                + 4L * geo.out[0] * geo.out[1] * problem.outChannels();
        long byCap = Math.max(1, workspaceCap / Math.max(1, perSample));
        long byArray = Math.max(1, (Integer.MAX_VALUE - 8) / Math.max(1, Math.max(geo.gPerSample,
                (long) geo.out[0] * geo.out[1] * problem.outChannels())));
        this.samplesPerChunk = (int) Math.min(problem.batch(), Math.min(byCap, byArray));
    }

    /**
     * Whether this class computes {@code problem}'s gradients; else the reference loops do (a problem whose padded
     * copy of one sample or transposed filter would not fit a Java array).
     */
    static boolean supports(Deconv3dProblem problem) {
        try {
            new GradientGeometry(problem, SimdKernel.L, 1);
        } catch (ArithmeticException e) {
            return false;
        }
        return PackedWeights.packedLength(problem, SimdKernel.L, true) <= Integer.MAX_VALUE - 8;
    }

    void inputGradient(float[] dy, float[] y, float[] dx) {
        GradientWorkspace ws = take();
        try {
            for (int n = 0; n < p.batch(); n += samplesPerChunk) {
                int m = Math.min(samplesPerChunk, p.batch() - n);
                ws.bindInput(dy, y, dx, n, m);
                run(ws, m);
            }
        } finally {
            ws.unbind();
            give(ws);
        }
    }

    void weightGradient(float[] input, float[] dy, float[] y, float[] dw, float[] db) {
        GradientWorkspace ws = take();
        try {
            java.util.Arrays.fill(ws.biasSums, 0.0);
            for (int n = 0; n < p.batch(); n += samplesPerChunk) {
                int m = Math.min(samplesPerChunk, p.batch() - n);
                ws.bindFilter(input, dy, y, dw, db != null, n, m, n == 0);
                run(ws, m);
                if (geo.byPlanes) {
                    ws.reducing(true);
                    try {
                        reduce(ws, m);
                    } finally {
                        ws.reducing(false);
                    }
                }
                if (db != null) {
                    ws.addBiasRows();
                }
            }
            if (db != null) {
                for (int co = 0; co < db.length; co++) {
                    db[co] = (float) ws.biasSums[co];
                }
            }
        } finally {
            ws.unbind();
            give(ws);
        }
    }

    /** Work items of an input gradient of the whole batch in one chunk (tests). */
    int inputItems() {
        return samplesPerChunk * geo.inputItemsPerSample();
    }

    /** Whether the input gradient reads {@code dy} in place, without a padded copy (tests). */
    boolean inputReadsGradOutput() {
        return geo.inputReadsGradOutput;
    }

    /** Whether the input gradient's items are whole samples ({@link GradientGeometry#inputBySample}; tests). */
    boolean inputBySample() {
        return geo.inputBySample;
    }

    /** Whether the input gradient keeps its edge strips across items ({@link GradientGeometry#stripsKept}; tests). */
    boolean inputKeepsStrips() {
        return geo.stripsKept;
    }

    /** Items the input gradient claims at once where it can (tests). */
    int inputItemsPerClaim() {
        return geo.inputItemsPerClaim();
    }

    /** Width taps the input gradient sums per entry ({@link GradientGeometry#widthRun}; tests). */
    int inputWidthRun() {
        return geo.widthRun;
    }

    /** Whether the filter gradient is split by input planes (else by taps; tests). */
    boolean filterByPlanes() {
        return geo.byPlanes;
    }

    /** Whether the filter gradient sums the bias gradient too ({@link GradientGeometry#fusedBias}; tests). */
    boolean filterSumsBias() {
        return geo.fusedBias;
    }

    /** Whether the filter gradient's sums are output-channel major ({@link GradientGeometry#sumsByOutputChannel}). */
    boolean filterSumsByOutputChannel() {
        return geo.sumsByOutputChannel;
    }

    /** Whether the filter gradient copies its positions into dense blocks (tests). */
    boolean filterPacksBlocks() {
        return geo.packBlocks;
    }

    /** Work items of a filter gradient (tests). */
    int filterItems() {
        return slices.items(samplesPerChunk);
    }

    /** Tests set this: runs then wait until every helper has started, and record the items each worker did. */
    volatile boolean waitForHelpers;
    /** Items per worker of the last run, when {@link #waitForHelpers} is set. */
    volatile int[] lastItemsPerWorker;

    /** The reduction's slices on the plan's threads (the test hook's record of the chunk's run kept). */
    private void reduce(GradientWorkspace ws, int samples) {
        runner.run(ws.progress, ws, workers(ws, samples));
    }

    private void run(GradientWorkspace ws, int samples) {
        ws.progress.waitForHelpers = waitForHelpers;
        runner.run(ws.progress, ws, workers(ws, samples));
        if (waitForHelpers) { // tests only
            lastItemsPerWorker = java.util.Arrays.copyOf(ws.progress.computedBy, ws.progress.workers);
        }
    }

    /** One thread for a small chunk, else as many as the plan has, up to one per item. */
    private int workers(GradientWorkspace ws, int samples) {
        long flops = p.flops() / p.batch() * samples;
        return flops < parallelFlops ? 1 : (int) Math.max(1, Math.min(runner.maxWorkers(), ws.computeItems()));
    }

    private GradientWorkspace take() {
        GradientWorkspace ws;
        synchronized (idle) {
            ws = idle.poll();
        }
        try {
            if (ws == null) {
                return new GradientWorkspace(geo, prep, inputRows, slices, runner.maxWorkers(), samplesPerChunk);
            }
            return ws;
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException("the simd backend needs about " + ((4L * geo.gPerSample
                    * samplesPerChunk) >> 20) + " MiB of working memory for a gradient of " + p.describe()
                    + " (a zero-padded copy of the output gradient) and the Java heap cannot provide it: raise -Xmx,"
                    + " lower the plan's workspace cap, or use the reference backend. Nothing was written.");
        }
    }

    private void give(GradientWorkspace ws) {
        synchronized (idle) {
            if (idle.size() < SimdPlan.IDLE_WORKSPACES) {
                idle.push(ws);
            }
        }
    }

    /** Drops the idle workspaces (the plan is closed). */
    void release() {
        synchronized (idle) {
            idle.clear();
        }
    }
}
