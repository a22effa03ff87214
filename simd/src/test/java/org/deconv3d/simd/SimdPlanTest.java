package org.deconv3d.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deconv3d.Activation;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;
import org.deconv3d.Padding;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.CrossCheck;
import org.deconv3d.testing.RandomProblems;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.Test;

class SimdPlanTest {

    private static final float SENTINEL = 42.5f;
    private final SimdDeconv3d simd = new SimdDeconv3d();

    private static float[] run(Deconv3dPlan plan, Case c) {
        float[] y = new float[c.problem().outputLength()];
        Arrays.fill(y, Float.NaN);
        plan.run(c.input(), y);
        return y;
    }

    /**
     * Random problems on 2 and 3 threads (forced: no small-problem shortcut) against 1 thread, bit for bit: runs as
     * in production (threads claim items as they come), and runs where the caller waits for every helper to start,
     * which must show every thread computing items.
     */
    @Test
    void bitwiseIdenticalFor1To3ThreadsWithEveryThreadUsed() {
        long base = TestSeeds.base("SimdPlanTest.threads");
        int checked = 0;
        for (int i = 0; checked < 40; i++) {
            Case c = RandomProblems.draw(base + i);
            float[] one;
            try (Deconv3dPlan plan = simd.plan(c.problem(), c.filter(), c.bias(), 1)) {
                one = run(plan, c);
            }
            for (int threads = 2; threads <= 3; threads++) {
                try (SimdPlan plan = simd.plan(c.problem(), c.filter(), c.bias(), threads, 0)) {
                    if (plan.workers() < threads) {
                        continue; // fewer work items than threads
                    }
                    checked++;
                    for (int attempt = 0; attempt < 3; attempt++) {
                        assertBitwiseEqual(one, run(plan, c), threads + " threads, production schedule", c);
                        float[] many = new float[one.length];
                        Arrays.fill(many, Float.NaN);
                        int[] perWorker = plan.computeWithEveryThread(c.input(), many);
                        assertBitwiseEqual(one, many, threads + " threads, every thread started", c);
                        assertEquals(threads, perWorker.length);
                        assertTrue(Arrays.stream(perWorker).allMatch(n -> n > 0), "a thread computed nothing: "
                                + Arrays.toString(perWorker) + " on " + c.replay());
                    }
                }
            }
        }
    }

    private static void assertBitwiseEqual(float[] expected, float[] actual, String what, Case c) {
        for (int j = 0; j < expected.length; j++) {
            int e = Float.floatToRawIntBits(expected[j]);
            int a = Float.floatToRawIntBits(actual[j]);
            if (e != a) { // the message only on failure: building it per element costs seconds on large outputs
                assertEquals(e, a, what + ": differs from the expected bits at element " + j + " on " + c.replay());
            }
        }
    }

