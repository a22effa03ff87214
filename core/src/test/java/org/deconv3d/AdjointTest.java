package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.deconv3d.reference.ReferenceKernel;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.RandomProblems;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.Test;

/**
 * Pins the semantics independently of the reference kernel: the transposed convolution {@code T} is the adjoint of
 * the plain convolution {@code C}, so {@code <C(y), x> == <y, T(x)>} for every {@code x}, {@code y}.
 */
class AdjointTest {

    @Test
    void transposedConvolutionIsTheAdjointOfConvolution() {
        long base = TestSeeds.base("AdjointTest");
        int covered = 0;
        boolean[] seen = new boolean[8];
        for (int i = 0; i < 400; i++) {
            Case c = RandomProblems.draw(base + i);
            Deconv3dProblem p = c.problem();
            if (p.activation() != Activation.NONE) {
                continue; // the identity holds for the linear operator only
            }
            covered++;
            float[] y = RandomProblems.values(new Random(c.seed() * 31), p.outputLength());
            float[] tx = new float[p.outputLength()];
            ReferenceKernel.compute(p, c.input(), c.filter(), null, tx);
            double[] cy = PlainConv3d.forward(p, y, c.filter());
            double lhs = 0;
            double scale = 0;
            for (int j = 0; j < cy.length; j++) {
                lhs += cy[j] * c.input()[j];
                scale += Math.abs(cy[j] * c.input()[j]);
            }
            double rhs = 0;
            for (int j = 0; j < y.length; j++) {
                rhs += (double) y[j] * tx[j];
                scale += Math.abs((double) y[j] * tx[j]);
            }
            assertEquals(lhs, rhs, 1e-6 * Math.max(scale, 1e-30), "adjoint identity fails on " + c.replay());
            record(seen, p);
        }
        assertTrue(covered > 100, "too few linear cases drawn: " + covered);
        for (int j = 0; j < seen.length; j++) {
            assertTrue(seen[j], "random problems never covered feature " + j + " (see record())");
        }
    }

    /** Which awkward features the random problems reached; every one must appear in a run. */
    private static void record(boolean[] seen, Deconv3dProblem p) {
        int[] k = p.kernel();
        int[] s = p.stride();
        int[] x = p.inputSize();
        int[] d = p.dilation();
        int[] before = p.padBefore();
        int[] after = p.padAfter();
        int[] op = p.outputPadding();
        seen[0] |= p.convention() == Convention.TENSORFLOW;
        seen[1] |= p.convention() == Convention.PYTORCH;
        seen[2] |= p.batch() > 1;
        seen[3] |= p.groups() > 1;
        for (int a = 0; a < 3; a++) {
            seen[4] |= s[a] > k[a];
            seen[5] |= k[a] > x[a];
            seen[6] |= d[a] > 1;
            seen[7] |= op[a] > 0 || (p.tfPadding().orElse(null) == Padding.SAME && before[a] != after[a]);
        }
    }
}
