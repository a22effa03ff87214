package org.deconv3d.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.deconv3d.Activation;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.reference.ReferenceKernel;

/**
 * Compares a backend with the reference kernel the same way for every backend, in two tiers as oneDNN's benchdnn
 * does: cases with small-integer data (every sum exact in fp32) must agree exactly, where the activation is exact
 * too (none, relu, leaky relu); random floats must agree within {@link #TOLERANCE} of the output's scale. The output
 * is poisoned with NaN first, so an unwritten element fails, and a case whose reference output is mostly zeros fails
 * as a test that tests nothing.
 */
public final class CrossCheck {

    /** fp32 against a double-accumulating reference: about 1e-6 in practice. */
    public static final double TOLERANCE = 1e-5;
    /** A case whose reference output has more zeros than this fraction tests nothing. */
    public static final double MAX_ZERO_FRACTION = 2.0 / 3;

    private CrossCheck() {
    }

    /** Computes {@code c} with the reference kernel. */
    public static float[] reference(Case c) {
        float[] y = new float[c.problem().outputLength()];
        ReferenceKernel.compute(c.problem(), c.input(), c.filter(), c.bias(), y);
        return y;
    }

    /** The fraction of exact zeros in {@code y}. */
    public static double zeroFraction(float[] y) {
        int zeros = 0;
        for (float v : y) {
            if (v == 0f) {
                zeros++;
            }
        }
        return y.length == 0 ? 1 : (double) zeros / y.length;
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

    /** Whether {@code c} must match the reference bit for bit (up to the sign of zero). */
    public static boolean exact(Case c) {
        Activation.Kind k = c.problem().activation().kind();
        return c.integers() && (k == Activation.Kind.NONE || k == Activation.Kind.RELU
                || k == Activation.Kind.LEAKY_RELU);
    }

    /**
     * Fails when {@code actual} differs from {@code expected}: at all for {@linkplain #exact exact} cases, else by
     * more than {@link #TOLERANCE} of the output's scale. Also fails a mostly-zero reference output.
     */
    public static void assertClose(String who, Case c, float[] expected, float[] actual) {
        if (zeroFraction(expected) > MAX_ZERO_FRACTION) {
            fail("the reference output of " + c.replay() + " is " + Math.round(100 * zeroFraction(expected))
                    + "% zeros: the case tests nothing; use other data or a problem whose taps reach most outputs");
        }
        double scale = largestFinite(expected);
        org.deconv3d.Activation.Kind kind = c.problem().activation().kind();
        if (kind == org.deconv3d.Activation.Kind.SIGMOID || kind == org.deconv3d.Activation.Kind.TANH) {
            // A bounded activation's outputs are judged on its range: when every output is deep in the tail
            // (sigmoid(-35) = 6e-16), a peer that flushes it to 0 is off by 6e-16, not by 100%.
            scale = Math.max(scale, 1.0);
        }
        assertWithin(who, c, exact(c), expected, actual, scale, "max |ref|");
    }

    /** The largest finite |v| of {@code values}, at least {@link Float#MIN_NORMAL}: a scale for {@link #TOLERANCE}. */
    static double largestFinite(float[] values) {
        double scale = Float.MIN_NORMAL;
        for (float v : values) {
            if (Float.isFinite(v)) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        return scale;
    }

    /**
     * Fails at the first element where {@code actual} differs from {@code expected}: NaN must meet NaN, infinities
     * and {@code exact} cases must be equal, the rest within {@link #TOLERANCE} of {@code scale} (named
     * {@code scaleName} in the message).
     */
    static void assertWithin(String who, Case c, boolean exact, float[] expected, float[] actual, double scale,
            String scaleName) {
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean same = Float.isNaN(e) ? Float.isNaN(a)
                    : Float.isInfinite(e) || exact ? e == a
                    : Math.abs(a - e) <= TOLERANCE * scale;
            if (!same) {
                fail(who + " disagrees with the reference at element " + i + " of " + expected.length + ": expected "
                        + e + ", got " + a + (exact ? " (exact comparison: integer data)" : " (error "
                        + Math.abs(a - e) / scale + " of " + scaleName + " " + scale + ", tolerance " + TOLERANCE
                        + ")") + " on " + c.replay());
            }
        }
    }
}
