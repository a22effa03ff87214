package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deconv3d.reference.ReferenceDeconv3d;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.CrossCheck;
import org.deconv3d.testing.RandomProblems;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.Test;

/** The plan contract: copies its filter, runs concurrently, refuses to run once closed. */
class ReferencePlanTest {

    @Test
    void concurrentRunsOnOnePlanAgree() throws Exception {
        long seed = TestSeeds.base("ReferencePlanTest.concurrent");
        Case c = RandomProblems.draw(seed);
        float[] expected = CrossCheck.reference(c);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Deconv3dPlan plan = new ReferenceDeconv3d().plan(c.problem(), c.filter(), c.bias())) {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                results.add(pool.submit(() -> {
                    float[] y = new float[c.problem().outputLength()];
                    plan.run(c.input(), y);
                    return y;
                }));
            }
            for (Future<float[]> f : results) {
                assertArrayEquals(expected, f.get(), c.replay());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void planCopiesItsFilterAndRefusesAfterClose() {
        Case c = RandomProblems.draw(7);
        float[] filter = c.filter().clone();
        Deconv3dPlan plan = new ReferenceDeconv3d().plan(c.problem(), filter, c.bias());
        java.util.Arrays.fill(filter, 0f);
        float[] y = new float[c.problem().outputLength()];
        plan.run(c.input(), y);
        assertArrayEquals(CrossCheck.reference(c), y);
        assertEquals("reference", plan.backend());
        plan.close();
        plan.close();
        float[] untouched = y.clone();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plan.run(c.input(), y));
        assertEquals("this reference plan is closed: make a new plan with Deconv3d.plan(...)", e.getMessage());
        assertArrayEquals(untouched, y);
    }

    @Test
    void closeDuringRunsLetsEachRunCompleteOrRefuse() throws Exception {
        Case c = RandomProblems.draw(11);
        float[] expected = CrossCheck.reference(c);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 20; round++) {
                Deconv3dPlan plan = new ReferenceDeconv3d().plan(c.problem(), c.filter(), c.bias());
                List<Future<float[]>> runs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    runs.add(pool.submit(() -> {
                        float[] y = new float[expected.length];
                        java.util.Arrays.fill(y, Float.NaN);
                        try {
                            plan.run(c.input(), y);
                            return y;
                        } catch (IllegalStateException refused) {
                            for (float v : y) {
                                assertTrue(Float.isNaN(v), "a refused run wrote its output");
                            }
                            return null;
                        }
                    }));
                }
                plan.close();
                for (Future<float[]> f : runs) {
                    float[] y = f.get();
                    if (y != null) {
                        assertArrayEquals(expected, y, "a run that completed must be whole");
                    }
                }
                assertThrows(IllegalStateException.class, () -> plan.run(c.input(), new float[expected.length]));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anyBatchFromSlicesAndBuffers() {
        long base = org.deconv3d.testing.TestSeeds.base("slices");
        for (int i = 0; i < 30; i++) {
            org.deconv3d.testing.SlicesCheck.check(new ReferenceDeconv3d(), org.deconv3d.testing.RandomProblems.draw(base + i), base + i);
        }
    }
}
