package org.deconv3d.spark;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import org.apache.spark.TaskContext;
import org.deconv3d.cli.Npy;

/**
 * Writes a volume's result to {@code out/<its path relative to the input directory>}, atomically: the .npy is
 * streamed to a file in a staging directory beside {@code out} (same file system), flushed to the device, and then
 * moved into place in one step. A task that fails or is killed leaves at most a file in the staging directory, never
 * a partial file under {@code out}; a retried or speculative attempt moves the very same bytes over it.
 */
final class OutputWriter implements Serializable {

    private static final long serialVersionUID = 2L;

    private final String inputDir;
    private final String outputDir;
    private final String stagingDir;

    OutputWriter(Path inputDir, Path outputDir, Path stagingDir) {
        this.inputDir = inputDir.toString();
        this.outputDir = outputDir.toString();
        this.stagingDir = stagingDir.toString();
    }

    /** Writes {@code data} of {@code shape} as the output of the volume at {@code path} (a file URI, as Spark names it). */
    void write(String path, int[] shape, float[] data) throws IOException {
        TaskContext task = TaskContext.get();
        String attempt = task == null ? "local"
                : task.stageId() + "-" + task.partitionId() + "-" + task.attemptNumber();
        Path relative = Paths.get(inputDir).relativize(Paths.get(URI.create(path)));
        Path target = Paths.get(outputDir).resolve(relative);
        // One staging subdirectory per attempt: two attempts of one volume never share a temporary file.
        Path staged = Paths.get(stagingDir).resolve(attempt).resolve(relative);
        Files.createDirectories(staged.getParent());
        Files.createDirectories(target.getParent());
        Npy.write(staged, shape, data);
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
