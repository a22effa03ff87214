package org.deconv3d.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Locale;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3dProvider;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the benchmark suite, one JMH run per (shape, backend, threads) with a progress line each, then writes
 * JMH's JSON, a Markdown table and a chart per thread count. Peers (TensorFlow, ONNX Runtime, ND4J) are included
 * when their benchmark is on the class path (the {@code peers} Maven profile). Before the runs it measures the
 * machine's peak ({@link PeakBenchmark}) on each thread count, so "% of peak" belongs to the machine that ran.
 *
 * <pre>
 * BenchSuite [--quick] [--shapes seed,gan] [--threads 1,2] [--backends simd,reference,tensorflow]
 *            [--forks 2] [--peak GFLOPS] [--out DIR]
 * </pre>
 * {@code --peak} replaces the measured peak by a given one per core (e.g. from a C FMA loop); {@code --quick} is
 * the short run behind {@code ./deconv3d bench}.
 */
public final class BenchSuite {

    private static final String PEER_BENCHMARK = "org.deconv3d.bench.peers.PeerBenchmark";
    private static final List<String> PEERS = ReportTable.PEERS;

    private BenchSuite() {
    }

    public static void main(String[] args) throws IOException, RunnerException {
        boolean quick = false;
        List<String> shapes = null;
        List<Integer> threads = null;
        List<String> backends = null;
        int forks = 2;
        Double peakOverride = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick": quick = true; break;
                case "--shapes": shapes = Arrays.asList(args[++i].split(",")); break;
                case "--threads": threads = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList(); break;
                case "--backends": backends = Arrays.asList(args[++i].split(",")); break;
                case "--forks": forks = Integer.parseInt(args[++i]); break;
                case "--peak": peakOverride = Double.parseDouble(args[++i]); break;
                case "--out": out = Paths.get(args[++i]); break;
                default:
                    System.err.println("unknown argument " + args[i] + "\nusage: BenchSuite [--quick] [--shapes a,b]"
                            + " [--threads 1,2] [--backends simd,reference,...] [--forks N] [--peak GFLOPS] [--out DIR]");
                    System.exit(2);
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (shapes == null) {
            shapes = quick ? Arrays.stream(Shape.CORE).map(Shape::label).toList()
                    : Arrays.stream(Shape.values()).map(Shape::label).toList();
        }
        shapes.forEach(Shape::of);
        if (threads == null) {
            threads = quick || cores == 1 ? List.of(cores) : List.of(1, cores);
        }
        boolean peersPresent = classPresent(PEER_BENCHMARK);
        if (backends == null) {
            backends = new ArrayList<>();
            for (Deconv3dProvider p : Backends.providers()) {
                if (p.availability().available()) {
                    backends.add(p.name());
                } else {
                    System.out.println("skipping backend " + p.name() + ": " + p.availability().reason());
                }
            }
            if (peersPresent && !quick) {
                backends.addAll(PEERS);
            }
        }
        if (out == null) {
            // Under target/, so a quick look never leaves untracked files in the checkout.
            out = Paths.get("target", "bench-results", LocalDate.now().toString() + (quick ? "-quick" : ""));
        }
        Files.createDirectories(out);

        List<String[]> runs = new ArrayList<>();
        for (String shape : shapes)
            for (String backend : backends)
                for (int t : backend.equals("reference") ? List.of(1) : threads)
                    runs.add(new String[] {shape, backend, Integer.toString(t)});
        System.out.printf(Locale.ROOT, "deconv3d benchmark suite: %d runs on %s%n", runs.size(), Machine.describe());
        Map<Integer, Double> peak = new TreeMap<>();
        for (int t : threads) {
            peak.put(t, peakOverride != null ? peakOverride * t : measurePeak(t, quick));
            System.out.printf(Locale.ROOT, "peak with %d thread%s: %.0f GFLOP/s (%s)%n", t, t == 1 ? "" : "s",
                    peak.get(t), peakOverride != null ? "--peak" : "Vector API FMA loop, measured now");
        }

        List<RunResult> raw = new ArrayList<>();
        List<Measurement> results = new ArrayList<>();
        int done = 0;
        for (String[] run : runs) {
            done++;
            boolean peer = PEERS.contains(run[1]);
            if (peer && !peersPresent) {
                System.out.printf(Locale.ROOT, "[%d/%d] %s %s: skipped, peers are built with -Ppeers%n", done,
                        runs.size(), run[0], run[1]);
                continue;
            }
            String benchmark = peer ? PEER_BENCHMARK : Deconv3dBenchmark.class.getName();
            ChainedOptionsBuilder o = new OptionsBuilder().include(benchmark.replace(".", "\\.") + "\\.run$")
                    .param("shape", run[0]).param("backend", run[1]).param("threads", run[2])
                    .forks(quick ? 1 : forks).shouldFailOnError(true).verbosity(VerboseMode.SILENT)
                    .jvmArgsAppend(forkArgs(peer));
            if (quick) {
                o.warmupIterations(2).warmupTime(TimeValue.milliseconds(300))
                        .measurementIterations(3).measurementTime(TimeValue.milliseconds(300));
            } else if (run[1].equals("reference")) {
                o.warmupIterations(1).measurementIterations(3);
            }
            Collection<RunResult> r;
            try {
                r = new Runner(o.build()).run();
            } catch (RunnerException e) {
                System.out.printf(Locale.ROOT, "[%d/%d] %s %s %s threads: FAILED (%s)%n", done, runs.size(), run[0],
                        run[1], run[2], e.getMessage());
                continue;
            }
            for (RunResult rr : r) {
                raw.add(rr);
                double median = rr.getAggregatedResult().getPrimaryResult().getStatistics().getPercentile(50);
                Measurement m = new Measurement(run[0], run[1], Integer.parseInt(run[2]), median,
                        rr.getAggregatedResult().getPrimaryResult().getScoreError());
                results.add(m);
                System.out.printf(Locale.ROOT, "[%d/%d] %-14s %-11s %d thread%s: %10.3f ms  %8.1f GFLOP/s%n", done,
                        runs.size(), m.shape(), m.backend(), m.threads(), m.threads() == 1 ? " " : "s", m.millis(),
                        m.gflops());
            }
        }

        try (PrintStream json = new PrintStream(out.resolve("results.json").toFile(), "UTF-8")) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, json).writeOut(raw);
        }
        String command = "BenchSuite " + String.join(" ", args);
        String header = "Machine: " + Machine.describe() + ". Date: " + LocalDate.now() + ". Command: `" + command
                + "`. Median of all measured iterations" + (quick ? " (quick mode: short, noisy)" : "")
                + ". Peak: " + describePeak(peak, peakOverride != null) + ".\n\n";
        String table = ReportTable.render(results, peak);
        Files.writeString(out.resolve("results.md"), header + table);
        for (int t : threads) {
            ReportChart.render(results, t, peak.get(t), Machine.cpu() + ", JDK " + System.getProperty("java.version"),
                    out.resolve("chart-" + t + "thread" + (t == 1 ? "" : "s") + ".png").toFile());
        }
        System.out.println();
        System.out.print(table);
        System.out.println();
        System.out.println("written: " + out.toAbsolutePath() + File.separator + "{results.json, results.md, chart-*.png}");
    }

    /** GFLOP/s of {@link PeakBenchmark} on {@code threads} JMH threads at once, in a fork of its own. */
    static double measurePeak(int threads, boolean quick) throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(PeakBenchmark.class.getName().replace(".", "\\.") + "\\.fma$").threads(threads).forks(1)
                .shouldFailOnError(true).verbosity(VerboseMode.SILENT).jvmArgsAppend(forkArgs(false));
        if (quick) {
            o.warmupIterations(2).warmupTime(TimeValue.milliseconds(300))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(300));
        }
        RunResult r = new Runner(o.build()).runSingle();
        double millisPerCall = r.getPrimaryResult().getStatistics().getPercentile(50);
        return threads * PeakBenchmark.FLOPS / (millisPerCall * 1e6);
    }

    static String describePeak(Map<Integer, Double> peak, boolean given) {
        StringBuilder b = new StringBuilder();
        peak.forEach((t, g) -> b.append(b.length() == 0 ? "" : ", ")
                .append(String.format(Locale.ROOT, "%.0f GFLOP/s on %d thread%s", g, t, t == 1 ? "" : "s")));
        return b + (given ? " (given with --peak)" : " (a " + PeakBenchmark.S.vectorBitSize()
                + "-bit Vector API FMA loop, measured in this run)");
    }

    static String[] forkArgs(boolean peer) {
        List<String> a = new ArrayList<>(List.of("-Xmx4g"));
        if (!peer) {
            a.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        if (Runtime.version().feature() >= 22) {
            a.add("--enable-native-access=ALL-UNNAMED");
        }
        if (Runtime.version().feature() >= 23) {
            // JMH 1.37 reads field offsets with sun.misc.Unsafe, which JDK 23+ warns about on every fork.
            a.add("--sun-misc-unsafe-memory-access=allow");
        }
        return a.toArray(new String[0]);
    }

    static boolean classPresent(String name) {
        try {
            Class.forName(name, false, BenchSuite.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
