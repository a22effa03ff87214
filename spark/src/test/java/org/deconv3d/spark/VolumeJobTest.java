package org.deconv3d.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deconv3d.cli.Main;
import org.deconv3d.cli.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job in embedded local[2] mode: every output bitwise equal to {@code ./deconv3d run} on the same volume,
 * identical after an injected task failure and retry, bad volumes skipped and listed, a wrong problem refused before
 * Spark starts, and nothing partial left under the output directory.
 */
class VolumeJobTest {

    private static final int VOLUMES = 24;
    private static final String[] PROBLEM = {"--strides", "2", "--padding", "SAME", "--activation", "relu"};

    @TempDir
    static Path dir;
    static Path in;
    static Path filter;
    static Path biasFile;

    @BeforeAll
    static void volumes() throws Exception {
        in = dir.resolve("in");
        Random r = new Random(42);
        for (int i = 0; i < VOLUMES; i++) {
            Path f = in.resolve(i % 3 == 0 ? "a" : "b").resolve("v" + i + ".npy");
            Files.createDirectories(f.getParent());
            Npy.write(f, new int[] {1, 5, 4, 6, 8}, values(r, 5 * 4 * 6 * 8));
        }
        filter = dir.resolve("w.npy");
        Npy.write(filter, new int[] {3, 3, 3, 12, 8}, values(r, 27 * 12 * 8));
        biasFile = dir.resolve("b.npy");
        Npy.write(biasFile, new int[] {12}, values(r, 12));
    }

    private record Job(int exit, String log) {
    }

    private static Job job(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit = VolumeJob.commandLine(log).execute(args);
        return new Job(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    private static String[] args(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("--input", in.toString(), "--filter", filter.toString(), "--bias",
                biasFile.toString(), "--out", out.toString(), "--master", "local[2]", "--partitions", "5"));
        a.addAll(List.of(PROBLEM));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void outputsEqualTheCommandLinesBitForBitAndSurviveARetry() throws Exception {
        int plansBefore = ExecutorPlans.made();
        Path out = dir.resolve("out");
        Job first = job(args(out));
        assertEquals(0, first.exit(), first.log());
        assertTrue(first.log().contains("[deconv3d] " + VOLUMES + " volumes computed, 0 skipped"), first.log());
        assertTrue(first.log().contains("partition 4 done") || first.log().contains("(5 of 5)"), first.log());
        assertEquals(1, ExecutorPlans.made() - plansBefore, "one plan per executor JVM, not per task or volume");
        for (Path volume : npyFiles(in)) {
            Path mine = out.resolve(in.relativize(volume));
            Path cli = dir.resolve("cli.npy");
            List<String> run = new ArrayList<>(List.of("run", "--input", volume.toString(), "--filter",
                    filter.toString(), "--bias", biasFile.toString(), "--out", cli.toString()));
            run.addAll(List.of(PROBLEM));
            assertEquals(0, Main.commandLine().execute(run.toArray(new String[0])));
            assertArrayEquals(Files.readAllBytes(cli), Files.readAllBytes(mine), "bitwise: " + volume);
        }
        assertOnlyOutputs(out);

        // A task whose first attempt fails is retried; the outputs are complete and the very same bytes.
        Path again = dir.resolve("again");
        System.setProperty(VolumeMapper.FAIL_FIRST_ATTEMPT, "v7.npy");
        Job retried;
        try {
            retried = job(args(again));
        } finally {
            System.clearProperty(VolumeMapper.FAIL_FIRST_ATTEMPT);
        }
        assertEquals(0, retried.exit(), retried.log());
        assertTrue(retried.log().contains("attempt 0 failed"), retried.log());
        for (Path volume : npyFiles(in)) {
            Path rel = in.relativize(volume);
            assertArrayEquals(Files.readAllBytes(out.resolve(rel)), Files.readAllBytes(again.resolve(rel)),
                    "retried run differs on " + rel);
        }
        assertOnlyOutputs(again);
    }

    @Test
    void aBadVolumeIsSkippedAndListed() throws Exception {
        Path bad = in.resolve("b").resolve("zz_wrong_shape.npy");
        Npy.write(bad, new int[] {1, 5, 4, 6, 7}, new float[5 * 4 * 6 * 7]);
        Path out = dir.resolve("with-bad");
        try {
            Job job = job(args(out));
            assertEquals(3, job.exit(), job.log());
            assertTrue(job.log().contains(VOLUMES + " volumes computed, 1 skipped"), job.log());
            String listed = Files.readString(out.resolve("_skipped.txt"));
            assertTrue(listed.contains("zz_wrong_shape.npy") && listed.contains("has shape [1, 5, 4, 6, 7]"), listed);
            assertFalse(Files.exists(out.resolve("b").resolve("zz_wrong_shape.npy")));
        } finally {
            Files.delete(bad);
        }
    }

    @Test
    void aWrongProblemIsRefusedBeforeSparkStarts() throws Exception {
        Path wrong = dir.resolve("wrong.npy");
        Npy.write(wrong, new int[] {3, 3, 3, 12, 9}, new float[27 * 12 * 9]);
        Path out = dir.resolve("never");
        long t0 = System.nanoTime();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        picocli.CommandLine line = VolumeJob.commandLine(new PrintStream(new ByteArrayOutputStream()));
        line.setErr(new java.io.PrintWriter(err, true));
        int exit = line.execute("--input", in.toString(), "--filter", wrong.toString(), "--out", out.toString());
        assertEquals(2, exit);
        assertTrue(err.toString().contains("do not match the filter's Cin 9"), err.toString());
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "refused at once, on the driver");
        assertFalse(Files.exists(out), "nothing created");
    }

    private static List<Path> npyFiles(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(".npy")).sorted().collect(Collectors.toList());
        }
    }

    /** Only complete .npy outputs under the output directory, and no staging directory left beside it. */
    private static void assertOnlyOutputs(Path out) throws Exception {
        try (Stream<Path> walk = Files.walk(out)) {
            List<Path> stray = walk.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".npy"))
                    .collect(Collectors.toList());
            assertTrue(stray.isEmpty(), "not outputs: " + stray);
        }
        assertEquals(VOLUMES, npyFiles(out).size());
        try (Stream<Path> siblings = Files.list(out.getParent())) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().contains(".staging-")),
                    "staging directory left behind");
        }
    }

    private static float[] values(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }
}
