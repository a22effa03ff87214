package com.example.app;

import org.deconv3d.Backends;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Padding;

public class Example {
    public static void main(String[] args) {
        // tf.nn.conv3d_transpose(x, w, output_shape=[10,4,4,4,20], strides=4, padding="SAME")
        Deconv3dProblem problem = Deconv3dProblem
                .tensorflow(new int[] {10, 1, 1, 1, 10}, new int[] {5, 5, 5, 20, 10})
                .strides(4).padding(Padding.SAME).outputShape(10, 4, 4, 4, 20)
                .build();
        float[] x = new float[problem.inputLength()];     // NDHWC
        float[] w = new float[problem.filterLength()];    // [kd,kh,kw,Cout,Cin]
        java.util.Arrays.fill(x, 0.1f);
        java.util.Arrays.fill(w, 0.1f);
        float[] y = new float[problem.outputLength()];    // [10,4,4,4,20]
        try (Deconv3dPlan plan = Backends.select(problem).plan(problem, w, null)) {
            plan.run(x, y);                                // a plan is made once and run many times
            System.out.println(plan.backend() + ": y[0] = " + y[0]);   // simd: y[0] = 0.1
        }
    }
}
