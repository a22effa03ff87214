package org.deconv3d.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.RandomProblems;
import org.junit.jupiter.api.Test;

/** The plan's use of the device, with a fake device: buffers freed exactly once, nothing written on failure. */
class CudaPlanLifecycleTest {

    private final Case c = RandomProblems.draw(42);

    @Test
    void closeTwiceFreesEverythingOnce() {
        FakeDevice d = new FakeDevice();
        CudaPlan plan = new CudaPlan(d, c.problem(), c.filter(), c.bias());
        assertEquals(6, d.live.size(), "geometry, weights, bias, phase table, input and output");
        float[] y = new float[c.problem().outputLength()];
        plan.run(c.input(), y);
        assertTrue(d.calls.contains("launch"), d.calls.toString());
        assertEquals("download output", d.calls.get(d.calls.size() - 1));
        assertNotNull(plan.lastTimings());
        assertTrue(plan.lastTimings().totalMillis() >= 0);
        plan.close();
        plan.close();
        assertEquals(0, d.live.size());
        assertEquals(6, d.frees);
        assertEquals(1, d.releases);
    }

    /** The gradients run on the device (their buffers made once, freed with the plan); a failure writes nothing. */
    @Test
    void gradientsRunOnTheDeviceAndAFailedLaunchWritesNothing() {
        FakeDevice d = new FakeDevice();
        org.deconv3d.Deconv3dProblem p = c.problem();
        float[] y = new float[p.outputLength()];
        float[] dy = new float[p.outputLength()];
        float[] dx = new float[p.inputLength()];
        float[] dw = new float[p.filterLength()];
        float[] db = new float[p.outChannels()];
        try (CudaPlan plan = new CudaPlan(d, p, c.filter(), c.bias())) {
            plan.backwardInput(dy, y, dx);
            assertEquals("download gradInput", d.calls.get(d.calls.size() - 1));
            plan.backwardWeights(c.input(), dy, y, dw, db);
            assertTrue(d.calls.contains("download gradFilter"), d.calls.toString());
            assertEquals(1, d.calls.stream().filter("allocate gradOutput"::equals).count(), "allocated once");
            d.failLaunch = true;
            Arrays.fill(dx, 3f);
            Arrays.fill(dw, 3f);
            assertThrows(CudaException.class, () -> plan.backwardInput(dy, y, dx));
            assertThrows(CudaException.class, () -> plan.backwardWeights(c.input(), dy, y, dw, db));
            assertTrue(allEqual(dx, 3f) && allEqual(dw, 3f), "a failed gradient call wrote its outputs");
        }
        assertEquals(0, d.live.size(), "every buffer, the gradients' too, is freed with the plan");
    }

    private static boolean allEqual(float[] a, float v) {
        for (float f : a) {
            if (f != v) {
                return false;
            }
        }
        return true;
    }

    @Test
    void useAfterCloseIsAClearError() {
        CudaPlan plan = new CudaPlan(new FakeDevice(), c.problem(), c.filter(), c.bias());
        plan.close();
        float[] y = new float[c.problem().outputLength()];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plan.run(c.input(), y));
        assertEquals("this cuda plan is closed: make a new plan with Deconv3d.plan(...)", e.getMessage());
    }

    @Test
    void outOfMemoryWhilePlanningFreesWhatWasAllocated() {
        FakeDevice d = new FakeDevice();
        d.failAllocation = 5;
        CudaException e = assertThrows(CudaException.class, () -> new CudaPlan(d, c.problem(), c.filter(), c.bias()));
        assertTrue(e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY"), e.getMessage());
        assertTrue(e.getMessage().contains("cuMemAlloc (input"), e.getMessage());
        assertEquals(0, d.live.size(), "the four earlier allocations are freed");
        assertEquals(1, d.releases);
    }

    @Test
    void failedLaunchLeavesTheOutputUntouched() {
        FakeDevice d = new FakeDevice();
        try (CudaPlan plan = new CudaPlan(d, c.problem(), c.filter(), c.bias())) {
            d.failLaunch = true;
            float[] y = new float[c.problem().outputLength()];
            Arrays.fill(y, 3f);
            CudaException e = assertThrows(CudaException.class, () -> plan.run(c.input(), y));
            assertTrue(e.getMessage().startsWith("cuLaunchKernel"), e.getMessage());
            float[] expected = new float[y.length];
            Arrays.fill(expected, 3f);
            assertArrayEquals(expected, y);
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeTheDevice() {
        FakeDevice d = new FakeDevice();
        try (CudaPlan plan = new CudaPlan(d, c.problem(), c.filter(), c.bias())) {
            int before = d.calls.size();
            assertThrows(IllegalArgumentException.class, () -> plan.run(new float[1], new float[1]));
            assertEquals(before, d.calls.size(), "nothing reached the device");
        }
    }
}
