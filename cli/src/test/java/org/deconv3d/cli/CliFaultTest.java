package org.deconv3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line under bad input and faults: nothing lost (the output replaces the old file atomically or not
 * at all; inputs are never overwritten), and every expected failure is one line, exit 2, no stack trace.
 */
class CliFaultTest {

    @TempDir
    Path dir;

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    /** A child JVM running the CLI; {@code shell} wraps it (e.g. a ulimit). */
    private static CliRun child(String shellPrefix, List<String> jvmFlags, String... args)
            throws IOException, InterruptedException {
        List<String> java = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java")
                .toString()));
        java.addAll(jvmFlags);
        java.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        java.addAll(List.of(args));
        StringBuilder cmd = new StringBuilder(shellPrefix);
        for (String a : java) {
            cmd.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        Process p = new ProcessBuilder("bash", "-c", cmd.toString()).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child hung");
        return new CliRun(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    private static void assertOneLineError(CliRun r, String fragment) {
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("error: "), r.err());
        assertTrue(r.err().contains(fragment), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception in thread"), "stack trace: " + r.err());
    }

    /** x [1,4,4,4,2] and w [3,3,3,4,2] (stride 2 gives y [1,8,8,8,4]) in {@link #dir}. */
    private Path[] smallProblem() throws IOException {
        Path x = dir.resolve("x.npy");
        Path w = dir.resolve("w.npy");
        Npy.write(x, new int[] {1, 4, 4, 4, 2}, filled(128, 1f));
        Npy.write(w, new int[] {3, 3, 3, 4, 2}, filled(216, 0.5f));
        return new Path[] {x, w};
    }

    @Test
    void outputOverAnInputIsRefusedAndNothingIsWritten() throws IOException {
        Path[] xw = smallProblem();
        byte[] x = Files.readAllBytes(xw[0]);
        byte[] w = Files.readAllBytes(xw[1]);
        assertOneLineError(cli("run", "--input", xw[0].toString(), "--filter", xw[1].toString(), "--strides", "2",
                "--out", xw[0].toString()), "is the same file as --input");
        assertOneLineError(cli("run", "--input", xw[0].toString(), "--filter", xw[1].toString(), "--strides", "2",
                "--out", dir.resolve(".").resolve("w.npy").toString()), "is the same file as --filter");
        assertArrayEquals(x, Files.readAllBytes(xw[0]));
        assertArrayEquals(w, Files.readAllBytes(xw[1]));
    }

    @Test
    void repeatedOptionsAreRefused() throws IOException {
        Path[] xw = smallProblem();
        CliRun r = cli("run", "--input", xw[0].toString(), "--filter", xw[1].toString(), "--strides", "2",
                "--strides", "2,2", "--out", dir.resolve("y.npy").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--strides") && r.err().contains("should be specified only once"), r.err());
        r = cli("shape", "--input", "1,4,4,4,2", "--input", "1,4,4,4,2", "--filter", "3,3,3,4,2");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("should be specified only once"), r.err());
        r = cli("shape", "--input", "1,4,x,4,2", "--filter", "3,3,3,4,2");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'x' is not an integer"), r.err());
    }

    @Test
    void aDirectoryOrAMissingFileIsNamed() throws IOException {
        Path[] xw = smallProblem();
        assertOneLineError(cli("run", "--input", dir.toString(), "--filter", xw[1].toString(), "--out",
                dir.resolve("y.npy").toString()), dir + " is a directory, not a .npy file");
        assertOneLineError(cli("run", "--input", xw[0].toString(), "--filter", xw[1].toString(), "--out",
                dir.resolve("no/such/dir/y.npy").toString()), "no/such/dir/y.npy");
    }

    @Test
    void aNegativeShapeInTheHeaderIsExplained() throws IOException {
        Path[] xw = smallProblem();
        String text = new String(Files.readAllBytes(xw[0]), StandardCharsets.ISO_8859_1)
                .replace("(1, 4, 4, 4, 2)", "(1, -4, 4, 4, 2)");
        Files.write(xw[0], text.getBytes(StandardCharsets.ISO_8859_1));
        assertOneLineError(cli("run", "--input", xw[0].toString(), "--filter", xw[1].toString(), "--out",
                dir.resolve("y.npy").toString()), "has a negative dimension in its shape");
    }

    @Test
    void everyInvalidAxisIsReported() throws IOException {
        Path[] xw = smallProblem();
        CliRun r = cli("run", "--input", xw[0].toString(), "--filter", xw[1].toString(), "--strides", "2",
                "--padding", "VALID", "--output-shape", "1,3,3,5,4", "--out", dir.resolve("y.npy").toString());
        assertOneLineError(r, "output depth 3");
        assertTrue(r.err().contains("output height 3") && r.err().contains("output width 5"), r.err());
    }

    /** A write that fails part-way (file size limit: as a full disk) leaves the old output intact and no temp file. */
    @Test
    void aFailedWriteKeepsTheOldOutput() throws Exception {
        Path x = dir.resolve("x.npy");
        Path w = dir.resolve("w.npy");
        Path y = dir.resolve("y.npy");
        Npy.write(x, new int[] {1, 16, 16, 16, 8}, filled(32768, 1f));
        Npy.write(w, new int[] {2, 2, 2, 8, 8}, filled(512, 0.25f));
        byte[] good = "the previous good output".getBytes(StandardCharsets.UTF_8);
        Files.write(y, good);
        // The output is 32^3 * 8 floats = 1 MiB: a 512 KiB file size limit makes its write fail half-way.
        CliRun r = child("ulimit -f 512;", List.of("-Xshare:auto"), "run", "--input", x.toString(), "--filter",
                w.toString(), "--strides", "2", "--backend", "reference", "--out", y.toString());
        assertOneLineError(r, "cannot write " + y);
        assertTrue(r.err().contains("the existing " + y + " is unchanged"), r.err());
        assertArrayEquals(good, Files.readAllBytes(y));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of("w.npy", "x.npy", "y.npy"), left.map(p -> p.getFileName().toString()).sorted()
                    .toList(), "no temporary file is left behind");
        }
    }

    /** Too little heap for the data: one line with the figure and the flag, after reading nothing into a trace. */
    @Test
    void tooLittleMemoryIsOneLine() throws Exception {
        Path x = dir.resolve("big.npy");
        int n = 24 << 20; // 96 MiB of floats, more than the child's 64 MiB heap
        writeRawNpy(x, new int[] {1, 64, 64, 96, 64}, n);
        Path w = dir.resolve("w.npy");
        Npy.write(w, new int[] {1, 1, 1, 1, 64}, filled(64, 1f));
        CliRun r = child("", List.of("-Xmx64m"), "run", "--input", x.toString(), "--filter", w.toString(),
                "--out", dir.resolve("y.npy").toString());
        assertOneLineError(r, "not enough memory");
        assertTrue(r.err().contains("-Xmx"), r.err());
        assertTrue(r.err().contains(x.toString()), "names the file: " + r.err());
    }

    /** A .npy of {@code count} zero floats written without holding them in memory. */
    private static void writeRawNpy(Path path, int[] shape, int count) throws IOException {
        Npy.write(path, new int[] {1}, new float[1]);
        byte[] small = Files.readAllBytes(path);
        String header = new String(small, 10, small.length - 14, StandardCharsets.ISO_8859_1)
                .replace("(1,)", java.util.Arrays.toString(shape).replace('[', '(').replace(']', ')'));
        StringBuilder h = new StringBuilder(header.trim());
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + h.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(small, 0, 8).putShort((short) h.length()).put(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            b.flip();
            ch.write(b);
            ch.write(ByteBuffer.allocate(1), b.limit() + 4L * count - 1); // sparse: the rest reads as zeros
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
