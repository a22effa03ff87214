package org.deconv3d.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.cli.IntList;
import org.deconv3d.cli.Main;
import org.deconv3d.cli.Npy;
import org.deconv3d.cli.ProblemOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spark/run.sh}: every .npy volume under {@code --input} through one problem, one output .npy per volume
 * under {@code --out} with the same relative name. Embedded local mode by default; the same jar runs on a cluster
 * with {@code spark-submit} (then Spark's master wins).
 *
 * <p>Before Spark starts, the driver reads the filter, the bias and the first volume's header, builds the problem
 * and a plan: a wrong shape fails in seconds, not after thousands of tasks. A volume that cannot be computed (other
 * shape, unreadable, not convertible to float32) is skipped and listed; the exit code is then 3 (0 when all went
 * well, 2 when the job could not start).
 */
@Command(name = "spark/run.sh", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Compute a 3D transposed convolution for every .npy volume under --input on Apache Spark,"
                + " writing one .npy per volume under --out (same relative names).")
public final class VolumeJob implements Callable<Integer> {

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "directory of .npy volumes (searched recursively)")
    Path input;

    @Option(names = "--filter", required = true, paramLabel = "W.npy", description = "filter (tensorflow) or weight (torch, onnx)")
    Path filter;

    @Option(names = "--bias", paramLabel = "B.npy", description = "optional bias, shape [Cout]")
    Path bias;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory (created)")
    Path out;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master; default local[2] (embedded), or what spark-submit set")
    String master;

    @Option(names = "--partitions", paramLabel = "N", description = "repartition the volumes into N partitions")
    Integer partitions;

    @Mixin
    ProblemOptions options;

    private final PrintStream log;

    VolumeJob(PrintStream log) {
        this.log = log;
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.out).execute(args));
    }

    /** The job's command line, for tests and {@link #main}: expected failures are one line and exit code 2. */
    static CommandLine commandLine(PrintStream log) {
        CommandLine cli = new CommandLine(new VolumeJob(log));
        cli.registerConverter(IntList.class, IntList::parse);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            String message = Main.expectedFailure(e);
            if (message == null) {
                throw e;
            }
            line.getErr().println("error: " + message);
            return 2;
        });
        return cli;
    }

    @Override
    public Integer call() throws IOException {
        Path in = input.toAbsolutePath().normalize();
        Path dest = out.toAbsolutePath().normalize();
        List<Path> volumes = volumes(in);
        if (dest.startsWith(in)) {
            throw new IllegalArgumentException("--out " + out + " is inside --input " + input + ": the outputs would"
                    + " be read as volumes; give --out a directory outside it");
        }
        Npy.Array first = Npy.read(volumes.get(0));
        Npy.Array w = Npy.read(filter);
        float[] b = bias == null ? null : Npy.read(bias).data();
        Deconv3dProblem p = options.build(first.shape(), w.shape());
        try (Deconv3dPlan check = Backends.select(p).plan(p, w.data(), b)) {
            log.println("[deconv3d] " + volumes.size() + " volumes of " + java.util.Arrays.toString(p.inputShape())
                    + " -> " + java.util.Arrays.toString(p.outputShape()) + " on " + check.backend() + ": "
                    + p.describe());
        }
        Files.createDirectories(dest);
        Path staging = dest.resolveSibling("." + dest.getFileName() + ".staging-" + ProcessHandle.current().pid());
        SparkSession.Builder builder = SparkSession.builder().appName("deconv3d")
                .config("spark.ui.showConsoleProgress", "false");
        String chosen = master != null ? master : System.getProperty("spark.master", "local[2]");
        builder.master(withRetries(chosen));
        SparkSession spark = builder.getOrCreate();
        ProgressListener progress = new ProgressListener(log);
        spark.sparkContext().addSparkListener(progress);
        balancePartitions(spark, volumes);
        try {
            long t0 = System.nanoTime();
            Dataset<Row> files = spark.read().format("binaryFile").option("pathGlobFilter", "*.npy")
                    .option("recursiveFileLookup", "true").load(in.toString());
            if (partitions != null) {
                files = files.repartition(partitions);
            }
            List<Row> status = Deconv3dSpark.map(files.select("path", "content"), p, w.data(), b,
                    new OutputWriter(in, dest, staging)).select("path", "error").collectAsList();
            double seconds = (System.nanoTime() - t0) / 1e9;
            return report(status, p, seconds, dest);
        } finally {
            spark.stop();
            deleteTree(staging);
        }
    }

    /**
     * Spark packs small files into partitions by bytes; 40 volumes of 4 MB become 3 partitions, and 3 tasks on 2
     * cores leave one core idle a third of the time. Unless the user set {@code spark.sql.files.maxPartitionBytes},
     * partitions get a whole number of volumes, about four tasks per core (one volume each when there are few), so
     * the cores finish together and a retried task repeats little.
     */
    private static void balancePartitions(SparkSession spark, List<Path> volumes) throws IOException {
        String key = "spark.sql.files.maxPartitionBytes";
        if (spark.sparkContext().getConf().contains(key)) {
            return;
        }
        long openCost = spark.sparkContext().getConf().getSizeAsBytes("spark.sql.files.openCostInBytes", "4m");
        long size = Files.size(volumes.get(0));
        long perPartition = Math.max(1, volumes.size() / (4L * spark.sparkContext().defaultParallelism()));
        // Spark closes a partition before the file that would pass the limit; every file counts size + openCost.
        long limit = perPartition * (size + openCost) + size / 2;
        spark.conf().set(key, Math.max(limit, openCost));
    }

    /** Local mode retries nothing unless asked: {@code local[N]} becomes {@code local[N,4]}, as a cluster would. */
    static String withRetries(String master) {
        return master.matches("local\\[(\\d+|\\*)\\]") ? master.replace("]", ",4]") : master;
    }

    private static List<Path> volumes(Path in) throws IOException {
        if (!Files.isDirectory(in)) {
            throw new IllegalArgumentException("--input " + in + " is not a directory: pass the directory that"
                    + " holds the .npy volumes");
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(in)) {
            walk.filter(f -> f.getFileName().toString().endsWith(".npy") && Files.isRegularFile(f)).sorted()
                    .forEach(found::add);
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("--input " + in + " holds no .npy file: put the volumes there (any"
                    + " depth of subdirectories)");
        }
        return found;
    }

    private int report(List<Row> status, Deconv3dProblem p, double seconds, Path dest) throws IOException {
        List<String> bad = new ArrayList<>();
        int good = 0;
        for (Row r : status) {
            if (r.isNullAt(1)) {
                good++;
            } else {
                bad.add(r.getString(0) + ": " + r.getString(1));
            }
        }
        bad.sort(Comparator.naturalOrder());
        log.printf("[deconv3d] %d volumes computed, %d skipped, in %.2f s: %.2f volumes/s, %.1f GFLOP/s%n", good,
                bad.size(), seconds, good / seconds, good * (double) p.flops() / seconds / 1e9);
        if (!bad.isEmpty()) {
            Path list = dest.resolve("_skipped.txt");
            Path tmp = dest.resolve("._skipped.txt.partial");
            Files.write(tmp, bad);
            Files.move(tmp, list, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            log.println("[deconv3d] skipped (also in " + list + "):");
            bad.forEach(line -> log.println("  " + line));
            return 3;
        }
        return 0;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("[deconv3d] could not remove the staging directory " + dir + ": " + e.getMessage());
        }
    }
}
