package com.example.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the packaged example exactly as the README tells an application to: the app jar plus the library's jars
 * (copied by Maven into target/lib), on the class path and on the module path, with the Vector API module added.
 * Runs after {@code package} (bound to the integration-test phase), when the jars exist.
 */
class ExampleRunsTest {

    private static final String JAVA = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    private static final Path APP = Paths.get("target", "deconv3d-example-app.jar");
    private static final Path LIB = Paths.get("target", "lib");

    private static String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "example hung");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
        return out;
    }

    @Test
    void runsOnTheClassPath() throws Exception {
        assertTrue(Files.isRegularFile(APP), "package the example first: " + APP.toAbsolutePath());
        String out = run("--add-modules", "jdk.incubator.vector", "-cp", APP + File.pathSeparator + LIB + "/*",
                "com.example.app.Example");
        assertTrue(out.contains("simd: y[0] = 0.1"), out);
    }

    @Test
    void runsOnTheModulePath() throws Exception {
        String out = run("--add-modules", "jdk.incubator.vector", "-p", APP + File.pathSeparator + LIB,
                "-m", "com.example.app/com.example.app.Example");
        assertTrue(out.contains("simd: y[0] = 0.1"), out);
    }
}
