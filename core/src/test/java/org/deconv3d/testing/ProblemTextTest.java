package org.deconv3d.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deconv3d.Activation;
import org.deconv3d.Deconv3dProblem;
import org.junit.jupiter.api.Test;

/** Replay lines rebuild exactly the case that failed. */
class ProblemTextTest {

    @Test
    void describeThenParseGivesTheSameProblem() {
        long base = TestSeeds.base("ProblemTextTest");
        for (int i = 0; i < 300; i++) {
            Deconv3dProblem p = RandomProblems.draw(base + i).problem();
            Deconv3dProblem back = ProblemText.parse(p.describe());
            assertEquals(p, back, p.describe());
            assertArrayEquals(p.padBefore(), back.padBefore(), p.describe());
            assertArrayEquals(p.outputShape(), back.outputShape(), p.describe());
        }
    }

    @Test
    void aHandBuiltCaseReplaysToTheSameData() {
        Deconv3dProblem p = Deconv3dProblem.pytorch(new int[] {2, 6, 3, 4, 5}, new int[] {6, 3, 3, 2, 3})
                .stride(2, 1, 3).padding(1, 0, 1).outputPadding(1, 0, 2).groups(2)
                .activation(Activation.leakyRelu(0.3f)).build();
        Case c = Case.of(p, 77, true, false);
        Case again = Case.of(ProblemText.parse(p.describe()), 77L, true, false);
        assertEquals(c.recipe(), again.recipe());
        assertEquals(c.problem(), again.problem());
        assertArrayEquals(c.input(), again.input());
        assertArrayEquals(c.filter(), again.filter());
        assertArrayEquals(c.bias(), again.bias());
    }
}
