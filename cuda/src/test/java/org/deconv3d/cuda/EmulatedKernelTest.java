package org.deconv3d.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.CrossCheck;
import org.deconv3d.testing.GradientCheck;
import org.deconv3d.testing.RandomProblems;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CUDA kernel source, compiled as C++ with {@code cuda_shim.h} (a block's threads as fibers, each running
 * to its next {@code __syncthreads} before the next starts; a barrier some thread skips fails the run) and run on
 * the CPU by {@link CudaPlan} itself on an {@link EmulatorDevice}: the forward and gradient kernels with exactly
 * the buffers and launches a GPU would get, against the reference on random problems. Skipped, visibly, where
 * {@code g++} is not installed.
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
                "-Wno-unknown-pragmas", "-fno-strict-aliasing", "-include", CPP.resolve("cuda_shim.h").toString(), "-x", "c++", CU.toString(),
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
                EmulatorDevice device = new EmulatorDevice(EMULATOR, dir);
                float[] y = new float[c.problem().outputLength()];
                try (CudaPlan plan = new CudaPlan(device, c.problem(), c.filter(), c.bias())) {
                    plan.run(c.input(), y);
                }
                assertEquals(1, device.runs, "one emulator run per forward run");
                CrossCheck.assertClose("cuda kernel (emulated on the CPU)", c, CrossCheck.reference(c), y);
            }
        } finally {
            deleteAll(dir);
        }
    }

    /** The gradient kernels, driven by CudaPlan's gradient calls, against the reference on random problems. */
    @Test
    void gradientKernelsAgreeWithTheReferenceOnRandomProblems() throws Exception {
        assumeTrue(skipped == null, skipped);
        long base = TestSeeds.base("EmulatedKernelTest.gradients");
        Path dir = Files.createTempDirectory("deconv3d-emulator");
        int checked = 0;
        try {
            for (int i = 0; i < PROBLEMS / 2; i++) {
                Case c = RandomProblems.draw(base + i);
                EmulatorDevice device = new EmulatorDevice(EMULATOR, dir);
                try (CudaPlan plan = new CudaPlan(device, c.problem(), c.filter(), c.bias())) {
                    GradientCheck.check(plan, c);
                }
                checked += device.runs > 0 ? 1 : 0;
            }
        } finally {
            deleteAll(dir);
        }
        assertTrue(checked > PROBLEMS / 4, "the gradient kernels ran on only " + checked + " problems");
    }

    /**
     * Splits of the filter gradient's positions: several partial filters added in order give the same sums; and a
     * split longer than the kernel's window of positions (the window loop's second, partial turn).
     */
    @Test
    void filterGradientSplitsAddUpInOrder() throws Exception {
        assumeTrue(skipped == null, skipped);
        Deconv3dProblem many = Deconv3dProblem.tensorflow(new int[] {2, 8, 16, 40, 3}, new int[] {2, 3, 2, 5, 3})
                .strides(2, 1, 3).padding(org.deconv3d.Padding.SAME).build();
        Deconv3dProblem longSpans = Deconv3dProblem.tensorflow(new int[] {1, 10, 24, 24, 3},
                new int[] {3, 3, 3, 4, 3}).strides(2, 2, 2).padding(org.deconv3d.Padding.SAME).build();
        assertTrue(CudaGeometry.filterSplits(many) > 1, "the problem must split: " + CudaGeometry.filterSplits(many));
        int span = CudaGeometry.filterGradientCall(longSpans).ints()[0];
        assertTrue(span > CudaGeometry.THREADS_X * CudaGeometry.THREADS_Y, "a span over one window: " + span);
        Path dir = Files.createTempDirectory("deconv3d-emulator");
        try {
            for (Deconv3dProblem p : new Deconv3dProblem[] {many, longSpans}) {
                Case c = Case.of(p, 7, true, true);
                try (CudaPlan plan = new CudaPlan(new EmulatorDevice(EMULATOR, dir), p, c.filter(), c.bias())) {
                    GradientCheck.check(plan, c);
                }
            }
        } finally {
            deleteAll(dir);
        }
    }

    /**
     * Each tile shape (16, 32 and 64 channels per tile) with channel counts that fill a tile, leave it part empty,
     * and need two tiles; with groups, a batch and a phase whose tiles span samples.
     */
    @Test
    void everyTileShapeAgreesWithTheReference() throws Exception {
        assumeTrue(skipped == null, skipped);
        Path dir = Files.createTempDirectory("deconv3d-emulator");
        java.util.Set<Boolean> forwardSplit = new java.util.HashSet<>();
        java.util.Set<Boolean> inputGradientSplit = new java.util.HashSet<>();
        try {
            for (int channels : new int[] {5, 16, 24, 40, 70}) {
                for (int groups : new int[] {1, 2}) {
                    int outPerGroup = channels % 8 == 0 ? channels + 6 : channels;
                    // The fewest channels with one tap too: an input gradient of a single step, not split.
                    int kd = channels == 5 && groups == 2 ? 1 : 3;
                    int kh = channels == 5 && groups == 2 ? 1 : 2;
                    Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {3, 3, 4, 5, channels * groups},
                                    new int[] {kd, kh, kd, outPerGroup, channels * groups})
                            .strides(2, 1, 2).groups(groups).padding(org.deconv3d.Padding.SAME).build();
                    assertEquals(channels, p.inChannelsPerGroup());
                    Case c = Case.of(p, channels * 31L + groups, true, true);
                    forwardSplit.add(CudaGeometry.forwardSplit(p, CudaGeometry.phaseTable(p))[0] > 1);
                    inputGradientSplit.add(CudaGeometry.inputGradientSplit(p)[0] > 1);
                    float[] y = new float[p.outputLength()];
                    try (CudaPlan plan = new CudaPlan(new EmulatorDevice(EMULATOR, dir), p, c.filter(), c.bias())) {
                        plan.run(c.input(), y);
                        CrossCheck.assertClose("cuda forward, " + channels + " channels x " + groups + " groups", c,
                                CrossCheck.reference(c), y);
                        GradientCheck.check(plan, c);
                    }
                }
            }
        } finally {
            deleteAll(dir);
        }
        assertEquals(java.util.Set.of(true, false), forwardSplit, "forwards with and without channel splits");
        assertEquals(java.util.Set.of(true, false), inputGradientSplit, "input gradients with and without splits");
    }

    private static void deleteAll(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            files.forEach(f -> f.toFile().delete());
        }
        Files.deleteIfExists(dir);
    }
}
