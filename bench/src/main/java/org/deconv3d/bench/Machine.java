package org.deconv3d.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Locale;

/** What a benchmark ran on, for the report. */
final class Machine {

    private Machine() {
    }

    static String cpu() {
        try {
            return Files.readAllLines(Paths.get("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
    }

    static boolean avx512() {
        try {
            return Files.readString(Paths.get("/proc/cpuinfo")).contains("avx512f");
        } catch (IOException e) {
            return false;
        }
    }

    static String describe() {
        return String.format(Locale.ROOT, "%s, %d cores%s, %s %s (%s)", cpu(),
                Runtime.getRuntime().availableProcessors(), avx512() ? ", AVX-512" : "",
                System.getProperty("java.vm.name"), System.getProperty("java.version"), System.getProperty("os.name"));
    }
}
