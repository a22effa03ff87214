package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deconv3d.reference.ReferenceDeconv3d;
import org.deconv3d.reference.ReferenceKernel;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.RandomProblems;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.Test;

/**
 * The gradients ({@link Deconv3dPlan#backwardInput}, {@link Deconv3dPlan#backwardWeights}) on random problems of
 * every convention: the input gradient against the independent {@link PlainConv3d} and through the adjoint
 * identity, the weight and bias gradients against finite differences of the forward kernel (exact on small-integer
 * data), each activation's derivative through the saved output, and every bad argument.
 */
class GradientTest {

    private static final Deconv3d REFERENCE = new ReferenceDeconv3d();

    @Test
    void inputGradientIsThePlainConvolutionOfTheGradientBeforeTheActivation() {
        long base = TestSeeds.base("GradientTest.input");
        int withActivation = 0;
        for (int i = 0; i < 150; i++) {
            Case c = RandomProblems.draw(base + i);
            Deconv3dProblem p = c.problem();
            if (!p.activation().hasDerivativeFromOutput()) {
                continue;
            }
            float[] y = forward(c);
            float[] dy = RandomProblems.smallIntegers(new Random(c.seed() * 7 + 1), p.outputLength());
            float[] g = new float[dy.length];
            for (int j = 0; j < g.length; j++) {
                g[j] = (float) (dy[j] * p.activation().derivativeFromOutput(y[j]));
            }
            double[] expected = PlainConv3d.forward(p, g, c.filter());
            float[] dx = new float[p.inputLength()];
            try (Deconv3dPlan plan = REFERENCE.plan(p, c.filter(), c.bias())) {
                plan.backwardInput(dy, y, dx);
            }
            double scale = 0;
            for (double v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            boolean linear = p.activation().kind() == Activation.Kind.NONE || p.activation().kind() == Activation.Kind.RELU;
            for (int j = 0; j < dx.length; j++) {
                // Integer data through a piecewise-linear activation: every sum is exact, so the match must be.
                double tolerance = c.integers() && linear ? 0 : 1e-5 * Math.max(scale, 1e-30);
                if (Math.abs(dx[j] - expected[j]) > tolerance) {
                    fail("dx[" + j + "] = " + dx[j] + ", plain conv3d gives " + expected[j] + " on " + c.replay());
                }
            }
            withActivation += p.activation().kind() == Activation.Kind.NONE ? 0 : 1;
        }
        assertTrue(withActivation > 30, "activations covered: " + withActivation);
    }

    @Test
    void adjointIdentityHoldsExactlyOnIntegerData() {
        long base = TestSeeds.base("GradientTest.adjoint");
        int checked = 0;
        for (int i = 0; checked < 60; i++) {
            Case c = RandomProblems.draw(2 * (base + i)); // even seeds: small-integer data
            Deconv3dProblem p = c.problem();
            if (p.activation().kind() != Activation.Kind.NONE) {
                continue;
            }
            checked++;
            float[] tx = new float[p.outputLength()];
            ReferenceKernel.compute(p, c.input(), c.filter(), null, tx);
            float[] dy = RandomProblems.smallIntegers(new Random(c.seed()), p.outputLength());
            float[] dx = new float[p.inputLength()];
            try (Deconv3dPlan plan = REFERENCE.plan(p, c.filter(), null)) {
                plan.backwardInput(dy, null, dx);
            }
            assertEquals(dot(tx, dy), dot(c.input(), dx), 0.0, "<T x, dy> = <x, T' dy> on " + c.replay());
        }
    }

    @Test
    void weightAndBiasGradientsMatchFiniteDifferences() {
        long base = TestSeeds.base("GradientTest.weights");
        int checked = 0;
        int smooth = 0;
        for (int i = 0; checked < 40; i++) {
            long seed = 2 * (base + i); // small-integer data
            Case drawn = RandomProblems.draw(seed);
            Deconv3dProblem p = drawn.problem();
            Activation.Kind kind = p.activation().kind();
            boolean exact = kind == Activation.Kind.NONE;
            if (!exact && kind != Activation.Kind.SIGMOID && kind != Activation.Kind.TANH) {
                continue; // relu kinks make finite differences unreliable; covered through the input test
            }
            checked++;
            smooth += exact ? 0 : 1;
            Random r = new Random(seed + 3);
            // Smooth activations: data scaled down so the activation is not saturated and differences are smooth.
            float scaleData = exact ? 1f : 0.05f;
            Case c = new Case(seed, p, scaled(drawn.input(), scaleData), scaled(drawn.filter(), scaleData),
                    drawn.bias() == null ? new float[p.outChannels()] : scaled(drawn.bias(), scaleData),
                    exact, drawn.recipe() + " /* data scaled by " + scaleData + " */");
            float[] y = forward(c);
            float[] dy = RandomProblems.smallIntegers(r, p.outputLength());
            float[] dw = new float[p.filterLength()];
            float[] db = new float[p.outChannels()];
            try (Deconv3dPlan plan = REFERENCE.plan(p, c.filter(), c.bias())) {
                plan.backwardWeights(c.input(), dy, y, dw, db);
            }
            double h = exact ? 1 : 0.05;
            for (int probe = 0; probe < 6; probe++) {
                int k = r.nextInt(p.filterLength());
                assertClose(derivative(c, dy, k, h, false, exact), dw[k], exact, "dw[" + k + "]", c);
                int co = r.nextInt(p.outChannels());
                assertClose(derivative(c, dy, co, h, true, exact), db[co], exact, "db[" + co + "]", c);
            }
        }
        assertTrue(smooth >= 5, "smooth activations covered: " + smooth);
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsWritten() {
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 3, 3, 3, 4}, new int[] {3, 3, 3, 5, 4})
                .strides(2).activation(Activation.RELU).build();
        float[] w = new float[p.filterLength()];
        Arrays.fill(w, 1);
        float[] x = new float[p.inputLength()];
        float[] y = new float[p.outputLength()];
        float[] dy = new float[p.outputLength()];
        float[] dx = new float[p.inputLength()];
        float[] dw = new float[p.filterLength()];
        Arrays.fill(dx, 7);
        Arrays.fill(dw, 7);
        try (Deconv3dPlan plan = REFERENCE.plan(p, w, null)) {
            expect("output is null but the plan fuses relu", () -> plan.backwardInput(dy, null, dx));
            expect("gradOutput array is null", () -> plan.backwardInput(null, y, dx));
            expect("gradOutput array has 3", () -> plan.backwardInput(new float[3], y, dx));
            expect("output array has 2", () -> plan.backwardInput(dy, new float[2], dx));
            expect("gradInput array has 1 elements", () -> plan.backwardInput(dy, y, new float[1]));
            expect("input array is null", () -> plan.backwardWeights(null, dy, y, dw, null));
            expect("gradFilter array has 4", () -> plan.backwardWeights(x, dy, y, new float[4], null));
            expect("gradBias has 2 values", () -> plan.backwardWeights(x, dy, y, dw, new float[2]));
            for (float v : dx) {
                assertEquals(7f, v, "gradInput untouched");
            }
            for (float v : dw) {
                assertEquals(7f, v, "gradFilter untouched");
            }
            plan.close();
            assertThrows(IllegalStateException.class, () -> plan.backwardInput(dy, y, dx));
            assertThrows(IllegalStateException.class, () -> plan.backwardWeights(x, dy, y, dw, null));
        }
        // A 1x1x1 filter of one input channel has as many weights as output channels: only there can the bias
        // gradient be handed the filter gradient's array.
        Deconv3dProblem pointwise = Deconv3dProblem.tensorflow(new int[] {1, 2, 2, 2, 1}, new int[] {1, 1, 1, 5, 1})
                .build();
        try (Deconv3dPlan plan = REFERENCE.plan(pointwise, new float[5], null)) {
            float[] both = new float[5];
            expect("gradBias is the same array as gradFilter", () -> plan.backwardWeights(
                    new float[pointwise.inputLength()], new float[pointwise.outputLength()], null, both, both));
        }
        // Same-sized input and output (stride 1, a 1x1x1 kernel, Cin = Cout): only there can gradInput be gradOutput.
        Deconv3dProblem square = Deconv3dProblem.tensorflow(new int[] {1, 2, 2, 2, 3}, new int[] {1, 1, 1, 3, 3})
                .build();
        try (Deconv3dPlan plan = REFERENCE.plan(square, new float[9], null)) {
            float[] same = new float[square.outputLength()];
            expect("gradInput is the same array as gradOutput", () -> plan.backwardInput(same, null, same));
        }
        Deconv3dProblem leaky = Deconv3dProblem.tensorflow(new int[] {1, 3, 3, 3, 4}, new int[] {3, 3, 3, 5, 4})
                .strides(2).activation(Activation.leakyRelu(-0.5f)).build();
        try (Deconv3dPlan plan = REFERENCE.plan(leaky, w, null)) {
            expect("does not tell the sign of its input", () -> plan.backwardInput(dy, y, dx));
        }
    }

