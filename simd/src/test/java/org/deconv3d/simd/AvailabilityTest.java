package org.deconv3d.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Availability in child JVMs with and without the Vector API module, on the class path and on the module path:
 * without it, simd reports the flag to add, logs once, and selection falls back to the reference.
 */
class AvailabilityTest {

    private static final String JAVA = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    private static final Path CLASSES = Paths.get("target", "classes").toAbsolutePath();
    private static final Path TEST_CLASSES = Paths.get("target", "test-classes").toAbsolutePath();
    private static final Path CORE = Paths.get("..", "core", "target", "classes").toAbsolutePath().normalize();

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM hung");
        assertEquals(0, p.exitValue(), "child JVM failed:\n" + out);
        return out;
    }

    private static List<String> classPath(boolean withVector) {
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        if (withVector) {
            cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        cmd.addAll(List.of("-cp", CORE + File.pathSeparator + CLASSES + File.pathSeparator + TEST_CLASSES,
                "probe.ProbeMain"));
        return cmd;
    }

    private static List<String> modulePath(boolean withVector) {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "--module-path", CORE + File.pathSeparator + CLASSES,
                "--add-modules", withVector ? "org.deconv3d.simd,jdk.incubator.vector" : "org.deconv3d.simd",
                "-cp", TEST_CLASSES.toString(), "probe.ProbeMain"));
        return cmd;
    }

    @Test
    void classPathWithoutTheModuleFallsBackWithTheFlagToAdd() throws Exception {
        assertTrue(Files.isDirectory(CORE), "core classes not built at " + CORE);
        String out = run(classPath(false));
        assertTrue(out.contains("provider simd unavailable: the Vector API module jdk.incubator.vector is not in"
                + " this JVM: start java with '--add-modules jdk.incubator.vector'"), out);
        assertTrue(out.contains("selected reference"), out);
        int logged = out.split("the simd backend is off", -1).length - 1;
        assertEquals(1, logged, "the fallback is logged exactly once:\n" + out);
    }

    @Test
    void classPathWithTheModuleSelectsSimd() throws Exception {
        String out = run(classPath(true));
        assertTrue(out.contains("provider simd available"), out);
        assertTrue(out.contains("selected simd"), out);
    }

    @Test
    void modulePathWithAndWithoutTheModule() throws Exception {
        String with = run(modulePath(true));
        assertTrue(with.contains("selected simd"), with);
        assertTrue(with.contains("provider simd available in module org.deconv3d.simd"), with);
        String without = run(modulePath(false));
        assertTrue(without.contains("provider simd unavailable"), without);
        assertTrue(without.contains("selected reference"), without);
    }

    /** A run whose workspace does not fit the heap is a clear error before any write; the reference still runs. */
    @Test
    void aWorkspaceTooBigForTheHeapIsAClearError() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-Xmx100m", "--add-modules", "jdk.incubator.vector",
                "-cp", CORE + File.pathSeparator + CLASSES + File.pathSeparator + TEST_CLASSES,
                "probe.WorkspaceProbe"));
        String out = run(cmd);
        java.util.regex.Matcher bytes = java.util.regex.Pattern.compile("simd workspace bytes (\\d+)").matcher(out);
        assertTrue(bytes.find(), out);
        assertTrue(Long.parseLong(bytes.group(1)) >= 4L * 16 * 1024 * 768, "the NCDHW copy is counted: " + out);
        assertTrue(out.contains("simd refused: the simd backend needs 49 MiB of working memory"), out);
        assertTrue(out.contains("raise the heap with -Xmx"), out);
        assertTrue(out.contains("untouched=true"), out);
        assertTrue(out.contains("reference ran: y[0]=8.0"), out);
    }
}
