package org.deconv3d.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Deconv3dProvider;
import org.deconv3d.Padding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code deconv3d demo}: the question the library was born from, answered end to end. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The seed question: why TensorFlow rejects output_shape [10,4,4,4,20] with VALID padding,"
                + " and the SAME case computed on every available backend, checked against the reference.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private static Deconv3dProblem.TensorFlowBuilder seed(Padding padding) {
        return Deconv3dProblem.tensorflow(new int[] {10, 1, 1, 1, 10}, new int[] {5, 5, 5, 20, 10}).strides(4)
                .padding(padding).outputShape(10, 4, 4, 4, 20);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("tf.nn.conv3d_transpose(input [10,1,1,1,10], filter [5,5,5,20,10], strides 4,");
        out.println("                       output_shape [10,4,4,4,20], padding VALID or SAME)");
        out.println();
        out.println("VALID:");
        try {
            seed(Padding.VALID).build();
            out.println("  accepted?! (this is a bug: please report it)");
            return 1;
        } catch (IllegalArgumentException e) {
            out.println("  rejected: " + e.getMessage().replace("\n", "\n            "));
        }
        out.println();
        Deconv3dProblem p = seed(Padding.SAME).build();
        out.println("SAME: accepted; padding before " + Arrays.toString(p.padBefore()) + ", after "
                + Arrays.toString(p.padAfter()) + ". Input and filter all 0.1: each output is reached by one tap,"
                + " summing 10 channels of 0.01, so every output element should be 0.1.");
        float[] x = filled(p.inputLength(), 0.1f);
        float[] w = filled(p.filterLength(), 0.1f);
        float[] expected = new float[p.outputLength()];
        Backends.named("reference").compute(p, x, w, null, expected);
        boolean ok = true;
        for (Deconv3dProvider provider : Backends.providers()) {
            if (!provider.availability().available()) {
                out.printf("  %-10s skipped: %s%n", provider.name(), provider.availability().reason());
                continue;
            }
            Deconv3d backend = provider.create();
            float[] y = new float[p.outputLength()];
            double millis;
            try (Deconv3dPlan plan = backend.plan(p, w, null)) {
                millis = steadyStateMillis(plan, x, y);
            }
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : y) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            boolean right = Math.abs(min - 0.1f) < 1e-6f && Math.abs(max - 0.1f) < 1e-6f;
            ok &= right;
            out.printf("  %-10s output %s, values %.7f..%.7f %s, %.3f ms per run%n", provider.name(),
                    Arrays.toString(p.outputShape()), min, max, right ? "ok" : "WRONG", millis);
            if (!provider.name().equals("reference")) {
                double diff = 0;
                for (int i = 0; i < y.length; i++) {
                    diff = Math.max(diff, Math.abs(y[i] - expected[i]));
                }
                out.printf("  %-10s max |difference| from reference: %.3g%n", "", diff);
                ok &= diff < 1e-6;
            }
        }
        out.println("  (times: median of " + TIMED_RUNS + " runs after " + WARM_UP_MILLIS + " ms of warm-up, so the"
                + " JIT compiler has done its work; ./deconv3d bench measures properly, with JMH)");
        out.println();
        out.println("Valid output sizes for any case: ./deconv3d shape --input ... --filter ... --strides ...");
        return ok ? 0 : 1;
    }

    static final int TIMED_RUNS = 21;
    static final long WARM_UP_MILLIS = 1000;

    /** Runs until {@link #WARM_UP_MILLIS} have passed, then returns the median of {@link #TIMED_RUNS} timed runs. */
    private static double steadyStateMillis(Deconv3dPlan plan, float[] x, float[] y) {
        long end = System.nanoTime() + WARM_UP_MILLIS * 1_000_000;
        do {
            plan.run(x, y);
        } while (System.nanoTime() < end);
        double[] times = new double[TIMED_RUNS];
        for (int i = 0; i < TIMED_RUNS; i++) {
            long t0 = System.nanoTime();
            plan.run(x, y);
            times[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(times);
        return times[TIMED_RUNS / 2];
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}