    @Test
    void determinismOnABenchmarkSizedProblem() {
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {2, 4, 4, 4, 64}, new int[] {4, 4, 4, 48, 64})
                .strides(2).padding(Padding.SAME).build();
        Case c = Case.of(p, 1, false, false);
        float[][] results = new float[3][];
        for (int threads = 1; threads <= 3; threads++) {
            try (SimdPlan plan = simd.plan(p, c.filter(), null, threads, SimdPlan.SMALL_FLOPS)) {
                assertEquals(threads, plan.workers(), "a benchmark-sized problem uses every thread it is given");
                results[threads - 1] = run(plan, c);
            }
        }
        assertArrayEquals(results[0], results[1]);
        assertArrayEquals(results[0], results[2]);
        CrossCheck.assertClose("simd", c, CrossCheck.reference(c), results[0]);
    }

    @Test
    void concurrentRunsOnOnePlan() throws Exception {
        long base = TestSeeds.base("SimdPlanTest.concurrent");
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < 5; i++) {
                Case c = RandomProblems.draw(base + i);
                float[] expected = CrossCheck.reference(c);
                try (SimdPlan plan = simd.plan(c.problem(), c.filter(), c.bias(), 2, 0)) {
                    List<Future<float[]>> results = new ArrayList<>();
                    for (int t = 0; t < 12; t++) {
                        results.add(callers.submit(() -> run(plan, c)));
                    }
                    float[] first = results.get(0).get();
                    CrossCheck.assertClose("simd (concurrent)", c, expected, first);
                    for (Future<float[]> f : results) {
                        assertArrayEquals(first, f.get(), c.replay());
                    }
                }
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void gradientsAgreeWithTheReference() {
        long base = TestSeeds.base("SimdPlanTest.gradients");
        for (int i = 0; i < 60; i++) {
            Case c = RandomProblems.draw(base + i);
            try (Deconv3dPlan plan = simd.plan(c.problem(), c.filter(), c.bias())) {
                org.deconv3d.testing.GradientCheck.check(plan, c);
            }
        }
    }

    @Test
    void gradientsAreBitwiseIdenticalFor1To3ThreadsWithEveryThreadUsed() {
        long base = TestSeeds.base("SimdPlanTest.gradientThreads");
        int checked = 0;
        java.util.Set<Boolean> splits = new java.util.HashSet<>();
        for (int i = 0; checked < 20 || splits.size() < 2; i++) {
            Case c = RandomProblems.draw(base + i);
            Deconv3dProblem p = c.problem();
            if (!p.activation().hasDerivativeFromOutput()) {
                continue;
            }
            float[] y = new float[p.outputLength()];
            org.deconv3d.reference.ReferenceKernel.compute(p, c.input(), c.filter(), c.bias(), y);
            float[] dy = RandomProblems.values(new java.util.Random(c.seed()), p.outputLength());
            float[][] one = gradients(simd.plan(p, c.filter(), c.bias(), 1), c, y, dy);
            for (int threads = 2; threads <= 3; threads++) {
                try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), threads, 0)) {
                    SimdGradients g = plan.gradients();
                    if (g.inputItems() < threads || g.filterItems() < threads) {
                        continue; // fewer work items than threads
                    }
                    checked++;
                    splits.add(g.filterByPlanes());
                    g.waitForHelpers = true;
                    float[] dx = new float[p.inputLength()];
                    plan.backwardInput(dy, y, dx);
                    int[] inputItems = g.lastItemsPerWorker;
                    float[] dw = new float[p.filterLength()];
                    float[] db = new float[p.outChannels()];
                    plan.backwardWeights(c.input(), dy, y, dw, db);
                    int[] filterItems = g.lastItemsPerWorker;
                    assertBitwiseEqual(one[0], dx, threads + " threads, input gradient", c);
                    assertBitwiseEqual(one[1], dw, threads + " threads, filter gradient", c);
                    assertBitwiseEqual(one[2], db, threads + " threads, bias gradient", c);
                    for (int[] items : new int[][] {inputItems, filterItems}) {
                        assertEquals(threads, items.length);
                        assertTrue(Arrays.stream(items).allMatch(n -> n > 0), "a thread computed nothing: "
                                + Arrays.toString(items) + " on " + c.replay());
                    }
                }
            }
        }
    }

    private static float[] filterGradient(Deconv3dPlan plan, Case c, float[] y, float[] dy) {
        float[] dw = new float[c.problem().filterLength()];
        plan.backwardWeights(c.input(), dy, y, dw, new float[c.problem().outChannels()]);
        return dw;
    }

    private static float[][] gradients(Deconv3dPlan plan, Case c, float[] y, float[] dy) {
        Deconv3dProblem p = c.problem();
        float[] dx = new float[p.inputLength()];
        float[] dw = new float[p.filterLength()];
        float[] db = new float[p.outChannels()];
        try (plan) {
            plan.backwardInput(dy, y, dx);
            plan.backwardWeights(c.input(), dy, y, dw, db);
        }
        return new float[][] {dx, dw, db};
    }

    @Test
    void nanAndInfinityInTheInputPropagateLikeTheReference() {
        long base = TestSeeds.base("SimdPlanTest.nan");
        for (int i = 0; i < 30; i++) {
            Case c = RandomProblems.draw(base + i);
            float[] x = c.input().clone();
            x[0] = Float.NaN;
            x[x.length / 2] = Float.POSITIVE_INFINITY;
            x[x.length - 1] = Float.NEGATIVE_INFINITY;
            CrossCheck.check(simd, c.withInput(x, "input[0]=NaN, input[n/2]=+Inf, input[n-1]=-Inf"));
        }
    }

    /** The reference skips taps outside the input; simd must not multiply its zero padding by a NaN or Inf weight. */
    @Test
    void nonFiniteWeightsGiveTheReferenceAnswer() {
        long base = TestSeeds.base("SimdPlanTest.nanWeights");
        Deconv3dProblem padded = Deconv3dProblem.tensorflow(new int[] {1, 3, 3, 3, 2}, new int[] {3, 3, 3, 2, 2})
                .padding(Padding.SAME).build();
        float[] w = Case.of(padded, 5, false, false).filter();
        w[0] = Float.POSITIVE_INFINITY;
        CrossCheck.check(simd, Case.of(padded, 5, false, false).withFilter(w, "filter[0]=+Inf"));
        for (int i = 0; i < 30; i++) {
            Case c = RandomProblems.draw(base + i);
            float[] f = c.filter().clone();
            f[i % f.length] = i % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
            CrossCheck.check(simd, c.withFilter(f, "filter[" + (i % f.length) + "]=" + f[i % f.length]));
        }
    }

    /** Plan time and memory follow the input, filter and output sizes, not the stride or dilation. */
    @Test
    void hugeStridesAndDilationsPlanAtOnceAndAgree() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int[][] strides = {{1600, 1600, 1600}, {1 << 20, 2, 1}, {1 << 30, 3, 2}};
            for (int[] s : strides) {
                // SAME accepts 1..stride per axis for an input of 1: take 2 where the stride allows it.
                Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 1, 1, 1, 3}, new int[] {2, 2, 2, 4, 3})
                        .strides(s).padding(Padding.SAME)
                        .outputShape(1, Math.min(2, s[0]), Math.min(2, s[1]), Math.min(2, s[2]), 4).build();
                CrossCheck.check(simd, Case.of(p, 3, true, true));
            }
            Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 1, 1, 1, 3}, new int[] {1, 1, 1, 4, 3})
                    .strides(1600).padding(Padding.VALID).outputShape(1, 1600, 1, 1, 4).build();
            try (Deconv3dPlan plan = simd.plan(p, Case.of(p, 3, true, true).filter(), null)) {
                assertTrue(plan.workspaceBytes() < 1 << 20, "workspace " + plan.workspaceBytes());
            }
            Deconv3dProblem dilated = Deconv3dProblem.pytorch(new int[] {1, 2, 4, 1, 1}, new int[] {2, 3, 3, 1, 1})
                    .dilation((1 << 29) - 7, 1, 1).padding((1 << 29) - 7, 0, 0).build();
            CrossCheck.check(simd, Case.of(dilated, 9, true, true));
        });
    }

    @Test
    void aProblemTooBigForItsPaddedCopyIsDeclinedAndFallsThrough() {
        // Width 1 is padded to a whole tile of 8: 2^24 * 8 * 16 floats do not fit a Java array.
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 1, 1 << 24, 1, 16}, new int[] {1, 1, 1, 1, 16})
                .build();
        assertFalse(simd.supports(p).available());
        assertTrue(simd.supports(p).reason().contains("zero-padded input copy needs"), simd.supports(p).reason());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> simd.plan(p, new float[p.filterLength()], null));
        assertTrue(e.getMessage().contains("declines this problem"), e.getMessage());
        assertEquals("reference", org.deconv3d.Backends.select(List.of(new SimdProvider(),
                new org.deconv3d.reference.ReferenceProvider()), null, p).name());
    }

    /**
     * close() racing run() on a multi-threaded plan: each run completes (whole and right) or throws
     * IllegalStateException having written nothing, and no thread writes into a caller's array after its run ended.
     */
    @Test
    void closeRacingRunsIsSafe() throws Exception {
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 8, 8, 8, 32}, new int[] {3, 3, 3, 32, 32})
                .strides(2).build();
        Case c = Case.of(p, 4, true, true);
        float[] expected = CrossCheck.reference(c);
        ExecutorService callers = Executors.newFixedThreadPool(3);
        int completed = 0;
        int refused = 0;
        try {
            for (int round = 0; round < 30; round++) {
                SimdPlan plan = simd.plan(p, c.filter(), c.bias(), 2, 0);
                List<Future<float[]>> runs = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    runs.add(callers.submit(() -> {
                        float[] y = new float[expected.length];
                        Arrays.fill(y, Float.NaN);
                        try {
                            plan.run(c.input(), y);
                        } catch (IllegalStateException closed) {
                            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
                            for (float v : y) {
                                assertTrue(Float.isNaN(v), "a refused run wrote into its output");
                            }
                            return null;
                        }
                        return y;
                    }));
                }
                Thread.sleep(round % 3);
                plan.close();
                for (Future<float[]> f : runs) {
                    float[] y = f.get();
                    if (y == null) {
                        refused++;
                        continue;
                    }
                    completed++;
                    float[] snapshot = y.clone();
                    assertArrayEquals(expected, y, "a completed run must be whole and right");
                    Thread.sleep(1);
                    assertArrayEquals(snapshot, y, "something wrote into the output after run returned");
                }
            }
        } finally {
            callers.shutdownNow();
        }
        System.out.println("SimdPlanTest.closeRacingRuns: " + completed + " runs completed, " + refused + " refused");
    }

    /** Plans own no threads: 300 multi-threaded plans never closed leave only the shared helpers alive. */
    @Test
    void unclosedPlansLeakNoThreads() {
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 4, 4, 4, 8}, new int[] {2, 2, 2, 8, 8})
                .strides(2).build();
        Case c = Case.of(p, 2, false, true);
        for (int i = 0; i < 300; i++) {
            SimdPlan plan = simd.plan(p, c.filter(), null, 2, 0);
            plan.run(c.input(), new float[p.outputLength()]);
        }
        long helpers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("deconv3d-simd-")).count();
        assertTrue(helpers <= 8, helpers + " simd helper threads alive after 300 unclosed plans");
    }

    /**
     * The merged width-phase tiles (kernel 3 stride 2 along width, one output-channel vector per block): taken
     * where they apply (asserted), bit for bit what the phase-at-a-time tiles give, and right against the
     * reference, on odd widths (phases of different lengths), short rows (two rows per item), groups, NCDHW,
     * activations, a batch, and 1 and several output channels.
     */
    @Test
    void mergedWidthTilesMatchThePhaseAtATimeTiles() {
        int lanes = SimdKernel.L;
        Deconv3dProblem[] problems = {
            Deconv3dProblem.tensorflow(new int[] {1, 5, 6, 9, 7}, new int[] {3, 3, 3, Math.min(lanes, 16), 7})
                    .strides(2).padding(Padding.SAME).build(),
            Deconv3dProblem.tensorflow(new int[] {2, 3, 4, 3, 5}, new int[] {2, 3, 3, 1, 5})
                    .strides(new int[] {1, 2, 2}).padding(Padding.VALID).build(),
            Deconv3dProblem.tensorflow(new int[] {1, 4, 3, 13, 6}, new int[] {3, 1, 3, 3, 6})
                    .strides(2).groups(2).activation(Activation.RELU).padding(Padding.SAME).build(),
            Deconv3dProblem.tensorflow(new int[] {1, 9, 3, 4, 11}, new int[] {1, 2, 3, 5, 9}).strides(2)
                    .padding(Padding.SAME).dataFormat(org.deconv3d.Layout.NCDHW)
                    .activation(Activation.leakyRelu(0.25f)).build(),
            Deconv3dProblem.pytorch(new int[] {3, 4, 5, 5, 10}, new int[] {4, 2, 3, 3, 3}).stride(2).padding(1)
                    .build(),
            // Output width 17: phases of 9 and 8 positions, so the shorter phase is computed over 16 (2 tiles).
            Deconv3dProblem.pytorch(new int[] {1, 3, 2, 3, 9}, new int[] {3, 5, 3, 3, 3}).stride(2).padding(1)
                    .activation(Activation.TANH).build(),
        };
        for (int i = 0; i < problems.length; i++) {
            Deconv3dProblem p = problems[i];
            Case c = Case.of(p, 100 + i, true, true);
            float[] merged;
            try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), 2, 0)) {
                assertTrue(plan.mergedWidthTiles(), "merged tiles not taken for " + p.describe());
                merged = run(plan, c);
            }
            CrossCheck.assertClose("simd (merged width tiles)", c, CrossCheck.reference(c), merged);
            String before = System.setProperty(Schedule.MERGE_PROPERTY, "false");
            assertTrue(before == null, "the property is for this test only");
            try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), 2, 0)) {
                assertFalse(plan.mergedWidthTiles());
                assertBitwiseEqual(run(plan, c), merged, "merged width tiles", c);
            } finally {
                System.clearProperty(Schedule.MERGE_PROPERTY);
            }
        }
    }

    /**
     * A batch of many small samples runs whole samples as items (each worker copies a sample into its own padded
     * slot): the same bits as stage-wide items, on every thread, and a smaller batch on the same plan (stage-wide
     * items, the same workspace grown) in between.
     */
    @Test
    void wholeSamplesAsItemsMatchStageWideItems() {
        int lanes = SimdKernel.L;
        Deconv3dProblem[] problems = {
            Deconv3dProblem.tensorflow(new int[] {24, 4, 5, 3, 7}, new int[] {3, 3, 3, Math.min(lanes, 16), 7})
                    .strides(2).padding(Padding.SAME).build(),
            Deconv3dProblem.tensorflow(new int[] {17, 3, 2, 4, 6}, new int[] {2, 3, 1, 5, 6}).strides(3)
                    .groups(1).activation(Activation.RELU).padding(Padding.VALID).build(),
            Deconv3dProblem.tensorflow(new int[] {25, 5, 3, 2, 3}, new int[] {3, 2, 3, 4, 5}).strides(2)
                    .padding(Padding.SAME).dataFormat(org.deconv3d.Layout.NCDHW).activation(Activation.TANH).build(),
            Deconv3dProblem.pytorch(new int[] {16, 4, 3, 3, 5}, new int[] {4, 2, 3, 3, 3}).stride(2).padding(1)
                    .groups(2).build(),
        };
        for (int i = 0; i < problems.length; i++) {
            Deconv3dProblem p = problems[i];
            Case c = Case.of(p, 300 + i, true, true);
            float[] staged;
            String before = System.setProperty(SimdPlan.BY_SAMPLE_PROPERTY, "false");
            assertTrue(before == null, "the property is for this test only");
            try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), 2, 0)) {
                assertFalse(plan.bySample(p.batch(), plan.workers()));
                staged = run(plan, c);
            } finally {
                System.clearProperty(SimdPlan.BY_SAMPLE_PROPERTY);
            }
            CrossCheck.assertClose("simd (stage-wide items)", c, CrossCheck.reference(c), staged);
            for (int threads = 1; threads <= 2; threads++) {
                try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), threads, 0)) {
                    assertTrue(plan.bySample(p.batch(), plan.workers()), "whole samples not taken for "
                            + p.describe() + " on " + threads + " threads");
                    assertTrue(plan.workspaceBytes() == plan.workspaceBytes(threads),
                            "one padded sample per worker: " + plan.workspaceBytes());
                    assertBitwiseEqual(staged, run(plan, c), "whole samples, " + threads + " threads", c);
                    int few = 3; // stage-wide items on the same plan and workspace
                    float[] part = new float[few * p.outputLengthPerSample()];
                    plan.run(c.input(), 0, part, 0, few);
                    assertBitwiseEqual(Arrays.copyOf(staged, part.length), part, "3 samples after whole samples", c);
                    float[] many = new float[staged.length];
                    Arrays.fill(many, Float.NaN);
                    int[] perWorker = plan.computeWithEveryThread(c.input(), many);
                    assertBitwiseEqual(staged, many, "whole samples, every thread started", c);
                    assertEquals(threads, perWorker.length);
                    assertTrue(Arrays.stream(perWorker).allMatch(n -> n > 0), "a thread computed no sample: "
                            + Arrays.toString(perWorker) + " on " + c.replay());
                }
            }
        }
    }

    @Test
    void workspacesAreReportedAndBounded() throws Exception {
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 8, 6, 6, 6}, new int[] {3, 3, 3, 8, 8})
                .strides(2).dataFormat(org.deconv3d.Layout.NCDHW).build();
        Case c = Case.of(p, 6, false, true);
        try (SimdPlan plan = simd.plan(p, c.filter(), null, 1, SimdPlan.SMALL_FLOPS)) {
            assertTrue(plan.workspaceBytes() >= 4L * p.inputLength(), "an NCDHW input is copied: "
                    + plan.workspaceBytes());
            ExecutorService callers = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (int t = 0; t < 32; t++) {
                    runs.add(callers.submit(() -> run(plan, c)));
                }
                for (Future<?> f : runs) {
                    f.get();
                }
            } finally {
                callers.shutdownNow();
            }
            assertTrue(plan.idleWorkspaces() <= SimdPlan.IDLE_WORKSPACES, plan.idleWorkspaces() + " idle workspaces");
        }
    }

    @Test
    void closedPlanRefusesAndOutputIsUntouched() {
        Case c = RandomProblems.draw(3);
        Deconv3dPlan plan = simd.plan(c.problem(), c.filter(), c.bias());
        assertEquals("simd", plan.backend());
        float[] y = new float[c.problem().outputLength()];
        plan.run(c.input(), y);
        assertFalse(allEqual(y, SENTINEL), "an open plan writes the output");
        plan.close();
        plan.close();
        Arrays.fill(y, SENTINEL);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plan.run(c.input(), y));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertTrue(allEqual(y, SENTINEL), "a closed plan wrote the output");
    }

    @Test
    void badArgumentsLeaveTheOutputUntouched() {
        Case c = RandomProblems.draw(4);
        try (Deconv3dPlan plan = simd.plan(c.problem(), c.filter(), c.bias())) {
            float[] y = new float[c.problem().outputLength()];
            Arrays.fill(y, SENTINEL);
            assertThrows(IllegalArgumentException.class, () -> plan.run(new float[c.input().length + 1], y));
            assertThrows(IllegalArgumentException.class, () -> plan.run(null, y));
            assertTrue(allEqual(y, SENTINEL));
            plan.run(c.input(), y);
            assertFalse(allEqual(y, SENTINEL), "the same output array is written by a valid run");
        }
        assertThrows(IllegalArgumentException.class, () -> simd.plan(c.problem(), c.filter(), c.bias(), 0));
        assertThrows(IllegalArgumentException.class, () -> simd.plan(c.problem(), new float[3], null));
    }

    @Test
    void everyActivationWithBias() {
        Deconv3dProblem.PyTorchBuilder b = Deconv3dProblem.pytorch(new int[] {2, 6, 3, 4, 5}, new int[] {6, 9, 3, 2, 3})
                .stride(2, 1, 3).padding(1, 0, 1).outputPadding(1, 0, 2).dilation(1, 2, 1).groups(3);
        int seed = 0;
        for (Activation a : new Activation[] {Activation.NONE, Activation.RELU, Activation.leakyRelu(0.3f),
                Activation.SIGMOID, Activation.TANH}) {
            Deconv3dProblem p = b.activation(a).build();
            CrossCheck.check(simd, Case.of(p, ++seed, true, false));
            CrossCheck.check(simd, Case.of(p, ++seed, true, true));
        }
    }

    private static boolean allEqual(float[] a, float v) {
        for (float x : a) {
            if (Float.compare(x, v) != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void anyBatchFromSlicesAndBuffers() {
        long base = org.deconv3d.testing.TestSeeds.base("slices");
        for (int i = 0; i < 30; i++) {
            org.deconv3d.testing.SlicesCheck.check(simd, org.deconv3d.testing.RandomProblems.draw(base + i), base + i);
        }
    }

    /** A workspace cap makes a large batch run in chunks that fit, with the same result; one sample too big fails. */
    @Test
    void aWorkspaceCapChunksTheBatchOrFailsNamingBothFigures() {
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 8, 6, 6, 8}, new int[] {3, 3, 3, 8, 8})
                .strides(2).dataFormat(org.deconv3d.Layout.NCDHW).build();
        Case c = Case.of(p, 12, true, true);
        int batch = 6;
        float[] x = new float[batch * p.inputLengthPerSample()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 7 % 11) - 5;
        }
        float[] uncapped = new float[batch * p.outputLengthPerSample()];
        float[] capped = new float[uncapped.length];
        long oneSample;
        try (Deconv3dPlan plan = simd.plan(p, c.filter(), c.bias(), org.deconv3d.PlanOptions.defaults().threads(2))) {
            plan.run(x, 0, uncapped, 0, batch);
            oneSample = plan.workspaceBytes(1);
            assertTrue(plan.workspaceBytes(batch) > 2 * oneSample / 2 + oneSample, "grows with the batch");
        }
        long cap = oneSample + oneSample / 2; // room for one sample, not two
        try (Deconv3dPlan plan = simd.plan(p, c.filter(), c.bias(),
                org.deconv3d.PlanOptions.defaults().threads(2).workspaceCap(cap))) {
            assertTrue(plan.workspaceBytes(batch) <= cap, plan.workspaceBytes(batch) + " > cap " + cap);
            plan.run(x, 0, capped, 0, batch);
        }
        assertArrayEquals(uncapped, capped, "chunked under the cap, the result is the same");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> simd.plan(p, c.filter(), c.bias(),
                org.deconv3d.PlanOptions.defaults().threads(2).workspaceCap(oneSample - 1)));
        assertTrue(e.getMessage().contains("more than the cap of " + (oneSample - 1)), e.getMessage());
        assertTrue(e.getMessage().contains("raise the cap to at least " + oneSample), e.getMessage());
    }

    /** Gradients of a batch under a small workspace cap run in chunks of samples, bitwise equal to one pass. */
    @Test
    void gradientsUnderAWorkspaceCapRunInChunksWithTheSameBits() {
        for (org.deconv3d.Layout layout : org.deconv3d.Layout.values()) {
            int[] shape = layout == org.deconv3d.Layout.NDHWC ? new int[] {5, 6, 5, 7, 8} : new int[] {5, 8, 6, 5, 7};
            Deconv3dProblem p = Deconv3dProblem.tensorflow(shape, new int[] {3, 3, 3, 8, 8})
                    .strides(2).dataFormat(layout).activation(Activation.RELU).build();
            Case c = Case.of(p, 13, true, true);
            float[] y = new float[p.outputLength()];
            // Small integers: every order of the sums gives the same bits (chunks change the order by planes).
            float[] dy = RandomProblems.smallIntegers(new java.util.Random(13), p.outputLength());
            float[][] whole;
            long oneSample;
            try (Deconv3dPlan plan = simd.plan(p, c.filter(), c.bias(), org.deconv3d.PlanOptions.defaults())) {
                plan.run(c.input(), y);
                oneSample = plan.workspaceBytes(1);
            }
            whole = gradients(simd.plan(p, c.filter(), c.bias(), org.deconv3d.PlanOptions.defaults().threads(2)), c,
                    y, dy);
            SimdPlan capped = (SimdPlan) simd.plan(p, c.filter(), c.bias(),
                    org.deconv3d.PlanOptions.defaults().threads(2).workspaceCap(oneSample));
            assertTrue(capped.gradients().inputItems() < p.batch() * 6 * 5, "the cap splits the batch");
            float[][] chunked = gradients(capped, c, y, dy);
            for (int j = 0; j < 3; j++) {
                assertBitwiseEqual(whole[j], chunked[j], layout + " gradient " + j + " in chunks", c);
            }
        }
    }

    /**
     * Kernel = stride with SAME padding (U-Net upsampling), output channels a multiple of the vector width: the input
     * gradient reads dy in place, no copy.
     */
    @Test
    void gradientsOfKernelEqualsStrideReadTheOutputGradientInPlace() {
        for (int width : new int[] {8, 4, 16}) {
            Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {2, 3, 5, width, 6}, new int[] {2, 2, 2, 16, 6})
                    .strides(2).padding(Padding.SAME).build();
            Case c = Case.of(p, 17 + width, true, true);
            try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), 2, 0)) {
                assertTrue(plan.gradients().inputReadsGradOutput(), "in place for width " + width);
                org.deconv3d.testing.GradientCheck.check(plan, c);
            }
        }
    }

    /**
     * The filter gradient by planes sums the bias gradient's rows as its depth taps pass over them; output planes
     * no tap reaches (stride above the kernel, an output larger than the taps reach) are still summed: agreement with
     * the reference on integers, and the same bits on 1 and 3 threads.
     */
    @Test
    void biasGradientSummedInTheFilterPassCountsEveryOutputPlane() {
        int seed = 100;
        // input d, h, w, cin, kernel, cout, stride, output depth (0: SAME's)
        int[][] shapes = {{6, 4, 5, 8, 3, 16, 2, 0}, {5, 3, 4, 6, 2, 16, 3, 0}, {4, 3, 3, 4, 3, 32, 2, 10}};
        for (int[] sh : shapes) {
            int[] in = {3, sh[0], sh[1], sh[2], sh[3]};
            Deconv3dProblem.TensorFlowBuilder b = Deconv3dProblem.tensorflow(in,
                    new int[] {sh[4], sh[4], sh[4], sh[5], sh[3]}).strides(sh[6]);
            if (sh[7] > 0) {
                b.padding(Padding.VALID).outputShape(new int[] {3, sh[7], (sh[1] - 1) * sh[6] + sh[4],
                    (sh[2] - 1) * sh[6] + sh[4], sh[5]});
            } else {
                b.padding(Padding.SAME);
            }
            Deconv3dProblem p = b.build();
            Case c = Case.of(p, seed++, true, true);
            float[] dy = RandomProblems.values(new java.util.Random(c.seed()), p.outputLength());
            String what = Arrays.toString(sh);
            float[] first = null;
            for (int threads = 1; threads <= 3; threads += 2) {
                try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), threads, 0)) {
                    assertTrue(plan.gradients().filterByPlanes() && plan.gradients().filterSumsBias(), what);
                    float[] db = new float[p.outChannels()];
                    plan.backwardWeights(c.input(), dy, null, new float[p.filterLength()], db);
                    if (first == null) {
                        first = db;
                        org.deconv3d.testing.GradientCheck.check(plan, c);
                    } else {
                        assertBitwiseEqual(first, db, what + ", " + threads + " threads", c);
                    }
                }
            }
        }
    }

    /**
     * Where the output gradient is read in place although padding surrounds it (entries left out at the depth and
     * height borders, edge tiles through strips of a small buffer), the input gradient has the same bits as through the
     * padded copy: pads before and after, stride above the kernel, dilation, groups, a kernel wider than the row, rows
     * of one to three tiles, strips kept across items and not, a second call on the same plan, on 1 and 3 threads;
     * and agrees with the reference.
     */
    @Test
    void inputGradientInPlaceMatchesThePaddedCopy() {
        int seed = 80;
        // input d, h, w, cin, kernel d, h, w, cout per group, stride, dilation, groups, VALID (else SAME)
        int[][] shapes = {
            {3, 4, 13, 20, 3, 3, 3, 16, 2, 1, 1, 0}, // vol-like: padding after only
            {2, 3, 20, 12, 3, 3, 3, 16, 1, 1, 1, 0}, // padding on both sides, first and last tiles at an edge
            {2, 2, 9, 8, 2, 2, 2, 16, 3, 1, 1, 0}, // stride above the kernel
            {3, 3, 11, 6, 3, 2, 3, 16, 1, 2, 1, 0}, // dilation 2
            {2, 3, 10, 12, 3, 3, 2, 16, 2, 1, 2, 0}, // two groups
            {1, 2, 6, 5, 4, 3, 7, 32, 1, 1, 1, 1}, // kernel deeper and wider than the input, VALID
            {2, 2, 17, 4, 1, 1, 3, 16, 2, 1, 1, 1}, // VALID, width only
            {2, 100, 9, 4, 3, 3, 3, 16, 2, 1, 1, 0}, // tall: strips refilled per item, not kept
        };
        java.util.Set<Boolean> stripsKept = new java.util.HashSet<>();
        for (int[] sh : shapes) {
            int groups = sh[10];
            int[] in = {2, sh[0], sh[1], sh[2], sh[3] * groups};
            Deconv3dProblem p = Deconv3dProblem.tensorflow(in, new int[] {sh[4], sh[5], sh[6], sh[7], in[4]})
                    .strides(sh[8]).dilations(sh[9]).groups(groups)
                    .padding(sh[11] == 1 ? Padding.VALID : Padding.SAME).build();
            Case c = Case.of(p, seed++, true, true);
            float[] dy = RandomProblems.values(new java.util.Random(c.seed()), p.outputLength());
            float[] otherDy = RandomProblems.values(new java.util.Random(c.seed() + 1), p.outputLength());
            String what = Arrays.toString(sh);
            float[] inPlace = null;
            for (int threads = 1; threads <= 3; threads += 2) {
                try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), threads, 0)) {
                    assertTrue(plan.gradients().inputReadsGradOutput(), what);
                    stripsKept.add(plan.gradients().inputKeepsStrips());
                    float[] dx = new float[p.inputLength()];
                    // A call before, with another dy: nothing it leaves in the strips may reach the next call.
                    plan.backwardInput(otherDy, null, dx);
                    plan.backwardInput(dy, null, dx);
                    if (inPlace == null) {
                        inPlace = dx;
                        org.deconv3d.testing.GradientCheck.check(plan, c);
                    } else {
                        assertBitwiseEqual(inPlace, dx, what + ", " + threads + " threads", c);
                    }
                }
            }
            String before = System.setProperty(GradientGeometry.IN_PLACE_PROPERTY, "false");
            assertTrue(before == null, "the property is for this test only");
            try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), 2, 0)) {
                assertFalse(plan.gradients().inputReadsGradOutput(), what);
                float[] padded = new float[p.inputLength()];
                plan.backwardInput(dy, null, padded);
                assertBitwiseEqual(padded, inPlace, what + ", in place against the padded copy", c);
            } finally {
                System.clearProperty(GradientGeometry.IN_PLACE_PROPERTY);
            }
        }
        assertEquals(java.util.Set.of(true, false), stripsKept, "strips kept and not");
    }

    /**
     * A batch of many samples computes the input gradient sample by sample, each worker from its own padded slot:
     * the same bits as with stage-wide items (in place or from the whole padded copy), on 1 and 2 threads with
     * every thread used, both layouts, an activation, groups, dilation, rows paired (width at most 4).
     */
    @Test
    void inputGradientBySampleMatchesStageWideItems() {
        Deconv3dProblem[] problems = {
            Deconv3dProblem.tensorflow(new int[] {17, 3, 4, 9, 6}, new int[] {3, 3, 3, 16, 6}).strides(2)
                    .padding(Padding.SAME).build(), // in place when stage-wide
            Deconv3dProblem.tensorflow(new int[] {16, 2, 3, 3, 4}, new int[] {2, 3, 3, 5, 4}).strides(2)
                    .dilations(new int[] {1, 2, 1}).padding(Padding.VALID).activation(Activation.TANH).build(),
            Deconv3dProblem.tensorflow(new int[] {20, 4, 2, 3, 5}, new int[] {3, 2, 3, 3, 4}).strides(2)
                    .padding(Padding.SAME).dataFormat(Layout.NCDHW).build(),
            Deconv3dProblem.pytorch(new int[] {16, 4, 3, 5, 3}, new int[] {4, 4, 3, 3, 3}).stride(2).padding(1)
                    .groups(2).activation(Activation.RELU).build(),
        };
        for (int i = 0; i < problems.length; i++) {
            Deconv3dProblem p = problems[i];
            Case c = Case.of(p, 400 + i, true, true);
            float[] dy = RandomProblems.values(new java.util.Random(c.seed()), p.outputLength());
            float[] y = new float[p.outputLength()];
            float[] staged = new float[p.inputLength()];
            String before = System.setProperty(SimdPlan.BY_SAMPLE_PROPERTY, "false");
            assertTrue(before == null, "the property is for this test only");
            try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), 2, 0)) {
                assertFalse(plan.gradients().inputBySample(), p.describe());
                plan.run(c.input(), y);
                plan.backwardInput(dy, y, staged);
            } finally {
                System.clearProperty(SimdPlan.BY_SAMPLE_PROPERTY);
            }
            for (int threads = 1; threads <= 2; threads++) {
                try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), threads, 0)) {
                    SimdGradients g = plan.gradients();
                    assertTrue(g.inputBySample(), p.describe() + " on " + threads + " threads");
                    assertFalse(g.inputReadsGradOutput(), p.describe());
                    float[] dx = new float[p.inputLength()];
                    Arrays.fill(dx, Float.NaN);
                    g.waitForHelpers = true;
                    plan.backwardInput(dy, y, dx);
                    assertBitwiseEqual(staged, dx, "by sample, " + threads + " threads", c);
                    int[] perWorker = g.lastItemsPerWorker;
                    assertEquals(threads, perWorker.length);
                    assertTrue(Arrays.stream(perWorker).allMatch(n -> n > 0), "a thread computed no sample: "
                            + Arrays.toString(perWorker) + " on " + c.replay());
                    if (i == 0 && threads == 1) {
                        org.deconv3d.testing.GradientCheck.check(plan, c);
                    }
                }
            }
        }
    }

    /**
     * Filter gradients with many channels copy their positions into dense blocks (of 128; two per tap by taps):
     * the same bits as in place, for both splits, both layouts, groups, channel tails, on 1 and 3 threads.
     */
    @Test
    void packedFilterGradientBlocksMatchTheInPlaceRuns() {
        int seed = 40;
        for (boolean byPlanes : new boolean[] {false, true}) {
            for (Layout layout : Layout.values()) {
                for (int groups : new int[] {1, 2}) {
                    // By taps: parts of 48, 48 and 36 (or 80 and 52) input channels, so channel tails after the
                    // 8-blocks, and up to 192 positions per width tap, so two blocks.
                    int cin = (byPlanes ? 64 : 132) * groups;
                    int cout = (byPlanes ? 64 : 96) * groups;
                    int[] in = byPlanes ? new int[] {1, 16, 8, 8, cin} : new int[] {2, 4, 4, 6, cin};
                    int k = byPlanes ? 2 : 4;
                    Deconv3dProblem p = Deconv3dProblem.tensorflow(layout == Layout.NCDHW
                            ? new int[] {in[0], in[4], in[1], in[2], in[3]} : in, new int[] {k, k, k, cout / groups, cin})
                            .strides(2).padding(Padding.SAME).groups(groups).dataFormat(layout)
                            .activation(Activation.leakyRelu(0.25f)).build();
                    Case c = Case.of(p, seed++, true, true);
                    // The leaky relu's derivative only reads the sign of y: random values do (no forward run).
                    float[] y = RandomProblems.values(new java.util.Random(c.seed() + 1), p.outputLength());
                    float[] dy = RandomProblems.values(new java.util.Random(c.seed()), p.outputLength());
                    String what = (byPlanes ? "by planes, " : "by taps, ") + layout + ", groups " + groups;
                    float[] packed = null;
                    for (int threads = 1; threads <= 3; threads += 2) {
                        try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), threads, 0)) {
                            assertTrue(plan.gradients().filterPacksBlocks(), what);
                            assertEquals(byPlanes, plan.gradients().filterByPlanes(), what);
                            if (threads == 1 && byPlanes && groups == 1 && layout == Layout.NDHWC) {
                                // The in-place runs are checked against the reference on random problems; this
                                // one check keeps the reference's share of the time small.
                                org.deconv3d.testing.GradientCheck.check(plan, c);
                            }
                            float[] dw = filterGradient(plan, c, y, dy);
                            if (packed == null) {
                                packed = dw;
                            } else {
                                assertBitwiseEqual(packed, dw, what + ", " + threads + " threads", c);
                            }
                        }
                    }
                    if (layout == Layout.NCDHW) {
                        continue; // always packed (the random cross-checks compare it with the reference)
                    }
                    String before = System.setProperty(GradientGeometry.PACK_PROPERTY, "false");
                    assertTrue(before == null, "the property is for this test only");
                    try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), 2, 0)) {
                        assertFalse(plan.gradients().filterPacksBlocks());
                        assertBitwiseEqual(packed, filterGradient(plan, c, y, dy), what + ", in place", c);
                    } finally {
                        System.clearProperty(GradientGeometry.PACK_PROPERTY);
                    }
                }
            }
        }
    }

    /**
     * One vector of output channels: the filter gradient's output-channel-major sums ({@code m8n2} turned around) give the same
     * bits as the input-channel-major tiles, by planes and by taps (under a workspace cap too, where a later chunk
     * reads its sums back out of dw), in place and packed, both layouts, groups, an activation, 1 and 3 threads.
     */
    @Test
    void filterGradientSumsByOutputChannelMatchTheInputChannelTiles() {
        int lanes = SimdKernel.L;
        Deconv3dProblem[] problems = {
            Deconv3dProblem.tensorflow(new int[] {1, 10, 10, 12, 2 * lanes}, new int[] {3, 3, 3, lanes, 2 * lanes})
                    .strides(2).padding(Padding.SAME).build(), // by planes, in place, bias fused
            Deconv3dProblem.tensorflow(new int[] {1, 4 * lanes, 8, 8, 8}, new int[] {3, 2, 3, lanes, 4 * lanes})
                    .strides(2).padding(Padding.SAME).groups(2).dataFormat(Layout.NCDHW)
                    .activation(Activation.RELU).build(), // by planes, packed
            Deconv3dProblem.tensorflow(new int[] {3, 2, 2, 2, 32 * lanes}, new int[] {2, 2, 3, lanes, 32 * lanes})
                    .strides(2).padding(Padding.SAME).build(), // by taps: parts of two vectors
        };
        for (int i = 0; i < problems.length; i++) {
            Deconv3dProblem p = problems[i];
            Case c = Case.of(p, 500 + i, true, true);
            float[] y = new float[p.outputLength()];
            float[] dy = RandomProblems.values(new java.util.Random(c.seed()), p.outputLength());
            String what = p.describe();
            float[][] tiles;
            String before = System.setProperty(GradientGeometry.SUMS_BY_COUT_PROPERTY, "false");
            assertTrue(before == null, "the property is for this test only");
            try {
                SimdPlan plan = simd.plan(p, c.filter(), c.bias(), 2, 0);
                assertFalse(plan.gradients().filterSumsByOutputChannel(), what);
                plan.run(c.input(), y);
                tiles = gradients(plan, c, y, dy);
            } finally {
                System.clearProperty(GradientGeometry.SUMS_BY_COUT_PROPERTY);
            }
            for (int threads = 1; threads <= 3; threads += 2) {
                SimdPlan plan = simd.plan(p, c.filter(), c.bias(), threads, 0);
                assertEquals(lanes >= 8, plan.gradients().filterSumsByOutputChannel(), what);
                assertEquals(i < 2, plan.gradients().filterByPlanes(), what);
                if (threads == 1 && i == 0) {
                    org.deconv3d.testing.GradientCheck.check(plan, c);
                }
                float[][] byCout = gradients(plan, c, y, dy);
                assertBitwiseEqual(tiles[1], byCout[1], what + ", filter gradient, " + threads + " threads", c);
                assertBitwiseEqual(tiles[2], byCout[2], what + ", bias gradient, " + threads + " threads", c);
            }
            if (i == 2) {
                // A cap of one byte: one sample per chunk, each chunk's sums read back out of dw.
                SimdGradients capped = new SimdGradients(p, c.filter(), new ParallelRunner(2), 0, 1);
                assertEquals(2, capped.inputItems(), "one sample per chunk");
                float[][] chunked = {null, new float[p.filterLength()]};
                capped.weightGradient(c.input(), dy, y, chunked[1], new float[p.outChannels()]);
                assertBitwiseEqual(tiles[1], chunked[1], what + ", filter gradient in chunks", c);
            }
        }
    }

    /**
     * Claims: all items on one thread; about 64 per worker by default; the input gradient's rows of a plane per claim
     * where its strips are kept (they share strips), never fewer than four claims per worker.
     */
    @Test
    void claimsHoldWhatTheItemsAskForWhileSharesStayBalanced() {
        assertEquals(1000, ParallelRunner.claimRun(1000, 1, 16));
        assertEquals(7, ParallelRunner.claimRun(1000, 2, 1));
        assertEquals(32, ParallelRunner.claimRun(1024, 2, 32));
        assertEquals(16, ParallelRunner.claimRun(128, 2, 32)); // four claims per worker at least
        assertEquals(1, ParallelRunner.claimRun(5, 2, 32));
        Deconv3dProblem vol = Deconv3dProblem.tensorflow(new int[] {1, 4, 12, 20, 8}, new int[] {3, 3, 3, 16, 8})
                .strides(2).padding(Padding.SAME).build();
        Case c = Case.of(vol, 5, false, false);
        try (SimdPlan plan = simd.plan(vol, c.filter(), c.bias(), 2, 0)) {
            assertTrue(plan.gradients().inputKeepsStrips());
            assertEquals(12, plan.gradients().inputItemsPerClaim(), "one plane's rows per claim");
        }
    }

    @Test
    void inputGradientWidthRunsMatchTheTapByTapEntries() {
        int seed = 60;
        // vol-like (k3 s2, SAME: a padded copy), unet-k2-like (dy read in place), a leaky relu (a copy of dy * act'),
        // 1 and 2 vectors of input channels with a tail, kernel width 1, 2 and 5, and both layouts.
        int[][] shapes = { // cin, cout, kernel (d, h, w), stride, width
            {32, 16, 3, 3, 3, 2, 13}, {48, 32, 2, 2, 2, 2, 12}, {20, 16, 3, 2, 5, 3, 9}, {16, 48, 1, 3, 1, 1, 11}};
        for (int[] sh : shapes) {
            for (Layout layout : Layout.values()) {
                int[] in = {2, 3, 4, sh[6], sh[0]};
                Deconv3dProblem p = Deconv3dProblem.tensorflow(layout == Layout.NCDHW
                        ? new int[] {in[0], in[4], in[1], in[2], in[3]} : in,
                        new int[] {sh[2], sh[3], sh[4], sh[1], sh[0]})
                        .strides(sh[5]).padding(Padding.SAME).dataFormat(layout)
                        .activation(sh[2] == 3 ? Activation.leakyRelu(0.25f) : Activation.NONE).build();
                Case c = Case.of(p, seed++, true, true);
                float[] y = RandomProblems.values(new java.util.Random(c.seed() + 1), p.outputLength());
                float[] dy = RandomProblems.values(new java.util.Random(c.seed()), p.outputLength());
                String what = Arrays.toString(sh) + ", " + layout;
                float[] runs = new float[p.inputLength()];
                try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), 2, 0)) {
                    assertEquals(sh[4], plan.gradients().inputWidthRun(), what);
                    plan.backwardInput(dy, y, runs);
                }
                String before = System.setProperty(GradientGeometry.WIDTH_RUN_PROPERTY, "false");
                assertTrue(before == null, "the property is for this test only");
                try (SimdPlan plan = simd.plan(p, c.filter(), c.bias(), 2, 0)) {
                    assertEquals(1, plan.gradients().inputWidthRun(), what);
                    float[] taps = new float[p.inputLength()];
                    plan.backwardInput(dy, y, taps);
                    assertBitwiseEqual(taps, runs, what + ", runs against taps", c);
                } finally {
                    System.clearProperty(GradientGeometry.WIDTH_RUN_PROPERTY);
                }
            }
        }
    }
}
