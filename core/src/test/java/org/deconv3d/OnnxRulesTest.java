package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.deconv3d.reference.ReferenceDeconv3d;
import org.deconv3d.testing.Case;
import org.junit.jupiter.api.Test;

/** ONNX ConvTranspose's rules: pads, auto_pad and output_shape as the ONNX specification defines them. */
class OnnxRulesTest {

    private static Deconv3dProblem.OnnxBuilder one(int x, int k) {
        return Deconv3dProblem.onnx(new int[] {1, 2, x, 1, 1}, new int[] {2, 3, k, 1, 1});
    }

    @Test
    void handWorkedCases() {
        // X=4, k=3, s=2: the full result is 2*3 + 3 = 9. SAME_* gives X*s = 8, total padding 1.
        Deconv3dProblem upper = one(4, 3).strides(2, 1, 1).autoPad(AutoPad.SAME_UPPER).build();
        assertEquals(8, upper.outputSize()[0]);
        assertEquals(0, upper.padBefore()[0], "SAME_UPPER: the odd pad at the end");
        Deconv3dProblem lower = one(4, 3).strides(2, 1, 1).autoPad(AutoPad.SAME_LOWER).build();
        assertEquals(1, lower.padBefore()[0], "SAME_LOWER: the odd pad at the beginning");
        Deconv3dProblem shape = one(4, 3).strides(2, 1, 1).outputShape(8, 1, 1).build();
        assertEquals(1, shape.padBefore()[0], "NOTSET with output_shape: total - total/2 at the beginning");
        assertTrue(shape.describe().contains("pads=[1, 0, 0, 0, 0, 0]"), shape.describe());
        // Explicit pads: 2*3 + 1 (output_padding) + 3 - 1 - 2 = 7.
        Deconv3dProblem explicit = one(4, 3).strides(2, 1, 1).outputPadding(1, 0, 0).pads(1, 0, 0, 2, 0, 0).build();
        assertArrayEquals(new int[] {1, 3, 7, 1, 1}, explicit.outputShape());
        assertEquals(AutoPad.NOTSET, explicit.autoPad().orElseThrow());
        Deconv3dProblem valid = one(4, 3).strides(2, 1, 1).autoPad(AutoPad.VALID).pads(5).build();
        assertEquals(9, valid.outputSize()[0], "VALID ignores pads");
    }

