package org.deconv3d.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.reference.ReferenceKernel;

/**
 * Compares a backend with the reference kernel the same way for every backend: output poisoned with NaN first
 * (so an unwritten element fails), error measured as {@code max|a - b| / max|reference|}.
 */
public final class CrossCheck {

    /** fp32 against a double-accumulating reference: about 1e-6 in practice. */
    public static final double TOLERANCE = 1e-5;

    private CrossCheck() {
    }

    /** Computes {@code c} with the reference kernel. */
    public static float[] reference(Case c) {
        float[] y = new float[c.problem().outputLength()];
        ReferenceKernel.compute(c.problem(), c.input(), c.filter(), c.bias(), y);
        return y;
    }

    /** Runs {@code c} on {@code backend} and fails, naming the case and the first bad element, on disagreement. */
    public static void check(Deconv3d backend, Case c) {
        float[] expected = reference(c);
        float[] actual = new float[expected.length];
        Arrays.fill(actual, Float.NaN);
        try (Deconv3dPlan plan = backend.plan(c.problem(), c.filter(), c.bias())) {
            plan.run(c.input(), actual);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(backend.name() + " threw on " + c.replay() + ": " + e, e);
        }
        assertClose(backend.name(), c, expected, actual);
    }

    /** Fails when {@code actual} differs from {@code expected} by more than {@link #TOLERANCE} of its scale. */
    public static void assertClose(String who, Case c, float[] expected, float[] actual) {
        double scale = 0;
        for (float v : expected) {
            if (Float.isFinite(v)) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        scale = Math.max(scale, Float.MIN_NORMAL);
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean same = Float.isNaN(e) ? Float.isNaN(a)
                    : Float.isInfinite(e) ? e == a
                    : Math.abs(a - e) <= TOLERANCE * scale;
            if (!same) {
                fail(who + " disagrees with the reference at element " + i + " of " + expected.length + ": expected "
                        + e + ", got " + a + " (error " + Math.abs(a - e) / scale + " of max |ref| " + scale
                        + ", tolerance " + TOLERANCE + ") on " + c.replay());
            }
        }
    }
}
