package org.deconv3d.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Locale;
import org.deconv3d.Availability;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.cuda.CudaDeconv3d;
import org.deconv3d.cuda.CudaProvider;
import org.deconv3d.cuda.CudaTimings;
import org.deconv3d.reference.ReferenceKernel;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.RandomProblems;

/**
 * The check to run on a machine with an NVIDIA GPU (see gpu-check/ and the README): the cuda backend against the
 * reference on random problems, then the benchmark shapes timed (median of repeated runs, device time and
 * end-to-end time). Writes each shape's input, filter and output as raw little-endian float32 so that
 * {@code torch_check.py} can compare and time PyTorch's {@code conv_transpose3d} (cuDNN) on the same data.
 *
 * <pre>
 * java -cp "lib/*" org.deconv3d.bench.GpuCheck [--problems 200] [--repeats 20] [--out DIR] [--check-only]
 * </pre>
 * {@code --check-only} skips the timings (for a run under compute-sanitizer, where times mean nothing).
 * Exit status: 0 all agree, 1 a disagreement, 3 no usable GPU.
 */
public final class GpuCheck {

    private GpuCheck() {
    }

    public static void main(String[] args) throws IOException {
        int problems = 200;
        int repeats = 20;
        Path out = Paths.get("gpu-check-out");
        boolean time = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--problems": problems = Integer.parseInt(args[++i]); break;
                case "--repeats": repeats = Integer.parseInt(args[++i]); break;
                case "--out": out = Paths.get(args[++i]); break;
                case "--check-only": time = false; break;
                default:
                    System.err.println("unknown argument " + args[i] + "; use --problems N --repeats N --out DIR --check-only");
                    System.exit(2);
            }
        }
        PrintStream o = System.out;
        CudaProvider provider = new CudaProvider();
        Availability a = provider.availability();
        if (!a.available()) {
            o.println("cuda backend unavailable: " + a.reason());
            System.exit(3);
        }
        CudaDeconv3d cuda = (CudaDeconv3d) provider.create();
        o.println("device: " + cuda.device());
        long seed = System.nanoTime();
        // A disagreement is reported and the check goes on, so that one run on a lent GPU shows everything.
        boolean agreed = checkForward(cuda, seed, problems, o);
        agreed &= checkGradients(cuda, seed + problems, problems / 2, o);
        if (time) {
            Files.createDirectories(out);
            timeForward(cuda, repeats, out, o);
            timeGradients(cuda, repeats, out, o);
            o.println();
            o.println("data for torch_check.py written to " + out.toAbsolutePath());
        }
        System.exit(agreed ? 0 : 1);
    }

    /** The cuda forward against the reference on random problems. */
    private static boolean checkForward(Deconv3d cuda, long seed, int problems, PrintStream o) {
        o.println("cross-check against the reference: " + problems + " random problems, seed " + seed);
        double worst = 0;
        String worstCase = "";
        int failed = 0;
        for (int i = 0; i < problems; i++) {
            Case c = RandomProblems.draw(seed + i);
            float[] expected = new float[c.problem().outputLength()];
            ReferenceKernel.compute(c.problem(), c.input(), c.filter(), c.bias(), expected);
            float[] actual = new float[expected.length];
            Arrays.fill(actual, Float.NaN);
            try (Deconv3dPlan plan = cuda.plan(c.problem(), c.filter(), c.bias())) {
                plan.run(c.input(), actual);
            }
            double err = relativeError(expected, actual);
            if (err > worst) {
                worst = err;
                worstCase = c.replay();
            }
            if (!(err <= 1e-5) && failed++ < 5) {
                o.println("DISAGREES (error " + err + ") on " + c.replay());
            }
        }
        o.printf(Locale.ROOT, "%d of %d agree; worst error %.2e of max |reference|, on %s%n%n", problems - failed,
                problems, worst, worstCase);
        return failed == 0;
    }

    /** The cuda gradients against the reference's on random problems. */
    private static boolean checkGradients(Deconv3d cuda, long seed, int problems, PrintStream o) {
        o.println("gradients against the reference: " + problems + " random problems, seed " + seed);
        double worst = 0;
        String worstCase = "";
        int failed = 0;
        int checked = 0;
        for (int i = 0; i < problems; i++) {
            Case c = RandomProblems.draw(seed + i);
            Deconv3dProblem p = c.problem();
            if (!p.activation().hasDerivativeFromOutput()) {
                continue;
            }
            checked++;
            float[] y = new float[p.outputLength()];
            ReferenceKernel.compute(p, c.input(), c.filter(), c.bias(), y);
            float[] dy = RandomProblems.values(new java.util.Random(seed + i), p.outputLength());
            float[][] expected = gradients(new org.deconv3d.reference.ReferenceDeconv3d(), c, y, dy);
            float[][] actual = gradients(cuda, c, y, dy);
            for (int g = 0; g < 3; g++) {
                double err = relativeError(expected[g], actual[g]);
                if (err > worst) {
                    worst = err;
                    worstCase = new String[] {"input", "filter", "bias"}[g] + " gradient, " + c.replay()
                            + ", dy from new Random(" + (seed + i) + "L)";
                }
                if (!(err <= 1e-4) && failed++ < 5) {
                    o.println("DISAGREES (" + new String[] {"input", "filter", "bias"}[g] + " gradient, error " + err
                            + ") on " + c.replay());
                }
            }
        }
        o.printf(Locale.ROOT, "%d problems, %d disagreements; worst error %.2e of max |reference|, on %s%n%n",
                checked, failed, worst, worstCase);
        return failed == 0;
    }

    private static float[][] gradients(Deconv3d backend, Case c, float[] y, float[] dy) {
        Deconv3dProblem p = c.problem();
        float[][] r = {new float[p.inputLength()], new float[p.filterLength()], new float[p.outChannels()]};
        try (Deconv3dPlan plan = backend.plan(p, c.filter(), c.bias())) {
            plan.backwardInput(dy, y, r[0]);
            plan.backwardWeights(c.input(), dy, y, r[1], r[2]);
        }
        return r;
    }

    /** The benchmark shapes' forward timed; their data and times written for torch_check.py. */
    private static void timeForward(Deconv3d cuda, int repeats, Path out, PrintStream o) throws IOException {
        o.printf(Locale.ROOT, "%-14s %12s %12s %12s %12s%n", "forward", "kernel ms", "kernel GF/s", "e2e ms",
                "e2e GF/s");
        for (Shape s : Shape.values()) {
            Deconv3dProblem p = s.problem();
            float[] x = Shape.data(p.inputLength(), 1);
            float[] w = Shape.data(p.filterLength(), 2);
            float[] y = new float[p.outputLength()];
            double[] kernel = new double[repeats];
            double[] total = new double[repeats];
            try (Deconv3dPlan plan = cuda.plan(p, w, null)) {
                for (int i = -3; i < repeats; i++) {
                    plan.run(x, y);
                    if (i >= 0) {
                        CudaTimings t = CudaDeconv3d.lastTimings(plan);
                        kernel[i] = t.kernelMillis();
                        total[i] = t.totalMillis();
                    }
                }
            }
            double k = median(kernel);
            double e = median(total);
            o.printf(Locale.ROOT, "%-14s %12.3f %12.1f %12.3f %12.1f%n", s.label(), k, p.flops() / (k * 1e6), e,
                    p.flops() / (e * 1e6));
            write(out.resolve(s.label() + ".x.f32"), x);
            write(out.resolve(s.label() + ".w.f32"), w);
            write(out.resolve(s.label() + ".y.f32"), y);
            Files.writeString(out.resolve(s.label() + ".txt"), String.format(Locale.ROOT,
                    "layout %s%ninput %s%nfilter %s%noutput %s%nstride %d%npad_before %d%nflops %d%nkernel_ms %.4f%n"
                            + "e2e_ms %.4f%n",
                    p.layout() == org.deconv3d.Layout.NCDHW ? "ncdhw" : "ndhwc", join(p.inputShape()), join(p.filterShape()),
                    join(p.outputShape()), p.stride()[0], p.padBefore()[0], p.flops(), k, e));
        }
    }

    /**
     * Both gradients of the benchmark shapes timed (kernel time from device events, end-to-end with copies);
     * {@code dy} and the results written, and the times appended to each shape's description.
     */
    private static void timeGradients(Deconv3d cuda, int repeats, Path out, PrintStream o) throws IOException {
        o.println();
        o.printf(Locale.ROOT, "%-14s %12s %12s %12s %12s%n", "gradients", "input k ms", "input e2e", "filter k ms",
                "filter e2e");
        for (Shape s : Shape.values()) {
            Deconv3dProblem p = s.problem();
            float[] x = Shape.data(p.inputLength(), 1);
            float[] dy = Shape.data(p.outputLength(), 3);
            float[] dx = new float[p.inputLength()];
            float[] dw = new float[p.filterLength()];
            float[] db = new float[p.outChannels()];
            double[][] t = new double[4][repeats];
            try (Deconv3dPlan plan = cuda.plan(p, Shape.data(p.filterLength(), 2), null)) {
                for (int i = -3; i < repeats; i++) {
                    plan.backwardInput(dy, null, dx);
                    CudaTimings in = CudaDeconv3d.lastTimings(plan);
                    plan.backwardWeights(x, dy, null, dw, db);
                    CudaTimings filter = CudaDeconv3d.lastTimings(plan);
                    if (i >= 0) {
                        t[0][i] = in.kernelMillis();
                        t[1][i] = in.totalMillis();
                        t[2][i] = filter.kernelMillis();
                        t[3][i] = filter.totalMillis();
                    }
                }
            }
            o.printf(Locale.ROOT, "%-14s %12.3f %12.3f %12.3f %12.3f%n", s.label(), median(t[0]), median(t[1]),
                    median(t[2]), median(t[3]));
            write(out.resolve(s.label() + ".dy.f32"), dy);
            write(out.resolve(s.label() + ".dx.f32"), dx);
            write(out.resolve(s.label() + ".dw.f32"), dw);
            write(out.resolve(s.label() + ".db.f32"), db);
            Files.writeString(out.resolve(s.label() + ".txt"), String.format(Locale.ROOT,
                    "input_grad_ms %.4f%nfilter_grad_ms %.4f%n", median(t[0]), median(t[2])),
                    java.nio.file.StandardOpenOption.APPEND);
        }
    }

    private static String join(int[] v) {
        return Arrays.toString(v).replaceAll("[\\[\\] ]", "");
    }

    static double relativeError(float[] expected, float[] actual) {
        double scale = Float.MIN_NORMAL;
        for (float v : expected) {
            if (Float.isFinite(v)) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i]) != Float.isNaN(actual[i])) {
                return Double.POSITIVE_INFINITY;
            }
            if (!Float.isNaN(expected[i])) {
                worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / scale);
            }
        }
        return worst;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void write(Path path, float[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        Files.write(path, b.array());
    }
}
