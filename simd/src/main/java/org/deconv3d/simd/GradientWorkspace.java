package org.deconv3d.simd;

/**
 * The working memory of one gradient call: the padded copy of {@code g} for a chunk of samples (zeroed once, when
 * allocated: the positions no output backs are never written), an input-gradient scratch, a filter-sum scratch, a plane
 * table and a packed block per worker, the bias gradient's row sums, and the call's progress counters.
 * {@link SimdGradients} keeps idle ones for reuse, so a steady stream of gradient calls allocates nothing.
 *
 * <p>As {@link ParallelRunner.Items}: the preparation items are the chunk's output rows ({@link GradientPrep}),
 * the compute items either its input rows ({@link InputGradientRows}) or the filter slices
 * ({@link FilterGradientSlices}).
 */
final class GradientWorkspace implements ParallelRunner.Items {

    private final GradientGeometry geo;
    private final GradientPrep prep;
    private final InputGradientRows inputRows;
    private final FilterGradientSlices slices;
    final ParallelRunner.Progress progress;
    /** One input-gradient scratch per worker. */
    private final InputGradientScratch[] scratch;
    /** By taps: one per worker; by planes: one per item (each item's partial filter). */
    private final float[][] sums;
    /** One filter-gradient plane table per worker ({@link FilterGradientSlices#planeTableInts}). */
    private final int[][] planeTables;
    private final int planeTableInts;
    /** One filter-gradient packed block per worker ({@link FilterGradientSlices#packFloats}). */
    private final float[][] packs;
    private final float[] padded;
    private final float[] rowSums;
    /** The bias gradient's running sums, in double, over the chunks so far. */
    final double[] biasSums;

    private boolean filterPass;
    private boolean reducing;
    private float[] dy;
    private float[] y;
    private float[] x;
    private float[] dx;
    private float[] dw;
    private boolean wantBias;
    private int n0;
    private int samples;
    private boolean firstChunk;

    GradientWorkspace(GradientGeometry geo, GradientPrep prep, InputGradientRows inputRows,
            FilterGradientSlices slices, int workers, int samples) {
        this.geo = geo;
        this.prep = prep;
        this.inputRows = inputRows;
        this.slices = slices;
        this.progress = new ParallelRunner.Progress(workers);
        this.scratch = new InputGradientScratch[workers];
        this.sums = new float[geo.byPlanes ? slices.items(samples) : workers][];
        this.planeTables = new int[workers][];
        this.planeTableInts = slices.planeTableInts(samples);
        this.packs = new float[workers][];
        this.biasSums = new double[geo.problem.outChannels()];
        // Sized once for the plan's chunk of samples (every call uses that chunk or a smaller last one).
        int inputSlots = geo.inputReadsGradOutput ? 0 : geo.inputBySample ? workers : samples;
        int filterSlots = geo.gradOutputAsIs ? 0 : samples;
        this.padded = new float[Math.multiplyExact(Math.max(inputSlots, filterSlots), geo.gPerSample)];
        this.rowSums = new float[Math.multiplyExact(Math.multiplyExact(samples, geo.out[0] * geo.out[1]),
                geo.problem.outChannels())];
    }

    /** Binds an input-gradient chunk. */
    void bindInput(float[] dy, float[] y, float[] dx, int n0, int samples) {
        bind(dy, y, n0, samples);
        for (InputGradientScratch sc : scratch) {
            if (sc != null) {
                sc.forget();
            }
        }
        this.filterPass = false;
        this.dx = dx;
        this.wantBias = false;
    }

    /** Binds a filter-gradient chunk; {@code firstChunk} starts the sums from zero. */
    void bindFilter(float[] x, float[] dy, float[] y, float[] dw, boolean wantBias, int n0, int samples,
            boolean firstChunk) {
        bind(dy, y, n0, samples);
        this.filterPass = true;
        this.x = x;
        this.dw = dw;
        this.wantBias = wantBias;
        this.firstChunk = firstChunk;
    }

    private void bind(float[] dy, float[] y, int n0, int samples) {
        this.dy = dy;
        this.y = y;
        this.n0 = n0;
        this.samples = samples;
    }

    /**
     * By planes, after a chunk's run: whether the items are now the reduction's slices (the partial filters into
     * {@code dw}, {@link FilterGradientSlices#reduce}) rather than the chunk's items.
     */
    void reducing(boolean on) {
        reducing = on;
    }

    /** Adds this chunk's bias row sums, row by row in order, to {@link #biasSums}. */
    void addBiasRows() {
        int cout = biasSums.length;
        int rowCount = samples * geo.out[0] * geo.out[1];
        for (int r = 0; r < rowCount; r++) {
            for (int co = 0; co < cout; co++) {
                biasSums[co] += rowSums[r * cout + co];
            }
        }
    }

    /** Drops the caller's arrays so an idle workspace holds none. */
    void unbind() {
        dy = null;
        y = null;
        x = null;
        dx = null;
        dw = null;
    }

    @Override
    public int prepItems() {
        if (reducing || !filterPass && geo.inputBySample) {
            return 0;
        }
        boolean inPlace = filterPass ? geo.gradOutputAsIs : geo.inputReadsGradOutput;
        boolean sums = wantBias && !(filterPass && geo.everyBiasPlaneFused);
        return inPlace && !sums ? 0 : samples * geo.out[0] * geo.out[1];
    }

    @Override
    public void prepare(int item) {
        boolean store = !(filterPass ? geo.gradOutputAsIs : geo.inputReadsGradOutput);
        prep.row(dy, y, n0, padded, store, wantBias ? rowSums : null, item);
    }

    @Override
    public int itemsPerClaim() {
        return !reducing && !filterPass && !geo.inputBySample ? geo.inputItemsPerClaim() : 1;
    }

    @Override
    public int computeItems() {
        if (reducing) {
            return slices.reduceSlices();
        }
        if (filterPass) {
            return slices.items(samples);
        }
        return geo.inputBySample ? samples : samples * geo.inputItemsPerSample();
    }

    @Override
    public void compute(int item, int worker) {
        if (reducing) {
            slices.reduce(sums, slices.items(samples), dw, firstChunk, item);
        } else if (filterPass) {
            int slot = geo.byPlanes ? item : worker;
            if (sums[slot] == null) {
                sums[slot] = new float[geo.sumFloats()];
            }
            if (planeTables[worker] == null) {
                planeTables[worker] = new int[planeTableInts];
                packs[worker] = new float[slices.packFloats()];
            }
            slices.item(x, geo.gradOutputAsIs ? dy : padded, n0, samples, firstChunk, sums[slot], dw, item,
                    planeTables[worker], packs[worker], wantBias && geo.fusedBias ? rowSums : null);
        } else {
            if (scratch[worker] == null) {
                scratch[worker] = inputRows.scratch();
            }
            if (geo.inputBySample) {
                inputSample(n0 + item, worker);
            } else {
                inputRows.row(geo.inputReadsGradOutput ? dy : padded, scratch[worker], dx, n0, item);
            }
        }
    }

    /** Sample {@code n} of the batch, copied into the worker's own padded slot, then all its input rows. */
    private void inputSample(int n, int worker) {
        for (int r = 0, rows = geo.out[0] * geo.out[1]; r < rows; r++) {
            prep.copyRow(dy, y, n, padded, worker, r);
        }
        for (int item = 0, items = geo.inputItemsPerSample(); item < items; item++) {
            inputRows.row(padded, worker, scratch[worker], dx, n, item);
        }
    }
}
