package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.function.Supplier;
import org.deconv3d.reference.ReferenceDeconv3d;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input is rejected with an {@link IllegalArgumentException} whose message names the dimension,
 * the value, what is valid and how to fix it; and the output array the caller passed is left untouched.
 */
class ValidationTest {

    private static final float SENTINEL = 42.5f;
    private final Deconv3d backend = new ReferenceDeconv3d();
    private final float[] y = sentinel(100_000);

    /** Builds the problem and runs it into {@code y}; every case below must fail before touching {@code y}. */
    private void rejects(Supplier<Deconv3dProblem> problem, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            Deconv3dProblem p = problem.get();
            backend.compute(p, new float[p.inputLength()], new float[p.filterLength()], null, y);
        });
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
        }
        assertArrayEquals(sentinel(y.length), y, "output was written by a rejected call");
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

    @Test
    void wrongArrayLengthsAtRunTime() {
        Deconv3dProblem p = seed().build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.compute(p, new float[p.inputLength() - 1], new float[p.filterLength()], null, y));
        assertTrue(e.getMessage().contains("input array has 99 elements but shape [10, 1, 1, 1, 10] NDHWC needs 100"),
                e.getMessage());
        float[] small = sentinel(p.outputLength() + 1);
        assertThrows(IllegalArgumentException.class,
                () -> backend.compute(p, new float[p.inputLength()], new float[p.filterLength()], null, small));
        assertArrayEquals(sentinel(small.length), small);
        float[] out = sentinel(p.outputLength());
        e = assertThrows(IllegalArgumentException.class,
                () -> backend.compute(p, new float[p.inputLength()], new float[p.filterLength()], new float[3], out));
        assertTrue(e.getMessage().contains("bias has 3 values but the problem has 20 output channels"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> backend.compute(p, new float[p.inputLength()], new float[7], null, out));
        assertArrayEquals(sentinel(out.length), out);
        assertArrayEquals(sentinel(y.length), y);
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
        assertThrows(IllegalArgumentException.class, () -> backend.compute(p, null, new float[p.filterLength()], null, y));
        assertThrows(IllegalArgumentException.class, () -> backend.compute(p, new float[p.inputLength()], null, null, y));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.compute(p, new float[p.inputLength()], new float[p.filterLength()], null, null));
        assertTrue(e.getMessage().contains("output array is null"), e.getMessage());
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

    private static float[] sentinel(int n) {
        float[] a = new float[n];
        Arrays.fill(a, SENTINEL);
        return a;
    }
}