    @Test
    void concurrentGradientsOnOnePlanAgree() throws Exception {
        Case c = RandomProblems.draw(42L);
        Deconv3dProblem p = c.problem();
        float[] y = forward(c);
        float[] dy = RandomProblems.values(new Random(5), p.outputLength());
        float[] dx0 = new float[p.inputLength()];
        float[] dw0 = new float[p.filterLength()];
        int threads = 4;
        try (Deconv3dPlan plan = REFERENCE.plan(p, c.filter(), c.bias())) {
            plan.backwardInput(dy, y, dx0);
            plan.backwardWeights(c.input(), dy, y, dw0, null);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<String>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 5; round++) {
                        float[] dx = new float[p.inputLength()];
                        float[] dw = new float[p.filterLength()];
                        plan.backwardInput(dy, y, dx);
                        plan.backwardWeights(c.input(), dy, y, dw, null);
                        assertArrayEquals(dx0, dx);
                        assertArrayEquals(dw0, dw);
                    }
                    return Thread.currentThread().getName();
                }));
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            for (Future<String> f : done) {
                names.add(f.get());
            }
            pool.shutdown();
            assertEquals(threads, names.size(), "every thread ran");
        }
    }

    private static void expect(String fragment, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    private static float[] forward(Case c) {
        float[] y = new float[c.problem().outputLength()];
        ReferenceKernel.compute(c.problem(), c.input(), c.filter(), c.bias(), y);
        return y;
    }

    /**
     * The loss's derivative by weight (or bias) {@code k} from central differences: exact with step {@code h} for a
     * linear problem; for a smooth activation extrapolated from steps {@code h} and {@code h/2} (Richardson), whose
     * error is O(h^4) — a bias moves a whole channel's outputs at once, and the plain O(h^2) difference was seen 0.3%
     * off tanh's true slope (seed 64278996042332), over the 0.2% tolerance.
     */
    private static double derivative(Case c, float[] dy, int k, double h, boolean bias, boolean exact) {
        double wide = (loss(c, dy, k, h, bias) - loss(c, dy, k, -h, bias)) / (2 * h);
        if (exact) {
            return wide;
        }
        double narrow = (loss(c, dy, k, h / 2, bias) - loss(c, dy, k, -h / 2, bias)) / h;
        return (4 * narrow - wide) / 3;
    }

    /** {@code sum(dy * y)} with weight {@code k} (or bias {@code k}) moved by {@code delta}, in double. */
    private static double loss(Case c, float[] dy, int k, double delta, boolean bias) {
        float[] w = c.filter().clone();
        float[] b = c.bias().clone();
        if (bias) {
            b[k] += (float) delta;
        } else {
            w[k] += (float) delta;
        }
        float[] y = new float[c.problem().outputLength()];
        ReferenceKernel.compute(c.problem(), c.input(), w, b, y);
        return dot(y, dy);
    }

    private static void assertClose(double expected, float actual, boolean exact, String what, Case c) {
        double tolerance = exact ? 0 : 2e-3 * Math.max(1, Math.abs(expected));
        if (Math.abs(expected - actual) > tolerance) {
            fail(what + " = " + actual + ", finite differences give " + expected + " on " + c.replay());
        }
    }

    private static float[] scaled(float[] v, float by) {
        float[] s = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = v[i] * by;
        }
        return s;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
