package org.deconv3d.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dProblem;

/**
 * 3D transposed convolution over a {@link Dataset} of volumes, for Spark applications.
 *
 * <p>The problem and weights are checked on the driver, before any task starts; the weights travel once per
 * executor (a broadcast) and are packed into one plan per executor JVM, shared by all its tasks; each task runs on
 * {@code spark.task.cpus} threads. The simd backend's results are bitwise identical for any thread count, so a
 * retried or speculative task computes exactly the same bytes, whatever the partitioning.
 *
 * <pre>{@code
 * Dataset<Row> volumes = spark.read().format("binaryFile").option("pathGlobFilter", "*.npy").load("scans/");
 * Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 32, 32, 32, 32}, new int[] {3, 3, 3, 16, 32})
 *         .strides(2).build();                                // the shape of one file
 * Dataset<Row> results = Deconv3dSpark.transform(volumes, p, filter, null);
 * // columns: path (string), output (binary: a .npy file, or null), error (string, or null)
 * }</pre>
 */
public final class Deconv3dSpark {

    /** The result rows: the volume's path, its output as .npy bytes (null on error), and the error (else null). */
    public static final StructType RESULT = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("output", DataTypes.BinaryType, true)
            .add("error", DataTypes.StringType, true);

    private Deconv3dSpark() {
    }

    /**
     * Computes {@code problem} (each row holds one input of the problem's shape, its batch included) for every row of {@code volumes}, which must have the
     * columns {@code path} (string) and {@code content} (binary: a .npy file), as Spark's {@code binaryFile} source
     * reads them.
     *
     * @throws IllegalArgumentException on the driver, before any task, if the filter or bias does not fit the
     *                                  problem
     */
    public static Dataset<Row> transform(Dataset<Row> volumes, Deconv3dProblem problem, float[] filter,
            float[] bias) {
        return map(volumes, problem, filter, bias, null);
    }

    /** As {@link #transform}, with the results written by {@code writer} (the output column then null). */
    static Dataset<Row> map(Dataset<Row> volumes, Deconv3dProblem problem, float[] filter, float[] bias,
            OutputWriter writer) {
        Deconv3d.requirePlanArguments(problem, filter, bias);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(volumes.sparkSession().sparkContext());
        Broadcast<float[]> w = sc.broadcast(filter.clone());
        Broadcast<float[]> b = bias == null ? null : sc.broadcast(bias.clone());
        return volumes.select(volumes.col("path"), volumes.col("content"))
                .mapPartitions(new VolumeMapper(problem.describe(), w, b, writer), Encoders.row(RESULT));
    }
}
