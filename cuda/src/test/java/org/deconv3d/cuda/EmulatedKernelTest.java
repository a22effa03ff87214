package org.deconv3d.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.CrossCheck;
import org.deconv3d.testing.RandomProblems;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CUDA kernel source, compiled as C++ with {@code cuda_shim.h} (a block's threads as fibers, each running
 * to its next {@code __syncthreads} before the next starts; a barrier some thread skips fails the run) and run on the CPU with exactly the buffers and launches {@link CudaPlan} would use,
 * against the reference on random problems. Skipped, visibly, where {@code g++} is not installed.
 */
class EmulatedKernelTest {

    private static final Path CU = Paths.get("src", "main", "cuda", "deconv3d.cu");
    private static final Path CPP = Paths.get("src", "test", "cpp");
    private static final Path EMULATOR = Paths.get("target", "cuda-emulator", "emulator");
    private static final int PROBLEMS = Integer.getInteger("deconv3d.cuda.problems", 120);
    private static String skipped;

    @BeforeAll
    static void compile() throws Exception {
        if (!onPath("g++")) {
            skipped = "g++ is not installed: the emulated CUDA kernel check is skipped";
            System.out.println("SKIPPED: " + skipped);
            return;
        }
        Files.createDirectories(EMULATOR.getParent());
        Process p = new ProcessBuilder("g++", "-std=c++20", "-O2", "-pthread", "-Wall", "-Werror",
                "-Wno-unknown-pragmas", "-include", CPP.resolve("cuda_shim.h").toString(), "-x", "c++", CU.toString(),
                "-x", "none", CPP.resolve("emulator.cpp").toString(), "-o", EMULATOR.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "compiling the kernel as C++ failed:\n" + log);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Paths.get(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void kernelAgreesWithTheReferenceOnRandomProblems() throws Exception {
        assumeTrue(skipped == null, skipped);
        long base = TestSeeds.base("EmulatedKernelTest");
        Path dir = Files.createTempDirectory("deconv3d-emulator");
        try {
            for (int i = 0; i < PROBLEMS; i++) {
                Case c = RandomProblems.draw(base + i);
                float[] y = emulate(c, dir);
                CrossCheck.assertClose("cuda kernel (emulated on the CPU)", c, CrossCheck.reference(c), y);
            }
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Writes the job CudaPlan would run, runs it in the emulator, and returns the output in the problem's layout. */
    static float[] emulate(Case c, Path dir) throws IOException, InterruptedException {
        Deconv3dProblem p = c.problem();
        Path job = dir.resolve("job.bin");
        Path out = dir.resolve("out.bin");
        float[] x = new float[p.inputLength()];
        CudaGeometry.toChannelsLast(p, c.input(), 0, p.batch(), x);
        List<CudaGeometry.Launch> launches = CudaGeometry.launches(p);
        try (OutputStream file = Files.newOutputStream(job);
                DataOutputStream data = new DataOutputStream(new java.io.BufferedOutputStream(file))) {
            writeInt(data, 0x44334344);
            writeInts(data, CudaGeometry.geometry(p, c.bias() != null));
            writeFloats(data, CudaGeometry.packWeights(p, c.filter()));
            writeFloats(data, c.bias() == null ? new float[0] : c.bias());
            writeFloats(data, x);
            writeInt(data, p.outputLength());
            writeInt(data, launches.size());
            for (CudaGeometry.Launch l : launches) {
                for (int v : new int[] {l.gridX(), l.gridY(), l.gridZ(), CudaGeometry.THREADS_X, CudaGeometry.THREADS_Y, 1,
                        l.phase()[0], l.phase()[1], l.phase()[2], l.counts()[0], l.counts()[1], l.counts()[2],
                        l.counts()[3]}) {
                    writeInt(data, v);
                }
            }
        }
        Process proc = new ProcessBuilder(EMULATOR.toAbsolutePath().toString(), job.toString(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, proc.waitFor(120, TimeUnit.SECONDS), "emulator hung on " + c.replay());
        assertEquals(0, proc.exitValue(), "emulator failed on " + c.replay() + ":\n" + log);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        float[] channelsLast = new float[p.outputLength()];
        b.asFloatBuffer().get(channelsLast);
        float[] y = new float[p.outputLength()];
        CudaGeometry.fromChannelsLast(p, channelsLast, p.batch(), y, 0);
        return y;
    }

    private static void writeInt(DataOutputStream out, int v) throws IOException {
        out.writeInt(Integer.reverseBytes(v));
    }

    private static void writeInts(DataOutputStream out, int[] v) throws IOException {
        writeInt(out, v.length);
        for (int i : v) {
            writeInt(out, i);
        }
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        writeInt(out, v.length);
        for (float f : v) {
            writeInt(out, Float.floatToRawIntBits(f));
        }
    }
}
