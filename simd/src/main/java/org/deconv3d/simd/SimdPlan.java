package org.deconv3d.simd;

import java.util.ArrayDeque;
import org.deconv3d.AbstractPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.reference.ReferenceKernel;

/**
 * A simd plan: the packed weights and the {@link Schedule} made once, a {@link ParallelRunner} over shared
 * threads, and a few idle {@link Workspace}s kept for reuse.
 *
 * <p>Thread-safe: concurrent runs each take their own workspace; at most {@link #IDLE_WORKSPACES} are kept
 * between runs, so many concurrent callers do not pin many copies of the input. {@link #close()} waits for runs in
 * progress (see {@link AbstractPlan}).
 *
 * <p>A filter with a NaN or infinite weight is computed by the reference loops: the kernels multiply the zero
 * padding around the input by every weight, and {@code 0 * Inf} would give NaN where the specification (which skips
 * taps outside the input) gives a finite value. Correct, slow, and rare (a broken model).
 */
final class SimdPlan extends AbstractPlan {

    /** Below this many FLOPs a run stays on the calling thread: waking a helper costs tens of microseconds. */
    static final long SMALL_FLOPS = 4_000_000;
    /** Idle workspaces kept between runs. */
    static final int IDLE_WORKSPACES = 2;
    /**
     * Samples per worker from which a run's work items are whole samples ({@link #bySample}): enough that the shares
     * stay balanced to within an eighth of a worker's share.
     */
    static final int SAMPLES_PER_WORKER = 8;
    /** {@code -Ddeconv3d.simd.bySample=false}, read when a plan is made, keeps stage-wide items (tests, A/B). */
    static final String BY_SAMPLE_PROPERTY = "deconv3d.simd.bySample";

    private final Schedule schedule;
    private final TileLoop loop;
    private final Epilogue epilogue;
    private final ParallelRunner runner;
    private final long parallelFlops;
    /** Samples per parallel section: what fits one array and the caller's workspace cap. */
    private final int samplesPerChunk;
    private final boolean samplesAsItems;
    private final ArrayDeque<Workspace> idle = new ArrayDeque<>();
    /** The filter as given (a copy), for the gradients. */
    private final float[] filter;
    /** The vectorized gradients; null where the reference loops compute them (non-finite filter, huge problems). */
    private final SimdGradients gradients;
    /** Non-null when the filter has a non-finite value: runs then use the reference loops on these copies. */
    private final float[] referenceFilter;
    private final float[] referenceBias;

    SimdPlan(Deconv3dProblem problem, float[] filter, float[] bias, int threads, long parallelFlops,
            long workspaceCap) {
        super(problem, SimdProvider.NAME);
        this.parallelFlops = parallelFlops;
        float[] biasCopy = bias == null ? null : bias.clone();
        this.filter = filter.clone();
        if (!allFinite(filter)) {
            referenceFilter = this.filter;
            referenceBias = biasCopy;
            schedule = null;
            loop = null;
            epilogue = null;
            runner = new ParallelRunner(1);
            samplesPerChunk = Integer.MAX_VALUE;
            samplesAsItems = false;
            gradients = null;
            return;
        }
        referenceFilter = null;
        referenceBias = null;
        PackedWeights weights = new PackedWeights(problem, filter, SimdKernel.L);
        schedule = new Schedule(problem, weights);
        epilogue = new Epilogue(schedule, weights, biasCopy);
        loop = new TileLoop(schedule, weights, epilogue);
        runner = new ParallelRunner(Math.max(1, threads));
        gradients = SimdGradients.supports(problem)
                ? new SimdGradients(problem, filter, runner, parallelFlops, workspaceCap) : null;
        long fixed = 4 * schedule.workspaceFloats(0, runner.maxWorkers());
        long perSample = 4L * schedule.paddedPerSample;
        long one = fixed + perSample;
        if (one > workspaceCap) {
            throw new IllegalStateException("the simd backend needs " + one + " bytes of working memory for one"
                    + " sample of " + problem.describe() + " (its zero-padded input copy and " + runner.maxWorkers()
                    + " row buffers), more than the cap of " + workspaceCap + " bytes: raise the cap to at least "
                    + one + ", use fewer threads, or the reference backend (which needs none)");
        }
        long capped = perSample == 0 ? Integer.MAX_VALUE : (workspaceCap - fixed) / perSample;
        samplesPerChunk = (int) Math.max(1, Math.min(schedule.samplesPerChunk(), capped));
        samplesAsItems = !schedule.direct && !"false".equals(System.getProperty(BY_SAMPLE_PROPERTY));
    }

    private static boolean allFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Threads a run of the problem's batch uses, the caller included. */
    int workers() {
        return workers(problem().batch());
    }

    /** Threads a run of {@code batch} samples uses: 1 for small work, else at most one per work item. */
    int workers(int batch) {
        if (schedule == null) {
            return 1;
        }
        long flops = problem().flops() / problem().batch() * batch;
        long items = (long) batch * (schedule.computeItems + schedule.fillItems);
        return flops < parallelFlops ? 1 : (int) Math.max(1, Math.min(runner.maxWorkers(), items));
    }

