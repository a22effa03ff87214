package org.deconv3d.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where a benchmark's CPU time went, from async-profiler's collapsed stacks (JMH's {@code -prof async} with
 * {@code output=collapsed}; {@code bench/profile.sh} runs both): the share of samples per pair of <i>our innermost
 * method</i> and <i>the frame the sample was in</i>. C2 inlines the Vector API into our kernels, so a sample in
 * {@code FloatVector.intoArray} under {@code SimdKernel.r8c2} is a store of that kernel's, and one in
 * {@code jint_disjoint_arraycopy} under {@code GradientPrep.row} is that method's copy. A first table sums the
 * samples per method of ours.
 *
 * <pre>{@code
 * java -cp bench/target/deconv3d-bench.jar org.deconv3d.bench.ProfileSummary bench/results/profile-vol
 * }</pre>
 * prints one table per benchmark (each JMH parameter set's directory) and writes them to {@code profile.md} there.
 */
public final class ProfileSummary {

    /** Rows per table: the rest is summed into one "other" row. */
    static final int ROWS = 12;
    private static final String OURS = "org/deconv3d/";
    private static final String HARNESS = "org/deconv3d/bench/";

    private ProfileSummary() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ProfileSummary DIR  (a directory that JMH's -prof async wrote collapsed stacks into)");
            System.exit(2);
        }
        Path dir = Paths.get(args[0]);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(f -> f.getFileName().toString().startsWith("collapsed")).sorted()
                    .collect(Collectors.toList());
        }
        if (files.isEmpty()) {
            System.err.println("no collapsed stacks under " + dir + ": run the benchmark with -prof async:...;output=collapsed");
            System.exit(1);
        }
        StringBuilder md = new StringBuilder();
        for (Path f : files) {
            String title = dir.relativize(f.getParent()).toString();
            Map<String, Long> counts = read(f);
            md.append("### ").append(title.isEmpty() ? f.getFileName().toString() : title).append("\n\n")
                    .append(table(byMethod(counts), "our method")).append('\n')
                    .append(table(counts, "our method > frame sampled")).append('\n');
        }
        Files.writeString(dir.resolve("profile.md"), md);
        System.out.print(md);
    }

    /** Samples per (our innermost method, leaf frame), largest first. */
    static Map<String, Long> read(Path collapsed) {
        try (Stream<String> lines = Files.lines(collapsed)) {
            return summarize(lines.collect(Collectors.toList()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of {@code frame;frame;...;leaf count}, summed by key (see {@link #key}), largest first. */
    static Map<String, Long> summarize(List<String> lines) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String line : lines) {
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                continue;
            }
            long n;
            try {
                n = Long.parseLong(line.substring(space + 1).trim());
            } catch (NumberFormatException e) {
                continue; // not a stack line
            }
            counts.merge(key(line.substring(0, space).split(";")), n, Long::sum);
        }
        return largestFirst(counts);
    }

    private static Map<String, Long> largestFirst(Map<String, Long> counts) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /**
     * {@code "SimdKernel.r8c2 > FloatVector.intoArray"}: the innermost frame of our library (not the benchmark
     * harness) and the leaf, or the leaf alone where no frame of ours is on the stack (the JIT, GC, JMH).
     */
    static String key(String[] frames) {
        String leaf = simple(frames[frames.length - 1]);
        for (int i = frames.length - 1; i >= 0; i--) {
            String f = frames[i];
            if (f.startsWith(OURS) && !f.startsWith(HARNESS)) {
                String ours = simple(f);
                return ours.equals(leaf) ? ours : ours + " > " + leaf;
            }
        }
        return "(outside the library) " + leaf;
    }

    /** {@code org/deconv3d/simd/SimdKernel.r8c2_[j]} to {@code SimdKernel.r8c2}. */
    static String simple(String frame) {
        String f = frame.replaceAll("_\\[[a-z0-9]+\\]$", "");
        int slash = f.lastIndexOf('/');
        return slash >= 0 ? f.substring(slash + 1) : f;
    }

    /**
     * The samples per method of ours alone, largest first. A timer sample lands some instructions after the one
     * that was waiting (skid), so within a method the frame sampled is a hint (a kernel's stores get samples of
     * its last FMAs) and the method's total is the figure to trust.
     */
    static Map<String, Long> byMethod(Map<String, Long> counts) {
        Map<String, Long> methods = new LinkedHashMap<>();
        counts.forEach((k, n) -> {
            int arrow = k.indexOf(" > ");
            methods.merge(arrow < 0 ? k : k.substring(0, arrow), n, Long::sum);
        });
        return largestFirst(methods);
    }

    /** A markdown table of the largest {@link #ROWS} keys and the rest, in % of all samples. */
    static String table(Map<String, Long> counts, String what) {
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder sb = new StringBuilder("| share | " + what + " |\n|---:|---|\n");
        List<Map.Entry<String, Long>> rows = new ArrayList<>(counts.entrySet());
        long rest = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (i < ROWS) {
                sb.append(String.format(Locale.ROOT, "| %.1f%% | %s |%n", percent(rows.get(i).getValue(), total),
                        rows.get(i).getKey()));
            } else {
                rest += rows.get(i).getValue();
            }
        }
        if (rest > 0) {
            sb.append(String.format(Locale.ROOT, "| %.1f%% | (%d other) |%n", percent(rest, total), rows.size() - ROWS));
        }
        sb.append(String.format(Locale.ROOT, "%n%d samples.%n", total));
        return sb.toString();
    }

    private static double percent(long n, long total) {
        return total == 0 ? 0 : 100.0 * n / total;
    }
}
