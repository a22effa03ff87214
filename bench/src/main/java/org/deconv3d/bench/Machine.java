package org.deconv3d.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Locale;

/** What a benchmark ran on, for the report. */
final class Machine {

    private Machine() {
    }

    /**
     * The CPU's model name with its family and model numbers (a virtual machine may report only "AMD EPYC"; the
     * numbers still tell a Zen 4 from a Zen 5, which differ twofold in 512-bit FMA throughput).
     */
    static String cpu() {
        String name = field("model name");
        if (name == null) {
            return System.getProperty("os.arch");
        }
        String family = field("cpu family");
        String model = field("model");
        return family == null || model == null ? name : name + " (family " + family + ", model " + model + ")";
    }

    private static String field(String key) {
        return CpuInfo.LINES.stream()
                .filter(l -> l.indexOf(':') > 0 && l.substring(0, l.indexOf(':')).trim().equals(key))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(null);
    }

    /** /proc/cpuinfo, read once (empty where there is none). */
    private static final class CpuInfo {
        static final java.util.List<String> LINES = read();

        private static java.util.List<String> read() {
            try {
                return Files.readAllLines(Paths.get("/proc/cpuinfo"));
            } catch (IOException | RuntimeException e) {
                return java.util.List.of();
            }
        }
    }

    static boolean avx512() {
        return CpuInfo.LINES.stream().anyMatch(l -> l.startsWith("flags") && l.contains(" avx512f"));
    }

    static String describe() {
        return String.format(Locale.ROOT, "%s, %d cores%s, %s %s (%s)", cpu(),
                Runtime.getRuntime().availableProcessors(), avx512() ? ", AVX-512" : "",
                System.getProperty("java.vm.name"), System.getProperty("java.version"), System.getProperty("os.name"));
    }
}
