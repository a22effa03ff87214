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

    /** Positions per micro-kernel tile along width: tails are padded to it. */
    private static final int TILE = 8;
    /** Below this many FLOPs a run stays on the calling thread. */
    private static final long SMALL_FLOPS = 4_000_000;

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
    /** Floats per output row in the row buffer. */
    private final int rowBlock;
    /**
     * Output rows per work item: 2 when every phase's rows are at most half a tile long, so that a tile takes
     * 4 positions from each of two rows instead of wasting half its lanes.
     */
    private final int rowsPerItem;
    private final boolean direct;
    private final int paddedLength;
    // Phases with outputs on every axis, and the work items they hold.
    private final int[][] phase;          // [ph] = {cd, ch, cw}
    private final int[][] phaseXOff;      // [ph][entry]: input offset of the entry's taps
    private final int[][][] phaseWOff;    // [ph][g * blocks + b][entry (x2 when paired)]: weight offset
    private final boolean[] phasePaired;  // [ph]: entries hold a pair of width taps
    private final int[] itemStart;        // prefix sums of items per phase
    private final int prepItems;
    /** Pool threads that join the caller in a run. */
    private final int helpers;
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
            axes[a] = new AxisPhases(inputSize[a], outputSize[a], k[a], s[a], d[a], pad[a], a == 2 ? TILE : 1);
        }
        cin = problem.inChannels();
        cinPerGroup = problem.inChannelsPerGroup();
        coutPerGroup = problem.outChannelsPerGroup();
        cout = problem.outChannels();
        groups = problem.groups();
        rowStride = groups * weights.vectorsPerGroup * SimdKernel.L;
        int maxPositions = 0;
        for (int c = 0; c < s[2]; c++) {
            maxPositions = Math.max(maxPositions, axes[2].positions[c]);
        }
        rowBlock = AxisPhases.roundUp(Math.max(1, maxPositions), TILE) * rowStride;
        rowsPerItem = maxPositions <= TILE / 2 ? 2 : 1;
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
        phasePaired = new boolean[count];
        itemStart = new int[count + 1];
        int ph = 0;
        for (int cd = 0; cd < s[0]; cd++)
            for (int ch = 0; ch < s[1]; ch++)
                for (int cw = 0; cw < s[2]; cw++) {
                    if (axes[0].positions[cd] == 0 || axes[1].positions[ch] == 0 || axes[2].positions[cw] == 0) {
                        continue;
                    }
                    phase[ph] = new int[] {cd, ch, cw};
                    buildEntries(ph, k);
                    int rowItems = (axes[1].positions[ch] + rowsPerItem - 1) / rowsPerItem;
                    itemStart[ph + 1] = itemStart[ph] + problem.batch() * axes[0].positions[cd] * rowItems;
                    ph++;
                }
        prepItems = problem.batch() * inputSize[0] * inputSize[1];
        // Waking a pool thread costs tens of microseconds: tiny problems run on the caller alone.
        helpers = problem.flops() < SMALL_FLOPS ? 0 : Math.max(0, Math.min(threads, itemStart[count]) - 1);
        this.pool = helpers > 0 ? new ForkJoinPool(helpers) : null;
    }

    /**
     * The taps of phase {@code ph}: every combination of the three axes' taps, with input and weight offsets.
     * When the phase has two width taps whose inputs are one position apart (kernel 3 or 4 with stride 2, kernel 5
     * with stride 4, ...), they are kept together as one entry with two weight offsets, so the pair kernels can
     * feed each broadcast input value to both taps.
     */
    private void buildEntries(int ph, int[] k) {
        AxisPhases ad = axes[0], ah = axes[1], aw = axes[2];
        int cd = phase[ph][0], ch = phase[ph][1], cw = phase[ph][2];
        int[] wTaps = aw.taps[cw];
        // Pair kernels need at least one entry to write the tile: a phase without depth or height taps stays
        // with the plain kernels, which store zeros for it.
        boolean paired = wTaps.length == 2 && aw.offsets[cw][0] == aw.offsets[cw][1] + 1
                && ad.taps[cd].length * ah.taps[ch].length > 0;
        int perEntry = paired ? 2 : 1;
        int n = ad.taps[cd].length * ah.taps[ch].length * (wTaps.length / perEntry);
        int[] xOff = new int[n];
        int[] tap = new int[n * perEntry];
        int e = 0;
        for (int i = 0; i < ad.taps[cd].length; i++)
            for (int j = 0; j < ah.taps[ch].length; j++)
                for (int l = 0; l < wTaps.length; l += perEntry) {
                    int pd = ad.offsets[cd][i] + ad.padLo;
                    int phh = ah.offsets[ch][j] + ah.padLo;
                    int pw = aw.offsets[cw][l] + aw.padLo;
                    xOff[e] = ((pd * ah.padded + phh) * aw.padded + pw) * cin;
                    for (int q = 0; q < perEntry; q++) {
                        tap[e * perEntry + q] = (ad.taps[cd][i] * k[1] + ah.taps[ch][j]) * k[2] + wTaps[l + q];
                    }
                    e++;
                }
        phaseXOff[ph] = xOff;
        phasePaired[ph] = paired;
        int blocks = weights.blocks();
        phaseWOff[ph] = new int[groups * blocks][tap.length];
        for (int g = 0; g < groups; g++)
            for (int b = 0; b < blocks; b++)
                for (e = 0; e < tap.length; e++)
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
            parallel(job);
        } finally {
            job.input = null;
            job.output = null;
            jobs.offer(job);
        }
    }

    /** Runs the job on the caller and {@code helpers} pool threads; they share the items of both stages. */
    private void parallel(Job job) {
        job.prepNext.set(0);
        job.prepDone.set(0);
        job.next.set(0);
        if (helpers == 0) {
            job.workers[0].run();
            return;
        }
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

    /**
     * One run's workspace: the padded input, the item counters of its two stages (copy the input into the padded
     * buffer, then compute), and a worker with a row buffer per thread.
     */
    private final class Job {
        final float[] padded = new float[paddedLength];
        final AtomicInteger prepNext = new AtomicInteger();
        final AtomicInteger prepDone = new AtomicInteger();
        final AtomicInteger next = new AtomicInteger();
        final Worker[] workers = new Worker[helpers + 1];
        final ForkJoinTask<?>[] pending = new ForkJoinTask<?>[helpers + 1];
        float[] input;
        float[] output;

        Job() {
            for (int t = 0; t < workers.length; t++) {
                workers[t] = new Worker(this);
            }
        }
    }

    private final class Worker implements Runnable {
        private final Job job;
        private final float[] row = new float[rowsPerItem * rowBlock];

        Worker(Job job) {
            this.job = job;
        }

        @Override
        public void run() {
            float[] x = job.input;
            if (!direct) {
                for (int item = job.prepNext.getAndIncrement(); item < prepItems; item = job.prepNext.getAndIncrement()) {
                    prepare(x, job.padded, item);
                    job.prepDone.incrementAndGet();
                }
                // Every claimed copy is in progress on a running thread, so this wait is short and cannot deadlock;
                // the volatile count also publishes the copied rows to this thread.
                while (job.prepDone.get() < prepItems) {
                    Thread.onSpinWait();
                }
                x = job.padded;
            }
            int items = itemStart[phase.length];
            for (int item = job.next.getAndIncrement(); item < items; item = job.next.getAndIncrement()) {
                compute(x, job.output, item);
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

        /** Computes every output of work item {@code item}: one or two (phase, n, jd, jh) rows of positions. */
        private void compute(float[] x, float[] y, int item) {
            int ph = 0;
            while (itemStart[ph + 1] <= item) {
                ph++;
            }
            int cd = phase[ph][0], ch = phase[ph][1], cw = phase[ph][2];
            int jdCount = axes[0].positions[cd];
            int jhCount = axes[1].positions[ch];
            int jhItems = (jhCount + rowsPerItem - 1) / rowsPerItem;
            int local = item - itemStart[ph];
            int jh = (local % jhItems) * rowsPerItem;
            int jd = (local / jhItems) % jdCount;
            int n = local / (jhItems * jdCount);
            boolean second = rowsPerItem == 2 && jh + 1 < jhCount;
            int jwCount = axes[2].positions[cw];
            int[] xOff = phaseXOff[ph];
            int entries = xOff.length;
            boolean paired = phasePaired[ph];
            int xRowStride = axes[2].padded * cin;
            int xRowA = ((n * axes[0].padded + jd) * axes[1].padded + jh) * xRowStride;
            // A lone last row still fills the tile's second half, from its own input; that half is discarded.
            int xRowB = second ? xRowA + xRowStride : xRowA;
            float[] w = weights.values;
            int blocks = weights.blocks();
            int lanes = SimdKernel.L;
            for (int g = 0; g < groups; g++) {
                int xa = xRowA + g * cinPerGroup;
                int xb = xRowB + g * cinPerGroup;
                for (int b = 0; b < blocks; b++) {
                    int[] wOff = phaseWOff[ph][g * blocks + b];
                    int rowOff = (g * weights.vectorsPerGroup + weights.blockStart[b]) * lanes;
                    boolean two = weights.blockWidth[b] == 2;
                    if (rowsPerItem == 2) {
                        for (int jw = 0; jw < jwCount; jw += TILE / 2) {
                            int ra = rowOff + jw * rowStride;
                            tile(two, paired, x, xa + jw * cin, xb + jw * cin, xOff, w, wOff, entries, ra, ra + rowBlock);
                        }
                    } else {
                        for (int jw = 0; jw < jwCount; jw += TILE) {
                            int a = xa + jw * cin;
                            int ra = rowOff + jw * rowStride;
                            tile(two, paired, x, a, a + TILE / 2 * cin, xOff, w, wOff, entries, ra, ra + TILE / 2 * rowStride);
                        }
                    }
                }
            }
            int od = cd + jd * axes[0].stride;
            int oh = ch + jh * axes[1].stride;
            store(y, 0, n, od, oh, cw, jwCount);
            if (second) {
                store(y, rowBlock, n, od, oh + axes[1].stride, cw, jwCount);
            }
        }

        private void tile(boolean two, boolean paired, float[] x, int xa, int xb, int[] xOff, float[] w, int[] wOff,
                int entries, int ra, int rb) {
            if (paired) {
                if (two) {
                    SimdKernel.p8c2(x, xa, xb, xOff, w, wOff, entries, cinPerGroup, cin, row, ra, rb, rowStride);
                } else {
                    SimdKernel.p8c1(x, xa, xb, xOff, w, wOff, entries, cinPerGroup, cin, row, ra, rb, rowStride);
                }
            } else if (two) {
                SimdKernel.r8c2(x, xa, xb, xOff, w, wOff, entries, cinPerGroup, cin, row, ra, rb, rowStride);
            } else {
                SimdKernel.r8c1(x, xa, xb, xOff, w, wOff, entries, cinPerGroup, cin, row, ra, rb, rowStride);
            }
        }

        /** Adds the bias, applies the activation and writes the row's outputs in the problem's layout. */
        private void store(float[] y, int rowBase, int n, int od, int oh, int cw, int jwCount) {
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
                int src = rowBase + jw * rowStride;
                int dst = yBase + jw * owStep;
                for (int g = 0; g < groups; g++) {
                    int co0 = g * coutPerGroup;
                    int from = src + g * vpg;
                    if (coStep == 1) {
                        SimdKernel.finish(row, from, bias, co0, y, dst + co0, coutPerGroup, activation);
                    } else {
                        for (int c = 0; c < coutPerGroup; c++) {
                            float v = row[from + c];
                            if (bias != null) {
                                v += bias[co0 + c];
                            }
                            y[dst + (co0 + c) * coStep] = SimdKernel.activate(v, activation);
                        }
                    }
                }
            }
        }
    }
}
