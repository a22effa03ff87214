package org.deconv3d.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;

/**
 * The application API of any backend against the reference: one plan run on batches of 1..4 samples at random
 * offsets inside larger arrays (whatever the problem's own batch), and on heap, direct and read-only buffers. The
 * floats around every output slice must stay untouched.
 */
public final class SlicesCheck {

    private static final float GUARD = -777.25f;

    private SlicesCheck() {
    }

    /** Checks {@code c}'s problem on {@code backend} with random batches and offsets drawn from {@code seed}. */
    public static void check(Deconv3d backend, Case c, long seed) {
        Deconv3dProblem p = c.problem();
        Random r = new Random(seed);
        int perIn = p.inputLengthPerSample();
        int perOut = p.outputLengthPerSample();
        try (Deconv3dPlan plan = backend.plan(p, c.filter(), c.bias())) {
            for (int round = 0; round < 3; round++) {
                int batch = 1 + r.nextInt(4);
                int inOff = r.nextInt(3 * perIn + 1);
                int outOff = r.nextInt(3 * perOut + 1);
                float[] in = new float[inOff + batch * perIn + r.nextInt(5)];
                for (int i = 0; i < in.length; i++) {
                    in[i] = r.nextInt(7) - 3;
                }
                float[] out = new float[outOff + batch * perOut + 1 + r.nextInt(5)];
                Arrays.fill(out, GUARD);
                plan.run(in, inOff, out, outOff, batch);
                float[] expected = expected(c, in, inOff, batch);
                String what = backend.name() + " batch " + batch + " at input offset " + inOff + ", output offset "
                        + outOff + " (slice seed " + seed + ") on " + c.replay();
                assertGuarded(out, outOff, batch * perOut, what);
                compare(c, expected, Arrays.copyOfRange(out, outOff, outOff + batch * perOut), what);

                // The same through buffers: heap, direct, read-only; positions move as NIO's bulk get/put do.
                FloatBuffer heapIn = FloatBuffer.wrap(in, inOff, batch * perIn);
                FloatBuffer heapOut = FloatBuffer.allocate(batch * perOut + 3);
                heapOut.position(2);
                plan.run(heapIn, heapOut);
                assertEquals(inOff + batch * perIn, heapIn.position(), "input position advanced by what was read");
                assertEquals(2 + batch * perOut, heapOut.position(), "output position advanced by what was written");
                compare(c, expected, Arrays.copyOfRange(heapOut.array(), 2, 2 + batch * perOut), what + " (heap)");

                FloatBuffer directIn = direct(batch * perIn);
                directIn.put(in, inOff, batch * perIn).flip();
                FloatBuffer directOut = direct(batch * perOut);
                plan.run(directIn.asReadOnlyBuffer(), directOut);
                assertEquals(batch * perOut, directOut.position());
                float[] got = new float[batch * perOut];
                directOut.flip();
                directOut.get(got);
                compare(c, expected, got, what + " (direct, read-only input)");
            }
            // Bad buffers: nothing read, written or moved. (With one float per sample every length is whole.)
            FloatBuffer partial = FloatBuffer.allocate(perIn == 1 ? 0 : perIn + 1);
            FloatBuffer out = FloatBuffer.allocate(2 * perOut);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.run(partial, out));
            assertTrue(e.getMessage().contains("not a whole number of samples"), e.getMessage());
            assertEquals(0, partial.position());
            assertEquals(0, out.position());
            FloatBuffer small = FloatBuffer.allocate(perOut - 1);
            FloatBuffer one = FloatBuffer.allocate(perIn);
            e = assertThrows(IllegalArgumentException.class, () -> plan.run(one, small));
            assertTrue(e.getMessage().contains("need " + perOut), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> plan.run(one, FloatBuffer.allocate(perOut).asReadOnlyBuffer()));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            // Slices out of range or overlapping.
            float[] shared = new float[perIn + perOut];
            assertThrows(IllegalArgumentException.class, () -> plan.run(shared, 0, shared, perIn - 1, 1));
            plan.run(shared, 0, shared, perIn, 1); // disjoint slices of one array are fine
            assertThrows(IllegalArgumentException.class, () -> plan.run(shared, -1, new float[perOut], 0, 1));
            assertThrows(IllegalArgumentException.class, () -> plan.run(shared, 0, new float[perOut], 1, 1));
            assertThrows(IllegalArgumentException.class, () -> plan.run(shared, 0, new float[perOut], 0, 0));
        }
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** The reference on {@code batch} samples of {@code in} from {@code inOff}, one at a time, as batch 1. */
    public static float[] expected(Case c, float[] in, int inOff, int batch) {
        Deconv3dProblem one = c.problem().withBatch(1);
        float[] y = new float[batch * one.outputLength()];
        for (int n = 0; n < batch; n++) {
            float[] x = Arrays.copyOfRange(in, inOff + n * one.inputLength(), inOff + (n + 1) * one.inputLength());
            float[] yn = new float[one.outputLength()];
            org.deconv3d.reference.ReferenceKernel.compute(one, x, c.filter(), c.bias(), yn);
            System.arraycopy(yn, 0, y, n * one.outputLength(), yn.length);
        }
        return y;
    }

    /** {@link CrossCheck#assertClose}, but sparse outputs (possible with data drawn here) are not a failure. */
    public static void compare(Case c, float[] expected, float[] actual, String what) {
        Case integer = new Case(c.seed(), c.problem(), c.input(), c.filter(), c.bias(), c.integers(), c.recipe());
        try {
            CrossCheck.assertClose(what, integer, expected, actual);
        } catch (AssertionError e) {
            if (e.getMessage() != null && e.getMessage().contains("% zeros")) {
                return; // data drawn here may be sparse; agreement is what this check is about
            }
            throw e;
        }
    }

    private static void assertGuarded(float[] out, int from, int length, String what) {
        for (int i = 0; i < out.length; i++) {
            if ((i < from || i >= from + length) && Float.compare(out[i], GUARD) != 0) {
                fail("wrote outside its output slice at " + i + " (slice " + from + ".." + (from + length) + ") : "
                        + what);
            }
        }
    }
}
