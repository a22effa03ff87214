package org.deconv3d.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Markdown table of a benchmark run: per shape and thread count, each backend's GFLOP/s, deconv3d's best
 * backend as a share of the machine's peak (measured in the same run, per thread count), and its speed-up over the
 * fastest peer and over the reference kernel.
 */
final class ReportTable {

    private ReportTable() {
    }

    /** Peers: the other libraries in a run, against which the speed-up is computed. */
    static final List<String> PEERS = List.of("tensorflow", "onnxruntime", "nd4j");

    static String render(List<Measurement> results, Map<Integer, Double> peak) {
        Set<String> backends = new LinkedHashSet<>();
        for (String preferred : new String[] {"cuda", "simd", "reference", "tensorflow", "onnxruntime", "nd4j"}) {
            if (results.stream().anyMatch(m -> m.backend().equals(preferred))) {
                backends.add(preferred);
            }
        }
        results.forEach(m -> backends.add(m.backend()));
        String ours = backends.contains("cuda") ? "cuda" : "simd";
        Set<Integer> threads = new java.util.TreeSet<>();
        results.forEach(m -> threads.add(m.threads()));

        StringBuilder b = new StringBuilder();
        b.append("| shape | threads |");
        for (String be : backends) {
            b.append(' ').append(be).append(" GFLOP/s |");
        }
        b.append(' ').append(ours).append(" % of peak | ").append(ours).append(" / fastest peer | ").append(ours)
                .append(" / reference |\n|---|---:|");
        b.append("---:|".repeat(backends.size() + 3)).append('\n');
        for (String shape : shapes(results)) {
            for (int t : threads) {
                if (results.stream().noneMatch(m -> m.shape().equals(shape) && m.threads() == t
                        && !m.backend().equals("reference"))) {
                    continue;
                }
                b.append("| ").append(shape).append(" | ").append(t).append(" |");
                for (String be : backends) {
                    b.append(' ').append(find(results, shape, be, t).map(m -> fmt(m.gflops())).orElse("–"))
                            .append(" |");
                }
                Optional<Measurement> mine = find(results, shape, ours, t);
                b.append(' ').append(mine.map(m -> String.format(Locale.ROOT, "%.0f%%",
                        100 * m.gflops() / peak.get(t))).orElse("–")).append(" |");
                Optional<Measurement> fastest = PEERS.stream().map(pe -> find(results, shape, pe, t))
                        .flatMap(Optional::stream).max(java.util.Comparator.comparingDouble(Measurement::gflops));
                b.append(' ').append(ratio(mine, fastest))
                        .append(fastest.map(f -> " (" + f.backend() + ")").orElse("")).append(" |");
                b.append(' ').append(ratio(mine, find(results, shape, "reference", t))).append(" |\n");
            }
        }
        return b.toString();
    }

    /** A measurement; the reference is single-threaded, so its 1-thread result stands for every thread count. */
    static Optional<Measurement> find(List<Measurement> results, String shape, String backend, int threads) {
        Optional<Measurement> exact = results.stream()
                .filter(m -> m.shape().equals(shape) && m.backend().equals(backend) && m.threads() == threads)
                .findFirst();
        if (exact.isPresent() || !backend.equals("reference")) {
            return exact;
        }
        return results.stream().filter(m -> m.shape().equals(shape) && m.backend().equals(backend)).findFirst();
    }

    static List<String> shapes(List<Measurement> results) {
        List<String> order = new ArrayList<>();
        for (Shape s : Shape.values()) {
            if (results.stream().anyMatch(m -> m.shape().equals(s.label()))) {
                order.add(s.label());
            }
        }
        return order;
    }

    private static String ratio(Optional<Measurement> a, Optional<Measurement> b) {
        return a.isPresent() && b.isPresent()
                ? String.format(Locale.ROOT, "%.2f×", a.get().gflops() / b.get().gflops()) : "–";
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 1 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