    /** Whether rows are computed by the merged width-phase tiles ({@link Schedule#mergedWidth}; tests). */
    boolean mergedWidthTiles() {
        return schedule != null && schedule.mergedWidth;
    }

    /**
     * Whether a run of {@code batch} samples on {@code workers} threads computes whole samples as its items, each
     * worker copying a sample into its own padded slot: a batch of many small volumes then has no barrier between
     * the copy and the tiles (the second thread waited 6% of batch's time there), reads each copy from cache, and
     * needs one padded sample per worker rather than per sample. Not where the kernels read the input directly.
     */
    boolean bySample(int batch, int workers) {
        return samplesAsItems && batch >= SAMPLES_PER_WORKER * workers
                && workers <= samplesPerChunk;
    }

    /** Whether runs use the reference loops (non-finite filter). */
    boolean usesReferenceLoops() {
        return referenceFilter != null;
    }

    @Override
    protected float[] filter() {
        return filter;
    }

    /** The vectorized gradients, or null where the reference loops compute them (tests). */
    SimdGradients gradients() {
        return gradients;
    }

    @Override
    protected void computeInputGradient(float[] gradOutput, float[] output, float[] gradInput) {
        if (gradients == null) {
            super.computeInputGradient(gradOutput, output, gradInput);
        } else {
            gradients.inputGradient(gradOutput, output, gradInput);
        }
    }

    @Override
    protected void computeWeightGradient(float[] input, float[] gradOutput, float[] output, float[] gradFilter,
            float[] gradBias) {
        if (gradients == null) {
            super.computeWeightGradient(input, gradOutput, output, gradFilter, gradBias);
        } else {
            gradients.weightGradient(input, gradOutput, output, gradFilter, gradBias);
        }
    }

    @Override
    public long workspaceBytes() {
        return workspaceBytes(problem().batch());
    }

    @Override
    public long workspaceBytes(int batch) {
        if (schedule == null) {
            return 0;
        }
        int workers = workers(batch);
        int padded = bySample(batch, workers) ? workers : Math.min(batch, samplesPerChunk);
        return 4 * schedule.workspaceFloats(padded, runner.maxWorkers());
    }

    @Override
    protected void compute(float[] input, int inputOffset, float[] output, int outputOffset, int batch) {
        computeAndCount(input, inputOffset, output, outputOffset, batch, false);
    }

    /**
     * Runs the problem's batch (unchecked: tests only) with the caller waiting until every helper has started, and
     * returns the compute items each worker did, so a test can show that every thread took part.
     */
    int[] computeWithEveryThread(float[] input, float[] output) {
        return computeAndCount(input, 0, output, 0, problem().batch(), true);
    }

    private int[] computeAndCount(float[] input, int inputOffset, float[] output, int outputOffset, int batch,
            boolean waitForHelpers) {
        if (referenceFilter != null) {
            ReferenceKernel.compute(problem(), input, inputOffset, referenceFilter, referenceBias, output,
                    outputOffset, batch);
            return new int[] {1};
        }
        int workers = workers(batch);
        boolean bySample = bySample(batch, workers);
        int chunk = bySample ? batch : Math.min(batch, samplesPerChunk);
        Workspace ws = take(bySample ? workers : chunk);
        try {
            int[] counts = null;
            // One parallel section per chunk of samples whose padded copies fit one array and the workspace cap
            // (almost always one).
            for (int n = 0; n < batch; n += chunk) {
                int m = Math.min(chunk, batch - n);
                ws.bind(input, inputOffset + n * schedule.inputPerSample, output,
                        outputOffset + n * schedule.outputPerSample, m, bySample);
                ws.progress.waitForHelpers = waitForHelpers;
                runner.run(ws.progress, ws, bySample ? workers : workers(m));
                if (waitForHelpers) { // tests only: production runs allocate nothing here
                    counts = java.util.Arrays.copyOf(ws.progress.computedBy, ws.progress.workers);
                }
            }
            return counts;
        } finally {
            ws.unbind();
            give(ws);
        }
    }

    private Workspace take(int samples) {
        Workspace ws;
        synchronized (idle) {
            ws = idle.poll();
        }
        try {
            if (ws == null) {
                return new Workspace(schedule, loop, epilogue, runner.maxWorkers(), samples);
            }
            ws.ensure(samples);
            return ws;
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException("the simd backend needs " + mib(workspaceBytes(samples)) + " MiB of"
                    + " working memory for this run (the zero-padded input copy and row buffers) and the Java heap"
                    + " cannot provide it: raise the heap with -Xmx (now " + mib(Runtime.getRuntime().maxMemory())
                    + " MiB), run fewer samples or fewer runs of this plan at once, or use the reference backend,"
                    + " which needs none. Nothing was written to the output.");
        }
    }

    /** Workspaces kept for the next runs (at most {@link #IDLE_WORKSPACES}). */
    int idleWorkspaces() {
        synchronized (idle) {
            return idle.size();
        }
    }

    private void give(Workspace ws) {
        synchronized (idle) {
            if (idle.size() < IDLE_WORKSPACES) {
                idle.push(ws);
            }
        }
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    @Override
    protected void release() {
        synchronized (idle) {
            idle.clear();
        }
        if (gradients != null) {
            gradients.release();
        }
    }
}
