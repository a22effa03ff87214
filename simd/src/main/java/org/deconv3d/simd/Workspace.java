package org.deconv3d.simd;

/**
 * The working memory of one run: the zero-padded input copy (grown on the first run of a larger batch, then
 * reused), a row buffer per worker, and the run's progress counters. A plan keeps a few idle ones for reuse, so a
 * steady stream of runs of one batch size allocates nothing.
 *
 * <p>As {@link ParallelRunner.Items} it numbers a run's items sample-major: item {@code i} of a stage is item
 * {@code i % perSample} of sample {@code i / perSample}. Bound {@code bySample} (a batch of many small samples), an
 * item is instead a whole sample: the worker copies it into its own padded slot and computes all its rows at once,
 * so there is no barrier between the stages and the copy is still in cache when the tiles read it.
 */
final class Workspace implements ParallelRunner.Items {

    private final Schedule schedule;
    private final TileLoop loop;
    private final Epilogue epilogue;
    private float[] padded;
    final float[][] rows;
    final ParallelRunner.Progress progress;
    private float[] input;
    private int inputOffset;
    private float[] output;
    private int outputOffset;
    private int batch;
    private boolean bySample;

    Workspace(Schedule schedule, TileLoop loop, Epilogue epilogue, int workers, int batch) {
        this.schedule = schedule;
        this.loop = loop;
        this.epilogue = epilogue;
        this.padded = new float[batch * schedule.paddedPerSample];
        this.rows = new float[workers][schedule.rowsPerItem * schedule.rowBlock];
        this.progress = new ParallelRunner.Progress(workers);
    }

    /** Makes room for {@code samples} padded samples; allocates only when a larger batch than before comes. */
    void ensure(int samples) {
        int needed = samples * schedule.paddedPerSample;
        if (padded.length < needed) {
            padded = new float[needed];
        }
    }

    long floats() {
        return padded.length + (long) rows.length * (rows.length == 0 ? 0 : rows[0].length);
    }

    /**
     * Binds one run's slices; {@link #unbind} drops them so an idle workspace holds no caller data. {@code bySample}
     * needs room for one padded sample per worker ({@link #ensure}).
     */
    void bind(float[] input, int inputOffset, float[] output, int outputOffset, int batch, boolean bySample) {
        this.input = input;
        this.inputOffset = inputOffset;
        this.output = output;
        this.outputOffset = outputOffset;
        this.batch = batch;
        this.bySample = bySample;
    }

    void unbind() {
        this.input = null;
        this.output = null;
    }

    @Override
    public int prepItems() {
        return bySample ? 0 : batch * schedule.prepItems;
    }

    @Override
    public void prepare(int item) {
        int n = item / schedule.prepItems;
        loop.prepare(input, inputOffset + n * schedule.inputPerSample, padded, n * schedule.paddedPerSample,
                item - n * schedule.prepItems);
    }

    @Override
    public int computeItems() {
        return bySample ? batch : batch * (schedule.computeItems + schedule.fillItems);
    }

    @Override
    public void compute(int item, int worker) {
        if (bySample) {
            computeSample(item, worker);
            return;
        }
        int perSample = schedule.computeItems + schedule.fillItems;
        int n = item / perSample;
        int local = item - n * perSample;
        int xBase = schedule.direct ? inputOffset + n * schedule.inputPerSample : n * schedule.paddedPerSample;
        computeItem(n, local, schedule.direct ? input : padded, xBase, worker);
    }

    private void computeSample(int n, int worker) {
        int slot = worker * schedule.paddedPerSample;
        int from = inputOffset + n * schedule.inputPerSample;
        for (int r = 0; r < schedule.prepItems; r++) {
            loop.prepare(input, from, padded, slot, r);
        }
        for (int local = 0, perSample = schedule.computeItems + schedule.fillItems; local < perSample; local++) {
            computeItem(n, local, padded, slot, worker);
        }
    }

    private void computeItem(int n, int local, float[] x, int xBase, int worker) {
        int yBase = outputOffset + n * schedule.outputPerSample;
        if (local < schedule.computeItems) {
            loop.computeRows(x, xBase, output, yBase, rows[worker], local);
        } else {
            epilogue.fillBareRow(output, yBase, local - schedule.computeItems);
        }
    }
}
