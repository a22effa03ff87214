package org.deconv3d.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.Random;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Padding;
import org.deconv3d.ShapeRules;
import org.deconv3d.SizeRange;
import org.deconv3d.bench.Shape;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.CrossCheck;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.Test;

/**
 * deconv3d against TensorFlow's own {@code Conv3DBackpropInputV2} (the op behind {@code tf.nn.conv3d_transpose})
 * on random valid problems, and what each does with the seed question's invalid VALID case. Runs with
 * {@code -Ppeers}.
 */
class TensorFlowConformanceTest {

    /** A random valid TensorFlow problem (NDHWC, groups 1: what TensorFlow's CPU kernel computes). */
    static Deconv3dProblem problem(Random r, boolean dilate) {
        int[] x = new int[3], k = new int[3], s = new int[3], d = new int[3], o = new int[3];
        Padding padding = r.nextBoolean() ? Padding.SAME : Padding.VALID;
        for (int a = 0; a < 3; a++) {
            x[a] = 1 + r.nextInt(5);
            k[a] = 1 + r.nextInt(4);
            s[a] = 1 + r.nextInt(3);
            d[a] = dilate && r.nextInt(3) == 0 ? 2 : 1;
            SizeRange valid = ShapeRules.tfValidOutputSizes(padding, x[a], k[a], s[a], d[a]);
            o[a] = valid.min() + r.nextInt(valid.max() - valid.min() + 1);
        }
        int n = 1 + r.nextInt(2), cin = 1 + r.nextInt(12), cout = 1 + r.nextInt(12);
        return Deconv3dProblem.tensorflow(new int[] {n, x[0], x[1], x[2], cin}, new int[] {k[0], k[1], k[2], cout, cin})
                .strides(s).dilations(d).padding(padding).outputShape(n, o[0], o[1], o[2], cout).build();
    }

    /** Whether TensorFlow's CPU kernel takes dilations other than 1 for this op (it has not, historically). */
    static boolean tensorFlowDilates() {
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 3, 3, 3, 2}, new int[] {2, 2, 2, 2, 2})
                .dilations(2).padding(Padding.VALID).build();
        try (Peer tf = new TensorFlowPeer(p, new float[p.filterLength()], 1)) {
            tf.run(new float[p.inputLength()]);
            return true;
        } catch (RuntimeException e) {
            System.out.println("TensorFlow CPU rejects dilation > 1 for Conv3DBackpropInputV2: " + e.getMessage()
                    .split("\n")[0]);
            return false;
        }
    }

    @Test
    void agreesWithTensorFlowOnRandomValidProblems() {
        boolean dilate = tensorFlowDilates();
        long seed = TestSeeds.base("TensorFlowConformanceTest");
        Random r = new Random(seed);
        int same = 0;
        for (int i = 0, checked = 0; checked < 200; i++) {
            Deconv3dProblem p = problem(r, dilate);
            Case c = Case.of(p, seed + i, false, false);
            float[] expected = CrossCheck.reference(c);
            if (CrossCheck.zeroFraction(expected) > CrossCheck.MAX_ZERO_FRACTION) {
                continue; // taps reach few outputs (stride > kernel): it would test nothing, draw another
            }
            checked++;
            same += p.tfPadding().orElseThrow() == Padding.SAME ? 1 : 0;
            try (Peer tf = new TensorFlowPeer(p, c.filter(), 1)) {
                CrossCheck.assertClose("TensorFlow", c, expected, tf.run(c.input()).clone());
            }
        }
        assertTrue(same > 50 && same < 150, "both padding modes covered: " + same + " SAME of 200");
    }

    @Test
    void nd4jAgreesOnTheBenchmarkShapes() {
        for (Shape s : Shape.values()) {
            Deconv3dProblem p = s.problem();
            Case c = new Case(0, p, Shape.data(p.inputLength(), 1), Shape.data(p.filterLength(), 2), null, false,
                    "the benchmark shape " + s.label() + " with Shape.data(..., 1) and Shape.data(..., 2)");
            try (Peer nd4j = new Nd4jPeer(p, c.filter(), 2)) {
                CrossCheck.assertClose("ND4J on " + s.label(), c, CrossCheck.reference(c), nd4j.run(c.input()).clone());
            }
        }
    }

    @Test
    void theSeedQuestionWithEachTensorFlowKernelAndWithUs() throws Exception {
        IllegalArgumentException ours = assertThrows(IllegalArgumentException.class,
                () -> Deconv3dProblem.tensorflow(new int[] {10, 1, 1, 1, 10}, new int[] {5, 5, 5, 20, 10}).strides(4)
                        .padding(Padding.VALID).outputShape(10, 4, 4, 4, 20).build());
        String oneDnn = TfSeedCase.outcome();
        String plain = childJvm("TF_ENABLE_ONEDNN_OPTS", "0");
        System.out.println("seed VALID case, TensorFlow default (oneDNN) kernel: " + oneDnn);
        System.out.println("seed VALID case, TensorFlow plain kernel (TF_ENABLE_ONEDNN_OPTS=0): " + plain);
        System.out.println("seed VALID case, deconv3d: rejected: " + ours.getMessage());
        assertTrue(plain.startsWith("rejected"), "TensorFlow's plain kernel rejects it: " + plain);
        assertTrue(plain.contains("doesn't match computed"), plain);
    }

    private static String childJvm(String variable, String value) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                TfSeedCase.class.getName()).redirectErrorStream(true);
        pb.environment().put(variable, value);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        String[] lines = out.trim().split("\n");
        return lines[lines.length - 1];
    }
}