    @Test
    void errorsNameTheRuleAndTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> one(4, 3).strides(2, 1, 1).outputShape(10, 1, 1).build());
        assertTrue(e.getMessage().contains("output depth 10 is more than 2*(4-1) + 0 + 3 = 9"), e.getMessage());
        assertTrue(e.getMessage().contains("use an output depth in 1..9"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> one(2, 1).pads(1, 0, 0, 1, 0, 0).build());
        assertTrue(e.getMessage().contains("not positive: reduce the depth pads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> one(2, 1).pads(1, 2, 3).build());
        assertTrue(e.getMessage().contains("d_begin,h_begin,w_begin,d_end,h_end,w_end"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> one(2, 1).pads(0, 0, 0, -1, 0, 0).build());
        assertTrue(e.getMessage().contains("ONNX pads are 0 or more"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> one(4, 3).strides(2, 1, 1).autoPad(AutoPad.VALID).outputShape(8, 1, 1).build());
        assertTrue(e.getMessage().contains("is not what VALID gives"), e.getMessage());
        assertEquals(AutoPad.SAME_LOWER, AutoPad.parse("same-lower"));
        assertThrows(IllegalArgumentException.class, () -> AutoPad.parse("SAME"));
    }

    /** ONNX's forward Conv with the resolved pads gives the input size back, for every accepted problem. */
    @Property(tries = 2000)
    void acceptedIffTheForwardConvGivesTheInputBack(@ForAll @IntRange(min = 1, max = 9) int x,
            @ForAll @IntRange(min = 1, max = 6) int k, @ForAll @IntRange(min = 1, max = 5) int s,
            @ForAll @IntRange(min = 1, max = 3) int d, @ForAll @IntRange(min = 0, max = 4) int opDraw,
            @ForAll @IntRange(min = 0, max = 40) int o, @ForAll @IntRange(min = 0, max = 9) int b,
            @ForAll @IntRange(min = 0, max = 9) int e, @ForAll AutoPad mode, @ForAll boolean giveOutput) {
        int op = opDraw % s; // below the stride: what a forward conv can invert
        Deconv3dProblem.OnnxBuilder builder = one(x, k).strides(s, 1, 1).dilations(d, 1, 1)
                .outputPadding(op, 0, 0).autoPad(mode).pads(b, 0, 0, e, 0, 0);
        if (giveOutput) {
            builder.outputShape(o, 1, 1);
        }
        long full = (long) (x - 1) * s + (long) (k - 1) * d + 1;
        boolean expectValid;
        if (mode == AutoPad.VALID) {
            expectValid = !giveOutput || o == full + op;
        } else if (giveOutput) {
            expectValid = o >= 1 && o <= full + op;
        } else if (mode == AutoPad.NOTSET) {
            expectValid = full + op - b - e >= 1;
        } else {
            expectValid = true;
        }
        if (!expectValid) {
            assertThrows(IllegalArgumentException.class, builder::build);
            return;
        }
        Deconv3dProblem p = builder.build();
        int out = p.outputSize()[0];
        int begin = p.padBefore()[0];
        int end = p.padAfter()[0] + op;
        assertEquals(full + op, (long) begin + out + end, "pads and output add up to the full result");
        if (mode != AutoPad.SAME_UPPER && mode != AutoPad.SAME_LOWER || giveOutput) {
            assertTrue(begin >= 0 && end >= 0, "non-negative pads: " + p.describe());
            // ONNX Conv: floor((O + begin + end - K) / s) + 1 must be X.
            assertEquals(x, Math.floorDiv(out + begin + end - ((k - 1) * d + 1), s) + 1, p.describe());
        } else {
            assertEquals((long) x * s, out, "SAME_*: output X * stride");
        }
        if (mode == AutoPad.SAME_UPPER) {
            assertTrue(end - begin == 0 || end - begin == 1 || end - begin == -1 && begin + end < 0, p.describe());
        }
    }

    /** Symmetric explicit pads are PyTorch's padding: the same output, bit for bit. */
    @Property(tries = 200)
    void symmetricPadsComputeWhatPyTorchComputes(@ForAll @IntRange(min = 1, max = 4) int x,
            @ForAll @IntRange(min = 1, max = 4) int k, @ForAll @IntRange(min = 1, max = 3) int s,
            @ForAll @IntRange(min = 0, max = 2) int pad, @ForAll @IntRange(min = 0, max = 2) int opDraw) {
        int op = opDraw % s;
        int full = Math.min((x - 1) * s + k, s + 2); // depth/height, and width (input 2, kernel 2)
        int p = Math.min(pad, (full + op - 1) / 2);
        Deconv3dProblem torch = Deconv3dProblem.pytorch(new int[] {1, 3, x, x, 2}, new int[] {3, 2, k, k, 2})
                .stride(s).padding(p).outputPadding(op).build();
        Deconv3dProblem onnx = Deconv3dProblem.onnx(new int[] {1, 3, x, x, 2}, new int[] {3, 2, k, k, 2})
                .strides(s).pads(p).outputPadding(op).build();
        assertArrayEquals(torch.outputShape(), onnx.outputShape());
        Case c = Case.of(torch, 7, true, true);
        float[] a = new float[torch.outputLength()];
        float[] bOut = new float[onnx.outputLength()];
        new ReferenceDeconv3d().compute(torch, c.input(), c.filter(), c.bias(), a);
        new ReferenceDeconv3d().compute(onnx, c.input(), c.filter(), c.bias(), bOut);
        assertArrayEquals(a, bOut);
    }
}
