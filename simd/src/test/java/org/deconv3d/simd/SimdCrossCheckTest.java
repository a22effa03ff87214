package org.deconv3d.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deconv3d.Availability;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3d;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.CrossCheck;
import org.deconv3d.testing.RandomProblems;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.Test;

/**
 * The simd backend against the reference on many random problems (fresh seed each run, printed; replay with
 * {@code -Ddeconv3d.seed=N}). Surefire runs this class again at 256 and 128 bits ({@code -Ddeconv3d.simd.bits}),
 * so the narrower vector paths and their tails are covered on a 512-bit machine.
 */
class SimdCrossCheckTest {

    /** Problems per run; {@code -Ddeconv3d.simd.problems} lowers it for the extra vector-width runs. */
    private static final int PROBLEMS = Integer.getInteger("deconv3d.simd.problems", 500);

    @Test
    void theFastPathReallyRuns() {
        Availability a = new SimdProvider().availability();
        assertTrue(a.available(), "simd must be available in this test JVM (it runs with --add-modules"
                + " jdk.incubator.vector): " + a.reason());
        assertEquals("simd", Backends.select().name(), "simd must win selection over the reference");
        String bits = System.getProperty(VectorSupport.BITS_PROPERTY);
        if (bits != null && !bits.isBlank()) {
            assertEquals(Integer.parseInt(bits) / 32, SimdKernel.L, "forced vector width not in effect");
        }
        System.out.println("simd vector width: " + SimdKernel.L * 32 + " bits");
    }

    @Test
    void agreesWithTheReferenceOnRandomProblems() {
        long base = TestSeeds.base("SimdCrossCheckTest@" + SimdKernel.L * 32 + "bit");
        Deconv3d simd = new SimdProvider().create();
        for (int i = 0; i < PROBLEMS; i++) {
            Case c = RandomProblems.draw(base + i);
            CrossCheck.check(simd, c);
        }
    }

    @Test
    void gradientsAgreeWithTheReferenceOnRandomProblems() {
        long base = TestSeeds.base("SimdCrossCheckTest.gradients@" + SimdKernel.L * 32 + "bit");
        Deconv3d simd = new SimdProvider().create();
        for (int i = 0; i < PROBLEMS / 3; i++) {
            Case c = RandomProblems.draw(base + i);
            try (org.deconv3d.Deconv3dPlan plan = simd.plan(c.problem(), c.filter(), c.bias())) {
                org.deconv3d.testing.GradientCheck.check(plan, c);
            }
        }
    }
}
