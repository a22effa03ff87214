package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.deconv3d.reference.ReferenceDeconv3d;
import org.junit.jupiter.api.Test;

/**
 * Shape arithmetic near and past {@code Integer.MAX_VALUE}: every problem is either rejected with a message that
 * says how to fix it, or accepted with exact geometry. (The first three cases once gave wrong geometry, wrong
 * answers, or a 19 s spin and a division by zero.)
 */
class OverflowTest {

    private static final int MAX = Integer.MAX_VALUE;

    @Test
    void hugeStrideIsRejectedWithTheLargestThatFits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Deconv3dProblem.tensorflow(new int[] {1, 4, 1, 1, 1}, new int[] {2, 2, 2, 1, 1})
                        .strides(MAX, 1, 1).build());
        assertTrue(e.getMessage().contains("along depth"), e.getMessage());
        assertTrue(e.getMessage().contains("use a stride along depth of at most " + (MAX - 2) / 3), e.getMessage());
        ValidationTest.assertHasFix(e.getMessage());
    }

    @Test
    void hugeDilationIsRejectedOrComputedExactly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Deconv3dProblem.tensorflow(new int[] {1, 4, 1, 1, 1}, new int[] {3, 1, 1, 1, 1})
                        .dilations(1 << 30, 1, 1).padding(Padding.SAME).build());
        assertTrue(e.getMessage().contains("use a dilation along depth of at most " + (MAX - 1) / 2), e.getMessage());
        // Just inside the limit: padding 2^29 before, and only the middle tap lands in the output.
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 4, 1, 1, 1}, new int[] {3, 1, 1, 1, 1})
                .dilations(1 << 29, 1, 1).padding(Padding.SAME).build();
        assertEquals(1 << 29, p.padBefore()[0]);
        float[] y = new float[4];
        new ReferenceDeconv3d().compute(p, new float[] {1, 2, 3, 4}, new float[] {10, 20, 30}, null, y);
        assertArrayEquals(new float[] {20, 40, 60, 80}, y);
    }

    @Test
    void groupsOnAHugePrimeChannelCountAnswersAtOnce() {
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Deconv3dProblem.tensorflow(new int[] {1, 1, 1, 1, MAX}, new int[] {1, 1, 1, 1, MAX})
                            .groups(2).build());
            assertTrue(e.getMessage().contains("groups 2 does not divide the input channels " + MAX), e.getMessage());
            assertTrue(e.getMessage().contains("(1, " + MAX + ")"), e.getMessage());
        });
    }

    @Test
    void defaultSizePastAnIntIsRejectedWithTheValidRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Deconv3dProblem.tensorflow(new int[] {1, 2, 1, 1, 1}, new int[] {1, 1, 1, 1, 1})
                        .strides((1 << 30) + 1, 1, 1).build());
        assertTrue(e.getMessage().contains("default output depth"), e.getMessage());
        assertTrue(e.getMessage().contains("pass an output_shape with a depth in " + ((1 << 30) + 2) + ".." + MAX),
                e.getMessage());
    }

    @Test
    void outputChannelsPastAnInt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Deconv3dProblem.pytorch(new int[] {1, 4, 1, 1, 1}, new int[] {4, 1 << 30, 1, 1, 1}).groups(4)
                        .build());
        assertTrue(e.getMessage().contains("at most " + MAX / 4), e.getMessage());
    }

    @Test
    void torchOutputPastAnInt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Deconv3dProblem.pytorch(new int[] {1, 1, 2, 1, 1}, new int[] {1, 1, 2, 1, 1})
                        .stride(MAX - 1, 1, 1).outputPadding(5, 0, 0).build());
        ValidationTest.assertHasFix(e.getMessage());
    }

    // ---- every argument near the limit: rejected with a fix, or exact -------------------------------------

    @Provide
    Arbitrary<Integer> big() {
        return Arbitraries.oneOf(Arbitraries.integers().between(1, 8), Arbitraries.integers().between(1, MAX),
                Arbitraries.of(MAX, MAX - 1, 1 << 30, (1 << 30) + 1, 1 << 16, 46341, 1 << 20));
    }

    @Property(tries = 3000)
    void tensorflowAxisIsExactOrRejected(@ForAll("big") int x, @ForAll("big") int k, @ForAll("big") int s,
            @ForAll("big") int d, @ForAll("big") int o, @ForAll Padding padding, @ForAll boolean giveOutput) {
        Deconv3dProblem.TensorFlowBuilder b = Deconv3dProblem.tensorflow(new int[] {1, x, 1, 1, 1},
                new int[] {k, 1, 1, 1, 1}).strides(s, 1, 1).dilations(d, 1, 1).padding(padding);
        if (giveOutput) {
            b.outputShape(1, o, padding == Padding.SAME ? 1 : 1, 1, 1);
        }
        Deconv3dProblem p;
        try {
            p = b.build();
        } catch (IllegalArgumentException e) {
            ValidationTest.assertHasFix(e.getMessage());
            return;
        }
        checkAxis(p, 0);
        long full = (long) (x - 1) * s + (long) (k - 1) * d + 1;
        long out = p.outputSize()[0];
        long forward = padding == Padding.SAME ? Math.floorDiv(out + s - 1, s)
                : out < (long) (k - 1) * d + 1 ? 0 : (out - ((long) (k - 1) * d + 1)) / s + 1;
        assertEquals(x, forward, "TensorFlow's forward conv gives the input size back");
        assertTrue(full <= MAX);
    }

    @Property(tries = 3000)
    void pytorchAxisIsExactOrRejected(@ForAll("big") int x, @ForAll("big") int k, @ForAll("big") int s,
            @ForAll("big") int d, @ForAll("big") int pad, @ForAll("big") int op) {
        Deconv3dProblem p;
        try {
            p = Deconv3dProblem.pytorch(new int[] {1, 1, x, 1, 1}, new int[] {1, 1, k, 1, 1}).stride(s, 1, 1)
                    .dilation(d, 1, 1).padding(pad, 0, 0).outputPadding(op - 1, 0, 0).build();
        } catch (IllegalArgumentException e) {
            ValidationTest.assertHasFix(e.getMessage());
            return;
        }
        checkAxis(p, 0);
        assertEquals((long) (x - 1) * s - 2L * pad + (long) (k - 1) * d + (op - 1) + 1, p.outputSize()[0]);
    }

    /** before + output + after = the full result, in long arithmetic, and every size positive. */
    private static void checkAxis(Deconv3dProblem p, int a) {
        long full = (long) (p.inputSize()[a] - 1) * p.stride()[a] + (long) (p.kernel()[a] - 1) * p.dilation()[a] + 1;
        assertTrue(p.outputSize()[a] >= 1);
        assertTrue(p.padBefore()[a] >= 0);
        assertEquals(full, (long) p.padBefore()[a] + p.outputSize()[a] + p.padAfter()[a], p.describe());
    }
}
