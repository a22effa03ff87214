package org.deconv3d.simd;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import org.deconv3d.Activation;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;

/**
 * A simd plan: packed weights, the phase decomposition of each axis, and a pool of per-run workspaces so that a
 * steady stream of {@code run} calls allocates nothing but a few task handles.
 *
 * <p>Work is split into items, one per (phase, batch, depth position, height position) row of output positions;
 * threads take items from a shared counter, and every output element is computed entirely within one item in a
 * fixed order, so the result does not depend on the thread count or on which thread ran what.
 *
 * <p>Thread-safe: concurrent {@code run} calls each take their own workspace.
 */
final class SimdPlan implements Deconv3dPlan {

    /** Largest tile along width of any micro-kernel: tails are padded to it. */
    private static final int MAX_TILE = 8;

    private final Deconv3dProblem p;
    private final PackedWeights weights;
    private final float[] bias;
    private final Activation activation;
    private final AxisPhases[] axes = new AxisPhases[3];
    private final int[] inputSize;
    private final int[] outputSize;
    private final int cin;
    private final int cinPerGroup;
    private final int coutPerGroup;
    private final int cout;
    private final int groups;
    /** Floats per output position in the row buffer: all groups' padded vectors. */
    private final int rowStride;
    private final int rowLength;
    private final boolean direct;
    private final int paddedLength;
    // Phases with outputs on every axis, and the work items they hold.
    private final int[][] phase;          // [ph] = {cd, ch, cw}
    private final int[][] phaseXOff;      // [ph][entry]: input offset of the entry's taps
    private final int[][][] phaseWOff;    // [ph][g * blocks + b][entry]: weight offset
    private final int[] itemStart;        // prefix sums of items per phase
    private final int maxEntries;
    private final int threads;
    private final ForkJoinPool pool;
    private final ConcurrentLinkedQueue<Job> jobs = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    SimdPlan(Deconv3dProblem problem, float[] filter, float[] bias, int threads) {
        this.p = problem;
        this.weights = new PackedWeights(problem, filter, SimdKernel.L);
        this.bias = bias == null ? null : bias.clone();
        this.activation = problem.activation();
        this.inputSize = problem.inputSize();
        this.outputSize = problem.outputSize();
        int[] k = problem.kernel();
        int[] s = problem.stride();
        int[] d = problem.dilation();
        int[] pad = problem.padBefore();
        for (int a = 0; a < 3; a++) {
            axes[a] = new AxisPhases(inputSize[a], outputSize[a], k[a], s[a], d[a], pad[a], a == 2 ? MAX_TILE : 1);
        }
        cin = problem.inChannels();
        cinPerGroup = problem.inChannelsPerGroup();
        coutPerGroup = problem.outChannelsPerGroup();
        cout = problem.outChannels();
        groups = problem.groups();
        rowStride = groups * weights.vectorsPerGroup * SimdKernel.L;
        int maxPositions = 0;
        for (int c = 0; c < s[2]; c++) {
            maxPositions = Math.max(maxPositions, AxisPhases.roundUp(axes[2].positions[c], MAX_TILE));
        }
        rowLength = Math.max(1, maxPositions) * rowStride;
        direct = problem.layout() == Layout.NDHWC && axes[0].unpadded(inputSize[0])
                && axes[1].unpadded(inputSize[1]) && axes[2].unpadded(inputSize[2]);
        long padded = (long) problem.batch() * axes[0].padded * axes[1].padded * axes[2].padded * cin;
        if (padded > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("the zero-padded input needs " + padded + " floats, more than a Java"
                    + " array holds: split the batch");
        }
        paddedLength = direct ? 0 : (int) padded;

        int count = 0;
        for (int cd = 0; cd < s[0]; cd++)
            for (int ch = 0; ch < s[1]; ch++)
                for (int cw = 0; cw < s[2]; cw++)
                    if (axes[0].positions[cd] > 0 && axes[1].positions[ch] > 0 && axes[2].positions[cw] > 0)
                        count++;
        phase = new int[count][];
        phaseXOff = new int[count][];
        phaseWOff = new int[count][][];
        itemStart = new int[count + 1];
        int ph = 0;
        int most = 0;
        for (int cd = 0; cd < s[0]; cd++)
            for (int ch = 0; ch < s[1]; ch++)
                for (int cw = 0; cw < s[2]; cw++) {
                    if (axes[0].positions[cd] == 0 || axes[1].positions[ch] == 0 || axes[2].positions[cw] == 0) {
                        continue;
                    }
                    phase[ph] = new int[] {cd, ch, cw};
                    buildEntries(ph, k);
                    most = Math.max(most, phaseXOff[ph].length);
                    itemStart[ph + 1] = itemStart[ph] + problem.batch() * axes[0].positions[cd] * axes[1].positions[ch];
                    ph++;
                }
        maxEntries = most;
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    /** The taps of phase {@code ph}: every combination of the three axes' taps, with input and weight offsets. */
    private void buildEntries(int ph, int[] k) {
        AxisPhases ad = axes[0], ah = axes[1], aw = axes[2];
        int cd = phase[ph][0], ch = phase[ph][1], cw = phase[ph][2];
        int n = ad.taps[cd].length * ah.taps[ch].length * aw.taps[cw].length;
        int[] xOff = new int[n];
        int[] tap = new int[n];
        int e = 0;
        for (int i = 0; i < ad.taps[cd].length; i++)
            for (int j = 0; j < ah.taps[ch].length; j++)
                for (int l = 0; l < aw.taps[cw].length; l++) {
                    int pd = ad.offsets[cd][i] + ad.padLo;
                    int phh = ah.offsets[ch][j] + ah.padLo;
                    int pw = aw.offsets[cw][l] + aw.padLo;
                    xOff[e] = ((pd * ah.padded + phh) * aw.padded + pw) * cin;
                    tap[e] = (ad.taps[cd][i] * k[1] + ah.taps[ch][j]) * k[2] + aw.taps[cw][l];
                    e++;
                }
        phaseXOff[ph] = xOff;
        int blocks = weights.blocks();
        phaseWOff[ph] = new int[groups * blocks][n];
        for (int g = 0; g < groups; g++)
            for (int b = 0; b < blocks; b++)
                for (e = 0; e < n; e++)
                    phaseWOff[ph][g * blocks + b][e] = weights.offset(g, b, tap[e]);
    }

    @Override
    public Deconv3dProblem problem() {
        return p;
    }

    @Override
    public String backend() {
        return SimdProvider.NAME;
    }

    /** CPU threads one run uses. */
    int threads() {
        return threads;
    }

    @Override
    public void run(float[] input, float[] output) {
        if (closed) {
            throw new IllegalStateException("this simd plan is closed: make a new plan with Deconv3d.plan(...)");
        }
        p.requireInput(input);
        p.requireOutput(output);
        Job job = jobs.poll();
        if (job == null) {
            job = new Job();
        }
        try {
            job.input = input;
            job.output = output;
            if (!direct) {
                parallel(job, Job.PREPARE, p.batch() * inputSize[0] * inputSize[1]);
            }
            parallel(job, Job.COMPUTE, itemStart[phase.length]);
        } finally {
            job.input = null;
            job.output = null;
            jobs.offer(job);
        }
    }

    private void parallel(Job job, int stage, int items) {
        job.stage = stage;
        job.items = items;
        job.next.set(0);
        if (pool == null || items < 2) {
            job.workers[0].run();
            return;
        }
        int helpers = Math.min(threads, items) - 1;
        for (int t = 1; t <= helpers; t++) {
            job.pending[t] = pool.submit(job.workers[t]);
        }
        job.workers[0].run();
        for (int t = 1; t <= helpers; t++) {
            job.pending[t].join();
            job.pending[t] = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (pool != null) {
            pool.shutdown();
        }
        jobs.clear();
    }

    /** One run's workspace: the padded input and, per thread, a row buffer and entry offsets. */
    private final class Job {
        static final int PREPARE = 0;
        static final int COMPUTE = 1;

        final float[] padded = new float[paddedLength];
        final AtomicInteger next = new AtomicInteger();
        final Worker[] workers = new Worker[threads];
        final ForkJoinTask<?>[] pending = new ForkJoinTask<?>[threads];
        float[] input;
        float[] output;
        volatile int stage;
        volatile int items;

        Job() {
            for (int t = 0; t < threads; t++) {
                workers[t] = new Worker(this);
            }
        }
    }

    private final class Worker implements Runnable {
        private final Job job;
        private final float[] row = new float[rowLength];

        Worker(Job job) {
            this.job = job;
        }

        @Override
        public void run() {
            int stage = job.stage;
            int items = job.items;
            for (int item = job.next.getAndIncrement(); item < items; item = job.next.getAndIncrement()) {
                if (stage == Job.PREPARE) {
                    prepare(job.input, job.padded, item);
                } else {
                    compute(direct ? job.input : job.padded, job.output, item);
                }
            }
        }

        /** Copies input row {@code item} = (n, id, ih) into the zero-padded, channels-last buffer. */
        private void prepare(float[] x, float[] xp, int item) {
            int ih = item % inputSize[1];
            int id = (item / inputSize[1]) % inputSize[0];
            int n = item / (inputSize[1] * inputSize[0]);
            int xw = inputSize[2];
            int dst = (((n * axes[0].padded + id + axes[0].padLo) * axes[1].padded + ih + axes[1].padLo)
                    * axes[2].padded + axes[2].padLo) * cin;
            if (p.layout() == Layout.NDHWC) {
                System.arraycopy(x, ((n * inputSize[0] + id) * inputSize[1] + ih) * xw * cin, xp, dst, xw * cin);
                return;
            }
            int plane = inputSize[0] * inputSize[1] * xw;
            int src = ((n * cin) * inputSize[0] + id) * inputSize[1] * xw + ih * xw;
            for (int c = 0; c < cin; c++) {
                int from = src + c * plane;
                for (int iw = 0; iw < xw; iw++) {
                    xp[dst + iw * cin + c] = x[from + iw];
                }
            }
        }

        /** Computes every output of work item {@code item}: one (phase, n, jd, jh) row of positions. */
        private void compute(float[] x, float[] y, int item) {
            int ph = 0;
            while (itemStart[ph + 1] <= item) {
                ph++;
            }
            int cd = phase[ph][0], ch = phase[ph][1], cw = phase[ph][2];
            int jdCount = axes[0].positions[cd];
            int jhCount = axes[1].positions[ch];
            int local = item - itemStart[ph];
            int jh = local % jhCount;
            int jd = (local / jhCount) % jdCount;
            int n = local / (jhCount * jdCount);
            int jwCount = axes[2].positions[cw];
            int[] xOff = phaseXOff[ph];
            int entries = xOff.length;
            int xRow = ((n * axes[0].padded + jd) * axes[1].padded + jh) * axes[2].padded * cin;
            float[] w = weights.values;
            int blocks = weights.blocks();
            int lanes = SimdKernel.L;
            for (int g = 0; g < groups; g++) {
                int xGroup = xRow + g * cinPerGroup;
                for (int b = 0; b < blocks; b++) {
                    int[] wOff = phaseWOff[ph][g * blocks + b];
                    int rowOff = (g * weights.vectorsPerGroup + weights.blockStart[b]) * lanes;
                    int width = weights.blockWidth[b];
                    int tile = width == 1 ? 8 : 4;
                    for (int jw = 0; jw < jwCount; jw += tile) {
                        int xBase = xGroup + jw * cin;
                        int r = rowOff + jw * rowStride;
                        if (width == 4) {
                            SimdKernel.r4c4(x, xBase, xOff, w, wOff, entries, cinPerGroup, cin, row, r, rowStride);
                        } else if (width == 2) {
                            SimdKernel.r4c2(x, xBase, xOff, w, wOff, entries, cinPerGroup, cin, row, r, rowStride);
                        } else {
                            SimdKernel.r8c1(x, xBase, xOff, w, wOff, entries, cinPerGroup, cin, row, r, rowStride);
                        }
                    }
                }
            }
            int od = cd + jd * axes[0].stride;
            int oh = ch + jh * axes[1].stride;
            store(y, n, od, oh, cw, jwCount);
        }

        /** Adds the bias, applies the activation and writes the row's outputs in the problem's layout. */
        private void store(float[] y, int n, int od, int oh, int cw, int jwCount) {
            int sw = axes[2].stride;
            int ow0 = cw;
            int yBase;
            int owStep;
            int coStep;
            if (p.layout() == Layout.NDHWC) {
                yBase = (((n * outputSize[0] + od) * outputSize[1] + oh) * outputSize[2] + ow0) * cout;
                owStep = sw * cout;
                coStep = 1;
            } else {
                yBase = ((n * cout * outputSize[0] + od) * outputSize[1] + oh) * outputSize[2] + ow0;
                owStep = sw;
                coStep = outputSize[0] * outputSize[1] * outputSize[2];
            }
            int vpg = weights.vectorsPerGroup * SimdKernel.L;
            for (int jw = 0; jw < jwCount; jw++) {
                int src = jw * rowStride;
                int dst = yBase + jw * owStep;
                for (int g = 0; g < groups; g++) {
                    for (int c = 0; c < coutPerGroup; c++) {
                        int co = g * coutPerGroup + c;
                        float v = row[src + g * vpg + c];
                        if (bias != null) {
                            v += bias[co];
                        }
                        y[dst + co * coStep] = activate(v);
                    }
                }
            }
        }
    }

    private float activate(float v) {
        switch (activation.kind()) {
            case RELU: return v < 0 ? 0f : v;
            case LEAKY_RELU: return v < 0 ? v * activation.slope() : v;
            case SIGMOID: return (float) (1.0 / (1.0 + Math.exp(-v)));
            case TANH: return (float) Math.tanh(v);
            default: return v;
        }
    }
}
