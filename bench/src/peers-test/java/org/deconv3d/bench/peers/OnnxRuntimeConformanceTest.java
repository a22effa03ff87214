package org.deconv3d.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.deconv3d.AutoPad;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.bench.Shape;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.CrossCheck;
import org.deconv3d.testing.OnnxAttributes;
import org.deconv3d.testing.RandomProblems;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.Test;

/**
 * deconv3d's ONNX convention against ONNX Runtime's {@code ConvTranspose} on random problems of every
 * {@code auto_pad} mode, each model given the very attributes our problem was built from. Where ONNX Runtime
 * departs from the ONNX specification (which deconv3d follows), the case is classified, printed and must be of a
 * known kind; any other difference fails. Runs with {@code -Ppeers}.
 */
class OnnxRuntimeConformanceTest {

    @Test
    void agreesWithOnnxRuntimeOnRandomProblemsOfEveryAutoPadMode() {
        long base = TestSeeds.base("OnnxRuntimeConformanceTest");
        // Per mode: agree; odd pad on the other side; another output shape where SAME would need negative pads.
        Map<AutoPad, int[]> counts = new EnumMap<>(AutoPad.class);
        for (AutoPad mode : AutoPad.values()) {
            counts.put(mode, new int[3]);
        }
        for (int i = 0; i < 200; i++) {
            long seed = base + i;
            OnnxAttributes a = RandomProblems.onnxAttributes(seed);
            Deconv3dProblem p = a.problem();
            boolean withBias = new Random(seed).nextBoolean();
            Case c = Case.of(p, seed, withBias, (seed & 1) == 0);
            float[] expected = CrossCheck.reference(c);
            float[] theirs;
            String what = "ONNX Runtime on " + a + " (attributes: RandomProblems.onnxAttributes(" + seed + "L))";
            try (Peer ort = new OnnxRuntimePeer(p, model(a, c), 1)) {
                theirs = ort.run(c.input()).clone();
            } catch (IllegalStateException otherShape) {
                assertTrue(needsNegativeSamePads(a), what + ": " + otherShape.getMessage());
                if (counts.get(a.autoPad())[2]++ == 0) {
                    System.out.println("ONNX Runtime gives another output shape than the ONNX specification's"
                            + " input*stride for " + a.autoPad() + " when kernel + output_padding < stride (the"
                            + " specification's pads are then negative): " + what + "; " + otherShape.getMessage());
                }
                continue;
            }
            if (close(c, expected, theirs)) {
                counts.get(a.autoPad())[0]++;
                continue;
            }
            Deconv3dProblem mirrored = mirrorOddPads(p, a.outputPadding());
            if (mirrored != null && close(c, CrossCheck.reference(new Case(seed, mirrored, c.input(), c.filter(),
                    c.bias(), c.integers(), c.recipe())), theirs)) {
                if (counts.get(a.autoPad())[1]++ == 0) {
                    System.out.println("ONNX Runtime puts the odd pad on the other side from the ONNX specification"
                            + " for " + a.autoPad() + ": " + what + "; specification pads before "
                            + java.util.Arrays.toString(p.padBefore()) + ", after "
                            + java.util.Arrays.toString(p.padAfter()));
                }
                continue;
            }
            CrossCheck.assertClose(what, c, expected, theirs); // fails, with the first differing element
            fail("unreachable: " + what);
        }
        StringBuilder report = new StringBuilder("ONNX Runtime vs deconv3d (ONNX specification), 200 problems:");
        counts.forEach((mode, n) -> report.append(' ').append(mode).append(" agree ").append(n[0])
                .append(", odd pad elsewhere ").append(n[1]).append(", other shape ").append(n[2]).append(';'));
        System.out.println(report);
        for (AutoPad mode : AutoPad.values()) {
            assertTrue(counts.get(mode)[0] >= 10, "enough agreeing " + mode + " problems: " + report);
        }
        // VALID leaves no choice to an implementation: there ONNX Runtime must agree every time.
        assertEquals(0, counts.get(AutoPad.VALID)[1] + counts.get(AutoPad.VALID)[2], report.toString());
    }

