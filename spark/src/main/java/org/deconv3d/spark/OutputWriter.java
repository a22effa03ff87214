package org.deconv3d.spark;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Writes each result to {@code out/<its path relative to the input directory>}, atomically: the bytes go to a file
 * in a staging directory beside {@code out} (same file system), are flushed, and are then moved into place in one
 * step. A task that fails or is killed leaves at most a file in the staging directory, never a partial file under
 * {@code out}; a retried or speculative attempt moves the very same bytes over it. Returns one status row per
 * volume for the driver's report.
 */
final class OutputWriter implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    /** path, written (bytes, 0 when not written), error. */
    static final StructType STATUS = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("bytes", DataTypes.LongType, false)
            .add("error", DataTypes.StringType, true);

    private final String inputDir;
    private final String outputDir;
    private final String stagingDir;

    OutputWriter(Path inputDir, Path outputDir, Path stagingDir) {
        this.inputDir = inputDir.toString();
        this.outputDir = outputDir.toString();
        this.stagingDir = stagingDir.toString();
    }

    @Override
    public Iterator<Row> call(Iterator<Row> results) throws IOException {
        TaskContext task = TaskContext.get();
        String attempt = task == null ? "local" : task.stageId() + "-" + task.partitionId() + "-" + task.attemptNumber();
        List<Row> status = new ArrayList<>();
        while (results.hasNext()) {
            Row r = results.next();
            String path = r.getString(0);
            if (r.isNullAt(1)) {
                status.add(RowFactory.create(path, 0L, r.getString(2)));
                continue;
            }
            byte[] bytes = (byte[]) r.get(1);
            Path relative = Paths.get(inputDir).relativize(Paths.get(URI.create(path)));
            Path target = Paths.get(outputDir).resolve(relative);
            Path staged = Paths.get(stagingDir).resolve(relative + "." + attempt);
            Files.createDirectories(staged.getParent());
            Files.createDirectories(target.getParent());
            Files.write(staged, bytes, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            status.add(RowFactory.create(path, (long) bytes.length, null));
        }
        return status.iterator();
    }
}
