package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ShapeRulesTest {

    // ---- hand-worked cases ------------------------------------------------------------------------------------

    @Test
    void seedQuestionValidRanges() {
        // input depth 1, kernel 5, stride 4: VALID needs 0*4+5 = 5 .. 1*4+5-1 = 8; SAME needs 1 .. 4.
        assertEquals(new SizeRange(5, 8), ShapeRules.tfValidOutputSizes(Padding.VALID, 1, 5, 4, 1));
        assertEquals(new SizeRange(1, 4), ShapeRules.tfValidOutputSizes(Padding.SAME, 1, 5, 4, 1));
        assertEquals(0L, ShapeRules.tfForwardSize(Padding.VALID, 4, 5, 4, 1));
        assertEquals(1L, ShapeRules.tfForwardSize(Padding.SAME, 4, 5, 4, 1));
        assertEquals(4L, ShapeRules.tfDefaultOutputSize(Padding.SAME, 1, 5, 4, 1));
        assertEquals(5L, ShapeRules.tfDefaultOutputSize(Padding.VALID, 1, 5, 4, 1));
        // SAME with output 4: pad_total = max(0*4 + 5 - 4, 0) = 1 -> 0 before, 1 after.
        assertEquals(new AxisPadding(0, 1), ShapeRules.tfPadding(Padding.SAME, 1, 4, 5, 4, 1));
    }

    @Test
    void seedQuestionExplanation() {
        Optional<String> why = ShapeRules.explainTfOutputSize(Axis.DEPTH, Padding.VALID, 1, 4, 5, 4, 1);
        assertTrue(why.isPresent());
        String m = why.get();
        assertTrue(m.startsWith("output depth 4 is not valid for VALID padding with input depth 1, kernel 5, stride 4"), m);
        assertTrue(m.contains("(1-1)*4 + 5 = 5 <= depth <= 1*4 + 5 - 1 = 8"), m);
        assertTrue(m.contains("use a depth in 5..8, or SAME padding (valid depths 1..4), which accepts 4"), m);
        assertTrue(m.contains("the kernel span 5 does not fit in 4"), m);
        assertFalse(ShapeRules.explainTfOutputSize(Axis.DEPTH, Padding.SAME, 1, 4, 5, 4, 1).isPresent());
    }

    @Test
    void otherHandWorkedCases() {
        // input 3, kernel 2, stride 3, VALID: (3-1)*3+2 = 8 .. 3*3+2-1 = 10 (the case that crashes TF's oneDNN at 7).
        assertEquals(new SizeRange(8, 10), ShapeRules.tfValidOutputSizes(Padding.VALID, 3, 2, 3, 1));
        // dilation 2, kernel 3 -> span 5; input 4, stride 2: VALID 11..12, SAME 7..8.
        assertEquals(5L, ShapeRules.effectiveKernel(3, 2));
        assertEquals(new SizeRange(11, 12), ShapeRules.tfValidOutputSizes(Padding.VALID, 4, 3, 2, 2));
        assertEquals(new SizeRange(7, 8), ShapeRules.tfValidOutputSizes(Padding.SAME, 4, 3, 2, 2));
        // SAME, input 4, k3 d2, s2, output 8: full = 3*2+5 = 11, total 3 -> 1 before, 2 after (extra one after).
        assertEquals(new AxisPadding(1, 2), ShapeRules.tfPadding(Padding.SAME, 4, 8, 3, 2, 2));
        // Keras default VALID when kernel < stride: X*s.
        assertEquals(6L, ShapeRules.tfDefaultOutputSize(Padding.VALID, 2, 2, 3, 1));
        // PyTorch: (4-1)*2 - 2*1 + (3-1)*1 + 1 + 1 = 8
        assertEquals(8, ShapeRules.torchOutputSize(4, 3, 2, 1, 1, 1));
        assertEquals(new AxisPadding(1, 0), ShapeRules.torchPadding(1, 1));
    }

    @Test
    void sameExplanationNamesTheFormula() {
        String m = ShapeRules.explainTfOutputSize(Axis.WIDTH, Padding.SAME, 3, 9, 2, 2, 1).orElseThrow();
        assertTrue(m.contains("ceil(9/2) = 5, not 3"), m);
        assertTrue(m.contains("(3-1)*2 + 1 = 5 <= width <= 3*2 = 6"), m);
    }

    // ---- properties -------------------------------------------------------------------------------------------

    /** TensorFlow's forward conv3d output size, written as TF documents it (not via ShapeRules). */
    private static int forwardConvSize(Padding padding, int o, int k, int s, int d) {
        int span = (k - 1) * d + 1;
        if (padding == Padding.SAME) {
            return (o + s - 1) / s;
        }
        return o - span + 1 <= 0 ? 0 : (o - span + 1 + s - 1) / s;
    }

    @Property(tries = 2000)
    void outputSizeAcceptedIffForwardConvGivesBackTheInput(@ForAll @IntRange(min = 1, max = 12) int x,
            @ForAll @IntRange(min = 1, max = 7) int k, @ForAll @IntRange(min = 1, max = 6) int s,
            @ForAll @IntRange(min = 1, max = 3) int d, @ForAll @IntRange(min = 1, max = 100) int o,
            @ForAll Padding padding) {
        boolean forwardAgrees = forwardConvSize(padding, o, k, s, d) == x;
        assertEquals(forwardAgrees, ShapeRules.tfValidOutputSizes(padding, x, k, s, d).contains(o));
        assertEquals(forwardAgrees, ShapeRules.explainTfOutputSize(Axis.HEIGHT, padding, x, o, k, s, d).isEmpty());
        // The builder applies the same rule on every axis it is given.
        int[] in = {1, x, 1, 1, 2};
        int[] filter = {k, 1, 1, 3, 2};
        int oh = (int) ShapeRules.tfDefaultOutputSize(padding, 1, 1, 1, 1);
        int ow = oh;
        var builder = Deconv3dProblem.tensorflow(in, filter).strides(s, 1, 1).dilations(d, 1, 1).padding(padding)
                .outputShape(1, o, oh, ow, 3);
        if (forwardAgrees) {
            assertEquals(o, builder.build().outputSize()[0]);
        } else {
            assertThrows(IllegalArgumentException.class, builder::build);
        }
    }

    @Property(tries = 1000)
    void defaultSizeIsValidAndPaddingAddsUp(@ForAll @IntRange(min = 1, max = 12) int x,
            @ForAll @IntRange(min = 1, max = 7) int k, @ForAll @IntRange(min = 1, max = 6) int s,
            @ForAll @IntRange(min = 1, max = 3) int d, @ForAll Padding padding) {
        int o = (int) ShapeRules.tfDefaultOutputSize(padding, x, k, s, d);
        SizeRange valid = ShapeRules.tfValidOutputSizes(padding, x, k, s, d);
        assertTrue(valid.contains(o), o + " not in " + valid);
        for (int size = valid.min(); size <= valid.max(); size++) {
            AxisPadding p = ShapeRules.tfPadding(padding, x, size, k, s, d);
            int full = (x - 1) * s + (k - 1) * d + 1;
            assertEquals(full, p.before() + size + p.after(), "before + output + after spans the full result");
            if (padding == Padding.SAME) {
                // TensorFlow's rule exactly: total = max(full - O, 0), floor(total/2) before, the rest after (which
                // is negative when O passes the full result, i.e. kernel < stride).
                int total = Math.max(full - size, 0);
                assertEquals(total / 2, p.before(), "SAME pads floor(total/2) before: " + p);
                if (total > 0) {
                    assertTrue(p.after() - p.before() == 0 || p.after() - p.before() == 1,
                            "SAME puts the extra one after: " + p);
                }
            } else {
                assertEquals(0, p.before());
            }
        }
    }

    @Property(tries = 1000)
    void torchOutputSizeInvertsTheForwardConv(@ForAll @IntRange(min = 1, max = 12) int x,
            @ForAll @IntRange(min = 1, max = 7) int k, @ForAll @IntRange(min = 1, max = 6) int s,
            @ForAll @IntRange(min = 1, max = 3) int d, @ForAll @IntRange(min = 0, max = 5) int padDraw,
            @ForAll @IntRange(min = 0, max = 5) int opDraw) {
        // output_padding below the stride (with dilation > stride PyTorch allows more, which the forward conv
        // cannot invert), and padding small enough for a positive output: drawn in range, never skipped.
        int op = opDraw % s;
        int full = (x - 1) * s + (k - 1) * d + 1;
        int pad = Math.min(padDraw, (full + op - 1) / 2);
        long o = ShapeRules.torchOutputSize(x, k, s, pad, op, d);
        assertTrue(o >= 1, "output " + o);
        // PyTorch's forward conv: floor((O + 2p - d*(k-1) - 1) / s) + 1 must give X back.
        long forward = Math.floorDiv(o + 2L * pad - (long) d * (k - 1) - 1, s) + 1;
        assertEquals(x, forward);
    }
}