    @Test
    void agreesOnTheBenchmarkShapes() {
        for (Shape s : Shape.values()) {
            Deconv3dProblem p = s.problem();
            Case c = new Case(0, p, Shape.data(p.inputLength(), 1), Shape.data(p.filterLength(), 2), null, false,
                    "the benchmark shape " + s.label() + " with Shape.data(..., 1) and Shape.data(..., 2)");
            try (Peer ort = new OnnxRuntimePeer(p, c.filter(), 2)) {
                CrossCheck.assertClose("ONNX Runtime on " + s.label(), c, CrossCheck.reference(c),
                        ort.run(c.input()).clone());
            }
        }
    }

    /** The model of the attributes exactly as given (auto_pad, pads or output_shape, output_padding). */
    private static byte[] model(OnnxAttributes a, Case c) {
        int[] x = a.inputShape();
        int[] w = a.weightShape();
        OnnxModel m = new OnnxModel(new long[] {x[0], x[1], x[2], x[3], x[4]})
                .weights(c.filter(), new long[] {w[0], w[1], w[2], w[3], w[4]})
                .ints("kernel_shape", w[2], w[3], w[4]).ints("strides", a.strides()).ints("dilations", a.dilations())
                .ints("output_padding", a.outputPadding()).integer("group", a.group())
                .string("auto_pad", a.autoPad().name());
        if (a.pads() != null) {
            m.ints("pads", a.pads());
        }
        if (a.outputShape() != null) {
            m.ints("output_shape", a.outputShape());
        }
        if (c.bias() != null) {
            m.bias(c.bias());
        }
        return OnnxRuntimePeer.withActivation(m, a.activation()).bytes();
    }

    /**
     * {@code p} with each axis's begin and end pads exchanged (same total, same output_padding and size), or null
     * when that changes nothing. With ONNX's pads {@code b, e}: our {@code padBefore} is {@code b} and our
     * {@code padAfter} is {@code e - output_padding}, so the exchanged pads are {@code padAfter + output_padding}
     * and {@code padBefore}.
     */
    private static Deconv3dProblem mirrorOddPads(Deconv3dProblem p, int[] outputPadding) {
        int[] before = p.padBefore();
        int[] after = p.padAfter();
        int[] pads = new int[6];
        for (int a = 0; a < 3; a++) {
            pads[a] = after[a] + outputPadding[a];
            pads[a + 3] = before[a];
        }
        if (java.util.Arrays.equals(java.util.Arrays.copyOf(pads, 3), before)) {
            return null;
        }
        int[] k = p.kernel();
        try {
            return Deconv3dProblem.onnx(p.inputShape(), new int[] {p.inChannels(), p.outChannelsPerGroup(), k[0],
                    k[1], k[2]}).strides(p.stride()).dilations(p.dilation()).group(p.groups())
                    .activation(p.activation()).pads(pads).outputPadding(outputPadding).build();
        } catch (IllegalArgumentException negativePads) {
            return null;
        }
    }

    /** SAME_* without output_shape on an axis where kernel + output_padding < stride: the pads would be negative. */
    private static boolean needsNegativeSamePads(OnnxAttributes a) {
        if (a.autoPad() != AutoPad.SAME_UPPER && a.autoPad() != AutoPad.SAME_LOWER || a.outputShape() != null) {
            return false;
        }
        int[] w = a.weightShape();
        for (int ax = 0; ax < 3; ax++) {
            if ((w[2 + ax] - 1) * a.dilations()[ax] + 1 + a.outputPadding()[ax] < a.strides()[ax]) {
                return true;
            }
        }
        return false;
    }

    private static boolean close(Case c, float[] expected, float[] actual) {
        try {
            CrossCheck.assertClose("", c, expected, actual);
            return true;
        } catch (AssertionError e) {
            return e.getMessage() != null && e.getMessage().contains("% zeros");
        }
    }
}
