package org.deconv3d.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.deconv3d.Padding;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.CrossCheck;
import org.deconv3d.testing.RandomProblems;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.Test;

class SimdPlanTest {

    private final Deconv3d simd = new SimdProvider().create();

    private static float[] run(Deconv3dPlan plan, Case c) {
        float[] y = new float[c.problem().outputLength()];
        Arrays.fill(y, Float.NaN);
        plan.run(c.input(), y);
        return y;
    }

    @Test
    void bitwiseIdenticalFor1To3Threads() {
        long base = TestSeeds.base("SimdPlanTest.threads");
        for (int i = 0; i < 40; i++) {
            Case c = RandomProblems.draw(base + i);
            float[] one;
            try (Deconv3dPlan plan = simd.plan(c.problem(), c.filter(), c.bias(), 1)) {
                one = run(plan, c);
            }
            for (int threads = 2; threads <= 3; threads++) {
                try (Deconv3dPlan plan = simd.plan(c.problem(), c.filter(), c.bias(), threads)) {
                    float[] many = run(plan, c);
                    for (int j = 0; j < one.length; j++) {
                        assertEquals(Float.floatToRawIntBits(one[j]), Float.floatToRawIntBits(many[j]),
                                threads + " threads differ from 1 at element " + j + " on " + c.replay());
                    }
                }
            }
        }
    }

    @Test
    void determinismOnABenchmarkSizedProblem() {
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {2, 4, 4, 4, 64}, new int[] {4, 4, 4, 48, 64})
                .strides(2).padding(Padding.SAME).build();
        Case c = new Case(1, p, RandomProblems.values(new java.util.Random(1), p.inputLength()),
                RandomProblems.values(new java.util.Random(2), p.filterLength()), null);
        float[][] results = new float[3][];
        for (int threads = 1; threads <= 3; threads++) {
            try (Deconv3dPlan plan = simd.plan(p, c.filter(), null, threads)) {
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
                try (Deconv3dPlan plan = simd.plan(c.problem(), c.filter(), c.bias(), 2)) {
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
    void nanAndInfinityPropagateLikeTheReference() {
        long base = TestSeeds.base("SimdPlanTest.nan");
        for (int i = 0; i < 30; i++) {
            Case c = RandomProblems.draw(base + i);
            float[] x = c.input().clone();
            x[0] = Float.NaN;
            x[x.length / 2] = Float.POSITIVE_INFINITY;
            x[x.length - 1] = Float.NEGATIVE_INFINITY;
            Case poisoned = new Case(c.seed(), c.problem(), x, c.filter(), c.bias());
            CrossCheck.check(simd, poisoned);
        }
    }

    @Test
    void closedPlanRefusesAndOutputIsUntouched() {
        Case c = RandomProblems.draw(3);
        Deconv3dPlan plan = simd.plan(c.problem(), c.filter(), c.bias());
        assertEquals("simd", plan.backend());
        plan.close();
        plan.close();
        float[] y = new float[c.problem().outputLength()];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plan.run(c.input(), y));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertArrayEquals(new float[y.length], y);
    }

    @Test
    void badArgumentsLeaveTheOutputUntouched() {
        Case c = RandomProblems.draw(4);
        try (Deconv3dPlan plan = simd.plan(c.problem(), c.filter(), c.bias())) {
            float[] y = new float[c.problem().outputLength()];
            Arrays.fill(y, 7f);
            assertThrows(IllegalArgumentException.class, () -> plan.run(new float[c.input().length + 1], y));
            assertThrows(IllegalArgumentException.class, () -> plan.run(null, y));
            assertArrayEquals(filled(y.length, 7f), y);
        }
        assertThrows(IllegalArgumentException.class, () -> simd.plan(c.problem(), c.filter(), c.bias(), 0));
        assertThrows(IllegalArgumentException.class, () -> simd.plan(c.problem(), new float[3], null));
    }

    @Test
    void everyActivationWithBias() {
        Deconv3dProblem.PyTorchBuilder b = Deconv3dProblem.pytorch(new int[] {2, 6, 3, 4, 5}, new int[] {6, 9, 3, 2, 3})
                .stride(2, 1, 3).padding(1, 0, 1).outputPadding(1, 0, 2).dilation(1, 2, 1).groups(3);
        for (Activation a : new Activation[] {Activation.NONE, Activation.RELU, Activation.leakyRelu(0.3f),
                Activation.SIGMOID, Activation.TANH}) {
            Deconv3dProblem p = b.activation(a).build();
            java.util.Random r = new java.util.Random(a.hashCode());
            Case c = new Case(a.hashCode(), p, RandomProblems.values(r, p.inputLength()),
                    RandomProblems.values(r, p.filterLength()), RandomProblems.values(r, p.outChannels()));
            CrossCheck.check(simd, c);
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

}
