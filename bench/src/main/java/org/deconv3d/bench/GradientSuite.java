package org.deconv3d.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.data.category.DefaultCategoryDataset;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The gradients' benchmark run: per shape and thread count, the simd backend's forward run, input gradient and
 * filter+bias gradient ({@link GradientBenchmark}) and TensorFlow's two gradient ops ({@code PeerGradientBenchmark},
 * when built with {@code -Ppeers}), each in its own JMH run, then a Markdown table (times, each gradient against
 * our forward and against TensorFlow) and a chart per thread count. Every figure is GFLOP/s of the forward's FLOP
 * count, which each gradient shares.
 *
 * <pre>
 * GradientSuite [--shapes unet-k3,vol] [--threads 1,2] [--forks 2] [--out DIR]
 * </pre>
 */
public final class GradientSuite {

    private static final String PEER = "org.deconv3d.bench.peers.PeerGradientBenchmark";
    private static final List<String> SHAPES = List.of("unet-k2", "unet-k3", "gan", "vol", "unet64", "batch");

    private GradientSuite() {
    }

    public static void main(String[] args) throws IOException, RunnerException {
        List<String> shapes = SHAPES;
        List<Integer> threads = List.of(1, Runtime.getRuntime().availableProcessors());
        int forks = 2;
        Path out = Paths.get("target", "bench-results", LocalDate.now() + "-gradients");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shapes": shapes = Arrays.asList(args[++i].split(",")); break;
                case "--threads": threads = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList(); break;
                case "--forks": forks = Integer.parseInt(args[++i]); break;
                case "--out": out = Paths.get(args[++i]); break;
                default:
                    System.err.println("unknown argument " + args[i] + "\nusage: GradientSuite [--shapes a,b]"
                            + " [--threads 1,2] [--forks N] [--out DIR]");
                    System.exit(2);
            }
        }
        shapes.forEach(Shape::of);
        Files.createDirectories(out);
        boolean peers = BenchSuite.classPresent(PEER);
        System.out.printf(Locale.ROOT, "deconv3d gradient benchmarks on %s%s%n", Machine.describe(),
                peers ? "" : " (no peers: build with -Ppeers for TensorFlow)");
        Map<Integer, Double> peak = new TreeMap<>();
        for (int t : threads) {
            peak.put(t, BenchSuite.measurePeak(t, false));
        }
        // (shape, threads) -> column -> median ms
        Map<String, Map<String, Double>> ms = new LinkedHashMap<>();
        List<RunResult> raw = new ArrayList<>();
        for (String shape : shapes) {
            for (int t : threads) {
                Map<String, Double> row = ms.computeIfAbsent(shape + "@" + t, k -> new LinkedHashMap<>());
                for (String op : List.of("forward", "input", "weights")) {
                    row.put("simd " + op, run(GradientBenchmark.class.getName(), shape, "simd", t, op, forks, raw));
                }
                if (peers) {
                    for (String op : List.of("input", "weights")) {
                        row.put("tensorflow " + op, run(PEER, shape, "tensorflow", t, op, forks, raw));
                    }
                }
                System.out.printf(Locale.ROOT, "%-8s %d thread%s: %s%n", shape, t, t == 1 ? " " : "s", row);
            }
        }
        try (PrintStream json = new PrintStream(out.resolve("gradients.json").toFile(), "UTF-8")) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, json).writeOut(raw);
        }
        String table = "Machine: " + Machine.describe() + ". Date: " + LocalDate.now() + ". Command: `GradientSuite "
                + String.join(" ", args) + "`. Median of all measured iterations. Peak: "
                + BenchSuite.describePeak(peak, false) + ".\n\n" + table(ms, peak, peers);
        Files.writeString(out.resolve("gradients.md"), table);
        for (int t : threads) {
            chart(ms, t, peak.get(t), out.resolve("gradients-" + t + "thread" + (t == 1 ? "" : "s") + ".png"));
        }
        System.out.println();
        System.out.print(table);
        System.out.println("written: " + out.toAbsolutePath() + "/{gradients.json, gradients.md, gradients-*.png}");
    }

    private static double run(String benchmark, String shape, String backend, int threads, String op, int forks,
            List<RunResult> raw) throws RunnerException {
        RunResult r = new Runner(new OptionsBuilder().include(benchmark.replace(".", "\\.") + "\\.run$")
                .param("shape", shape).param("backend", backend).param("threads", Integer.toString(threads))
                .param("op", op).forks(forks).shouldFailOnError(true).verbosity(VerboseMode.SILENT)
                .jvmArgsAppend(BenchSuite.forkArgs(!backend.equals("simd"))).build()).runSingle();
        raw.add(r);
        return r.getAggregatedResult().getPrimaryResult().getStatistics().getPercentile(50);
    }

    static String table(Map<String, Map<String, Double>> ms, Map<Integer, Double> peak, boolean peers) {
        StringBuilder b = new StringBuilder("| shape | threads | forward ms | input grad ms | input / forward |"
                + (peers ? " TF input ms | TF / ours (input) |" : "") + " filter+bias grad ms | filter / forward |"
                + (peers ? " TF filter+bias ms | TF / ours (filter) |" : "") + " input % of peak | filter % of peak |\n");
        b.append("|---|---:|---:|---:|---:|").append(peers ? "---:|---:|" : "").append("---:|---:|")
                .append(peers ? "---:|---:|" : "").append("---:|---:|\n");
        ms.forEach((key, row) -> {
            String shape = key.substring(0, key.indexOf('@'));
            int t = Integer.parseInt(key.substring(key.indexOf('@') + 1));
            double flops = Shape.of(shape).problem().flops();
            double fwd = row.get("simd forward");
            double in = row.get("simd input");
            double w = row.get("simd weights");
            b.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f× |", shape, t, fwd, in, in / fwd));
            if (peers) {
                double tf = row.get("tensorflow input");
                b.append(String.format(Locale.ROOT, " %.2f | %.2f× |", tf, tf / in));
            }
            b.append(String.format(Locale.ROOT, " %.2f | %.2f× |", w, w / fwd));
            if (peers) {
                double tf = row.get("tensorflow weights");
                b.append(String.format(Locale.ROOT, " %.2f | %.2f× |", tf, tf / w));
            }
            double pk = peak.get(t);
            b.append(String.format(Locale.ROOT, " %.0f%% | %.0f%% |%n", 100 * flops / (in * 1e6) / pk,
                    100 * flops / (w * 1e6) / pk));
        });
        return b.toString();
    }

    private static void chart(Map<String, Map<String, Double>> ms, int threads, double peak, Path png)
            throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        ms.forEach((key, row) -> {
            String shape = key.substring(0, key.indexOf('@'));
            if (Integer.parseInt(key.substring(key.indexOf('@') + 1)) != threads) {
                return;
            }
            double flops = Shape.of(shape).problem().flops();
            row.forEach((column, millis) -> {
                String[] parts = column.split(" ");
                String what = parts[1].equals("forward") ? "forward" : parts[1].equals("input") ? "dx" : "dw+db";
                data.addValue(flops / (millis * 1e6), parts[0] + " " + what, shape);
            });
        });
        ReportChart.renderBars(data, String.format(Locale.ROOT, "Gradients of the 3D transposed convolution, %d"
                + " thread%s (GFLOP/s of the forward's FLOPs)", threads, threads == 1 ? "" : "s"), "shape",
                peak, Machine.cpu() + ", JDK " + System.getProperty("java.version"), png.toFile());
    }
}
