package org.deconv3d.simd;

/**
 * The working memory of one run: the zero-padded input copy, a row buffer per worker, and the run's progress
 * counters. A plan keeps a few idle ones for reuse, so a steady stream of runs allocates nothing.
 */
final class Workspace implements ParallelRunner.Items {

    private final Schedule schedule;
    private final TileLoop loop;
    private final Epilogue epilogue;
    final float[] padded;
    final float[][] rows;
    final ParallelRunner.Progress progress;
    private float[] input;
    private float[] output;

    Workspace(Schedule schedule, TileLoop loop, Epilogue epilogue, int workers) {
        this.schedule = schedule;
        this.loop = loop;
        this.epilogue = epilogue;
        this.padded = new float[schedule.paddedLength];
        this.rows = new float[workers][schedule.rowsPerItem * schedule.rowBlock];
        this.progress = new ParallelRunner.Progress(workers);
    }

    /** Binds the run's arrays; {@link #unbind} drops them so an idle workspace holds no caller data. */
    void bind(float[] input, float[] output) {
        this.input = input;
        this.output = output;
    }

    void unbind() {
        this.input = null;
        this.output = null;
    }

    @Override
    public int prepItems() {
        return schedule.prepItems;
    }

    @Override
    public void prepare(int item) {
        loop.prepare(input, padded, item);
    }

    @Override
    public int computeItems() {
        return schedule.computeItems + schedule.fillItems;
    }

    @Override
    public void compute(int item, int worker) {
        if (item < schedule.computeItems) {
            loop.computeRows(schedule.direct ? input : padded, output, rows[worker], item);
        } else {
            epilogue.fillBareRow(output, item - schedule.computeItems);
        }
    }
}
