package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.deconv3d.reference.ReferenceDeconv3d;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input is rejected with an {@link IllegalArgumentException} whose message names the dimension,
 * the value, what is valid and how to fix it. A bad problem fails in {@code build()}, before any array exists; a
 * bad run argument fails before the output is written, which the run-time tests check on an output of the right
 * length (so only the argument under test is wrong) after showing that a valid run does write that array.
 */
class ValidationTest {

    private static final float SENTINEL = 42.5f;
    /** Words that start a fix; every rejection must offer one. */
    static final List<String> FIX_WORDS = List.of("use ", "pass ", "make ", "raise ", "reduce ", "lower ", "give ",
            "split ", "check ", "build ", "unset ", "add ");
    private final Deconv3d backend = new ReferenceDeconv3d();

    /** {@code build()} itself must throw, with every fragment and a fix in its message. */
    private static void rejects(Supplier<Deconv3dProblem> problem, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, problem::get);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
        }
        assertHasFix(e.getMessage());
    }

    static void assertHasFix(String message) {
        String lower = message.toLowerCase(java.util.Locale.ROOT);
        assertTrue(FIX_WORDS.stream().anyMatch(lower::contains), "message says no fix: " + message);
    }

    private static Deconv3dProblem.TensorFlowBuilder seed() {
        return Deconv3dProblem.tensorflow(new int[] {10, 1, 1, 1, 10}, new int[] {5, 5, 5, 20, 10}).strides(4);
    }

    @Test
    void seedQuestionValidIsRejectedAndExplained() {
        rejects(() -> seed().padding(Padding.VALID).outputShape(10, 4, 4, 4, 20).build(),
                "output depth 4 is not valid for VALID padding with input depth 1, kernel 5, stride 4",
                "floor((4-5)/4)+1 = 0", "5 <= depth <= 1*4 + 5 - 1 = 8", "use a depth in 5..8",
                "SAME padding (valid depths 1..4), which accepts 4");
    }

    @Test
    void laterAxesAreNamed() {
        rejects(() -> seed().padding(Padding.VALID).outputShape(10, 5, 9, 5, 20).build(), "output height 9");
        rejects(() -> seed().padding(Padding.SAME).outputShape(10, 4, 4, 5, 20).build(), "output width 5",
                "SAME needs");
    }

    @Test
    void channelMismatch() {
        rejects(() -> Deconv3dProblem.tensorflow(new int[] {1, 2, 2, 2, 3}, new int[] {2, 2, 2, 4, 5}).build(),
                "input channels 3", "filter's Cin 5", "make the filter's last dimension 3");
        rejects(() -> Deconv3dProblem.pytorch(new int[] {1, 3, 2, 2, 2}, new int[] {4, 2, 2, 2, 2}).build(),
                "input channels 3", "weight's Cin 4");
        rejects(() -> seed().outputShape(10, 4, 4, 4, 21).build(), "21 channels", "Cout = 20", "use 20");
    }

    @Test
    void batchMismatch() {
        rejects(() -> seed().outputShape(9, 4, 4, 4, 20).build(), "batch 9", "input has batch 10", "use 10");
    }

    @Test
    void wrongShapeLengths() {
        rejects(() -> Deconv3dProblem.tensorflow(new int[] {1, 2, 2, 3}, new int[] {2, 2, 2, 4, 3}).build(),
                "input shape [1, 2, 2, 3] has 4 dimensions, expected 5", "[batch,depth,height,width,channels]");
        rejects(() -> seed().outputShape(4, 4, 4).build(), "output shape [4, 4, 4] has 3 dimensions");
        rejects(() -> seed().strides(1, 2).build(), "strides [1, 2] has 2 values");
    }

    /** An output of the right length, filled with the sentinel; a valid run is shown to overwrite such an array. */
    private float[] sentinelOutput(Deconv3dProblem p) {
        float[] written = sentinel(p.outputLength());
        backend.compute(p, ones(p.inputLength()), ones(p.filterLength()), null, written);
        assertFalse(Arrays.equals(sentinel(p.outputLength()), written), "a valid run must write the output");
        return sentinel(p.outputLength());
    }

    @Test
    void wrongArrayLengthsAtRunTime() {
        Deconv3dProblem p = seed().build();
        float[] out = sentinelOutput(p);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.compute(p, new float[p.inputLength() - 1], ones(p.filterLength()), null, out));
        assertTrue(e.getMessage().contains("input array has 99 elements but shape [10, 1, 1, 1, 10] NDHWC needs 100"),
                e.getMessage());
        assertHasFix(e.getMessage());
        float[] small = sentinel(p.outputLength() + 1);
        assertThrows(IllegalArgumentException.class,
                () -> backend.compute(p, ones(p.inputLength()), ones(p.filterLength()), null, small));
        assertArrayEquals(sentinel(small.length), small);
        e = assertThrows(IllegalArgumentException.class,
                () -> backend.compute(p, ones(p.inputLength()), ones(p.filterLength()), new float[3], out));
        assertTrue(e.getMessage().contains("bias has 3 values but the problem has 20 output channels"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> backend.compute(p, ones(p.inputLength()), new float[7], null, out));
        assertArrayEquals(sentinel(out.length), out);
    }

    @Test
    void outputMustNotBeTheInput() {
        // Cin == Cout and a stride of 1 with SAME: input and output have the same length, so only aliasing is wrong.
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 3, 3, 3, 2}, new int[] {3, 3, 3, 2, 2}).build();
        assertEquals(p.inputLength(), p.outputLength());
        float[] x = sentinel(p.inputLength());
        try (Deconv3dPlan plan = backend.plan(p, ones(p.filterLength()), null)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.run(x, x));
            assertTrue(e.getMessage().contains("output is the same array as input"), e.getMessage());
            assertHasFix(e.getMessage());
        }
        assertArrayEquals(sentinel(x.length), x);
        assertThrows(IllegalArgumentException.class, () -> backend.compute(p, x, ones(p.filterLength()), null, x));
        assertArrayEquals(sentinel(x.length), x);
    }

    @Test
    void nonPositiveSizesStridesDilations() {
        rejects(() -> Deconv3dProblem.tensorflow(new int[] {1, 0, 2, 2, 3}, new int[] {2, 2, 2, 4, 3}).build(),
                "has depth = 0", "must be at least 1");
        rejects(() -> Deconv3dProblem.tensorflow(new int[] {1, 2, 2, 2, 3}, new int[] {2, -1, 2, 4, 3}).build(),
                "has kh = -1");
        rejects(() -> seed().strides(1, 0, 1).build(), "strides along height is 0", "at least 1");
        rejects(() -> seed().dilations(-2).build(), "dilations along depth is -2");
        rejects(() -> Deconv3dProblem.pytorch(new int[] {1, 3, 2, 2, 2}, new int[] {3, 2, 2, 2, 2}).padding(0, 0, -1)
                .build(), "padding along width is -1", "0 or more");
        rejects(() -> seed().groups(0).build(), "groups is 0");
    }

    @Test
    void outputPaddingMustBeSmallerThanStrideOrDilation() {
        rejects(() -> Deconv3dProblem.pytorch(new int[] {1, 3, 2, 2, 2}, new int[] {3, 2, 2, 2, 2}).stride(2)
                .outputPadding(0, 2, 0).build(), "output_padding along height is 2",
                "smaller than max(stride 2, dilation 1) = 2", "use 0..1");
    }

    @Test
    void negativeOrZeroTorchOutput() {
        rejects(() -> Deconv3dProblem.pytorch(new int[] {1, 3, 1, 2, 2}, new int[] {3, 2, 1, 2, 2}).padding(1, 0, 0)
                .build(), "output depth would be", "not positive", "reduce padding along depth");
    }

    @Test
    void groupsMustDivideChannels() {
        rejects(() -> Deconv3dProblem.pytorch(new int[] {1, 6, 2, 2, 2}, new int[] {6, 2, 2, 2, 2}).groups(4).build(),
                "groups 4 does not divide the input channels 6", "1, 2, 3, 6");
        rejects(() -> Deconv3dProblem.tensorflow(new int[] {1, 2, 2, 2, 5}, new int[] {2, 2, 2, 4, 5}).groups(2)
                .build(), "groups 2 does not divide the input channels 5");
    }

    @Test
    void elementCountOverflow() {
        rejects(() -> Deconv3dProblem.tensorflow(new int[] {64, 1024, 1024, 64, 1}, new int[] {1, 1, 1, 1, 1})
                .build(), "input has more than 2147483647 elements", "split the batch");
        rejects(() -> Deconv3dProblem.tensorflow(new int[] {1, 512, 512, 512, 1}, new int[] {2, 2, 2, 64, 1})
                .strides(2).build(), "output has more than");
    }

    @Test
    void nulls() {
        rejects(() -> Deconv3dProblem.tensorflow(null, new int[] {2, 2, 2, 4, 3}).build(), "input shape is null");
        rejects(() -> Deconv3dProblem.pytorch(new int[] {1, 3, 2, 2, 2}, null).build(), "weight shape is null");
        rejects(() -> seed().strides((int[]) null).build(), "strides is null");
        rejects(() -> seed().padding(null).build(), "padding is null");
        rejects(() -> seed().activation(null).build(), "activation is null");
        Deconv3dProblem p = seed().build();
        float[] y = sentinelOutput(p);
        assertThrows(IllegalArgumentException.class, () -> backend.compute(p, null, ones(p.filterLength()), null, y));
        assertThrows(IllegalArgumentException.class, () -> backend.compute(p, ones(p.inputLength()), null, null, y));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.compute(p, ones(p.inputLength()), ones(p.filterLength()), null, null));
        assertTrue(e.getMessage().contains("output array is null"), e.getMessage());
        assertHasFix(e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> backend.plan(null, new float[1], null));
        assertArrayEquals(sentinel(y.length), y);
    }

    @Test
    void unknownActivationAndPadding() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.parse("swish"));
        assertTrue(e.getMessage().contains("use none, relu, leaky_relu[:slope], sigmoid or tanh"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Padding.parse("full"));
        assertTrue(e.getMessage().contains("use SAME or VALID"), e.getMessage());
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }

    private static float[] sentinel(int n) {
        float[] a = new float[n];
        Arrays.fill(a, SENTINEL);
        return a;
    }
}
