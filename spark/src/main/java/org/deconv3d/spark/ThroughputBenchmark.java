package org.deconv3d.spark;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.cli.Npy;

/**
 * Spark's overhead, measured: volumes per second of the job in local[2] against a plain loop over the same volumes
 * in one JVM (read the .npy, run one plan on both cores, write the .npy atomically), the same work and I/O.
 * Alternating rounds after a warm-up in the same JVM (local mode runs the tasks in-process, so both share the JIT's
 * work); prints every round and the medians.
 *
 * <pre>{@code
 * spark/run.sh bench [--volumes 40] [--rounds 5] [--dir /tmp/deconv3d-spark-bench]
 * }</pre>
 */
public final class ThroughputBenchmark {

    private static final Pattern SECONDS = Pattern.compile("volumes computed, \\d+ skipped, in ([0-9.]+) s");

    private ThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int volumes = 40;
        int rounds = 5;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "deconv3d-spark-bench");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--volumes": volumes = Integer.parseInt(args[++i]); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                case "--dir": dir = Path.of(args[++i]); break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                        + ": use --volumes N, --rounds N, --dir DIR");
            }
        }
        // The benchmark suite's "vol" shape: [1,32,32,32,32] -> [1,64,64,64,16], kernel 3, stride 2, SAME.
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 32, 32, 32, 32}, new int[] {3, 3, 3, 16, 32})
                .strides(2).build();
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        Random r = new Random(7);
        for (int i = 0; i < volumes; i++) {
            Npy.write(in.resolve(String.format("v%03d.npy", i)), p.inputShape(), values(r, p.inputLength()));
        }
        Path filter = dir.resolve("w.npy");
        Npy.write(filter, p.filterShape(), values(r, p.filterLength()));
        String[] flags = {"--strides", "2"};

        System.out.printf("%d volumes of %s -> %s, %.2f GFLOP each; %s%n", volumes, Arrays.toString(p.inputShape()),
                Arrays.toString(p.outputShape()), p.flops() / 1e9, Runtime.version());
        plainLoop(p, in, filter, dir.resolve("plain"), 4); // warm-up
        spark(in, filter, dir.resolve("spark"), flags);     // warm-up (and the session's one-time start)
        double[] plain = new double[rounds];
        double[] spark = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            plain[round] = volumes / plainLoop(p, in, filter, dir.resolve("plain"), volumes);
            spark[round] = volumes / spark(in, filter, dir.resolve("spark"), flags);
            System.out.printf("round %d: plain loop %.2f volumes/s, spark local[2] %.2f volumes/s%n", round + 1,
                    plain[round], spark[round]);
        }
        double mp = median(plain);
        double ms = median(spark);
        System.out.printf("median: plain loop %.2f volumes/s (%.1f GFLOP/s), spark local[2] %.2f volumes/s"
                + " (%.1f GFLOP/s): Spark's overhead %.1f%%%n", mp, mp * p.flops() / 1e9, ms, ms * p.flops() / 1e9,
                100 * (mp / ms - 1));
    }

    /** Seconds to read, compute and write {@code count} volumes in one loop, one plan on all processors. */
    private static double plainLoop(Deconv3dProblem p, Path in, Path filter, Path out, int count) throws Exception {
        Files.createDirectories(out);
        List<Path> files = new ArrayList<>();
        try (var list = Files.list(in)) {
            list.sorted().limit(count).forEach(files::add);
        }
        long t0 = System.nanoTime();
        float[] w = Npy.read(filter).data();
        try (Deconv3dPlan plan = Backends.select(p).plan(p, w, null)) {
            float[] y = new float[p.outputLength()];
            for (Path f : files) {
                plan.run(Npy.read(f).data(), y);
                Npy.write(out.resolve(f.getFileName()), p.outputShape(), y);
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Seconds of the job's own work (from loading the volumes to the last output), as it reports them. */
    private static double spark(Path in, Path filter, Path out, String[] flags) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> a = new ArrayList<>(List.of("--input", in.toString(), "--filter", filter.toString(), "--out",
                out.toString(), "--master", "local[2]"));
        a.addAll(List.of(flags));
        int exit = VolumeJob.commandLine(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .execute(a.toArray(new String[0]));
        String log = bytes.toString(StandardCharsets.UTF_8);
        Matcher m = SECONDS.matcher(log);
        if (exit != 0 || !m.find()) {
            throw new IllegalStateException("the job failed (exit " + exit + "):\n" + log);
        }
        return Double.parseDouble(m.group(1));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static float[] values(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }
}
