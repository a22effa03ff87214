package org.deconv3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deconv3d.Activation;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Padding;
import org.junit.jupiter.api.Test;

/** The README's Java examples, verbatim apart from the assertions: if they stop compiling, this fails. */
class ReadmeExampleTest {

    @Test
    void tensorflowExample() {
        Deconv3dProblem problem = Deconv3dProblem
                .tensorflow(new int[] {10, 1, 1, 1, 10}, new int[] {5, 5, 5, 20, 10})
                .strides(4).padding(Padding.SAME).outputShape(10, 4, 4, 4, 20)
                .build();
        float[] x = new float[problem.inputLength()];
        float[] w = new float[problem.filterLength()];
        java.util.Arrays.fill(x, 0.1f);
        java.util.Arrays.fill(w, 0.1f);
        float[] y = new float[problem.outputLength()];
        try (Deconv3dPlan plan = Backends.select().plan(problem, w, null)) {
            plan.run(x, y);
        }
        assertEquals(0.1f, y[0], 1e-7f);
    }

    @Test
    void pytorchExample() {
        Deconv3dProblem p = Deconv3dProblem.pytorch(new int[] {1, 16, 8, 8, 8}, new int[] {16, 4, 3, 3, 3})
                .stride(2).padding(1).outputPadding(1).groups(2).activation(Activation.RELU).build();
        assertArrayEquals(new int[] {1, 8, 16, 16, 16}, p.outputShape());
    }
}
