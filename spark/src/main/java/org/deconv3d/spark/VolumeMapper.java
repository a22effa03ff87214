package org.deconv3d.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.cli.Main;
import org.deconv3d.cli.Npy;

/**
 * The task side of {@link Deconv3dSpark#transform}: each volume (a .npy file's bytes) decoded, checked against the
 * problem's input shape, computed with this executor's plan, and either encoded as .npy bytes in the result row or,
 * given an {@link OutputWriter} (the job's case), written to its output file at once, so a 16 MB result never
 * travels through Spark's rows. A volume that cannot be used becomes a row with its error instead of failing the
 * task (a real failure, e.g. out of memory or a write error, still fails it, and Spark retries it).
 */
final class VolumeMapper implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;
    /** Tests name a volume here to make its first task attempt fail, so Spark's retry is exercised. */
    static final String FAIL_FIRST_ATTEMPT = "deconv3d.spark.failFirstAttemptOf";

    private final String problem;
    private final Broadcast<float[]> filter;
    private final Broadcast<float[]> bias;
    /** Null: results go into the rows. */
    private final OutputWriter writer;

    VolumeMapper(String problem, Broadcast<float[]> filter, Broadcast<float[]> bias, OutputWriter writer) {
        this.problem = problem;
        this.filter = filter;
        this.bias = bias;
        this.writer = writer;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> volumes) {
        TaskContext task = TaskContext.get();
        int threads = task == null ? 1 : Math.max(1, task.cpus());
        Deconv3dPlan plan = ExecutorPlans.get(problem, filter.id(), filter.value(), bias == null ? null : bias.value(),
                threads);
        Deconv3dProblem p = plan.problem();
        String inject = System.getProperty(FAIL_FIRST_ATTEMPT);
        // One output buffer per task when results are written out; rows that carry them need their own.
        float[] reused = writer == null ? null : new float[p.outputLength()];
        // Lazily, one volume at a time: a partition's outputs are never all held at once.
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return volumes.hasNext();
            }

            @Override
            public Row next() {
                Row row = volumes.next();
                String path = row.getString(0);
                if (inject != null && path.endsWith(inject) && task != null && task.attemptNumber() == 0) {
                    throw new IllegalStateException("injected failure of the first attempt on " + path);
                }
                return compute(plan, p, path, (byte[]) row.get(1), reused);
            }
        };
    }

    private Row compute(Deconv3dPlan plan, Deconv3dProblem p, String path, byte[] content, float[] reused) {
        try {
            Npy.Array x = Npy.decode(content, path);
            if (!Arrays.equals(x.shape(), p.inputShape())) {
                return RowFactory.create(path, null, path + " has shape " + Arrays.toString(x.shape())
                        + " but the job's problem takes " + Arrays.toString(p.inputShape()) + " (from the first"
                        + " volume): give every volume that shape, or run the others in a job of their own");
            }
            float[] y = reused != null ? reused : new float[p.outputLength()];
            plan.run(x.data(), y);
            if (writer == null) {
                return RowFactory.create(path, Npy.encode(p.outputShape(), y), null);
            }
            writer.write(path, p.outputShape(), y);
            return RowFactory.create(path, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            String why = Main.expectedFailure(e);
            return RowFactory.create(path, null, why == null ? e.toString() : why);
        }
    }
}
