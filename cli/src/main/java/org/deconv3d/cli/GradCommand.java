package org.deconv3d.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.deconv3d.Activation;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deconv3d grad}: the gradients of a transposed convolution, for training, on .npy files. */
@Command(name = "grad", mixinStandardHelpOptions = true,
        description = "Compute the gradients of a 3D transposed convolution with respect to its input, filter and"
                + " bias from the gradient of its output (.npy files); writes only the gradients asked for, each"
                + " atomically.")
final class GradCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "the forward run's input")
    Path input;

    @Option(names = "--filter", required = true, paramLabel = "W.npy", description = "filter (tensorflow) or weight (torch, onnx)")
    Path filter;

    @Option(names = "--grad-output", required = true, paramLabel = "DY.npy",
            description = "gradient of the loss with respect to the output (the output's shape)")
    Path gradOutput;

    @Option(names = "--output", paramLabel = "Y.npy",
            description = "the forward run's output: required when an --activation is fused (its derivative is read"
                    + " from it)")
    Path output;

    @Option(names = "--out-input", paramLabel = "DX.npy", description = "where to write the input gradient")
    Path outInput;

    @Option(names = "--out-filter", paramLabel = "DW.npy", description = "where to write the filter gradient (the filter's layout)")
    Path outFilter;

    @Option(names = "--out-bias", paramLabel = "DB.npy", description = "where to write the bias gradient, shape [Cout]")
    Path outBias;

    @Option(names = "--backend", paramLabel = "NAME", description = "force a backend (see: deconv3d backends)")
    String backend;

    @Mixin
    ProblemOptions options;

    @Override
    public Integer call() throws IOException {
        PrintWriter log = spec.commandLine().getOut();
        if (outInput == null && outFilter == null && outBias == null) {
            throw new IllegalArgumentException("no gradient asked for: give --out-input, --out-filter and/or"
                    + " --out-bias");
        }
        CommandFiles.refuseClashes(
                new Object[] {"--out-input", outInput, "--out-filter", outFilter, "--out-bias", outBias},
                new Object[] {"--input", input, "--filter", filter, "--grad-output", gradOutput, "--output", output});
        Npy.Array x = CommandFiles.read(log, input);
        Npy.Array w = CommandFiles.read(log, filter);
        Deconv3dProblem p = options.build(x.shape(), w.shape());
        Npy.Array dy = CommandFiles.read(log, gradOutput);
        requireShape("--grad-output", gradOutput, dy, p.outputShape());
        float[] y = null;
        if (output != null) {
            Npy.Array ya = CommandFiles.read(log, output);
            requireShape("--output", output, ya, p.outputShape());
            y = ya.data();
        } else if (p.activation().kind() != Activation.Kind.NONE) {
            throw new IllegalArgumentException("--activation " + p.activation() + " is fused but --output is not"
                    + " given: pass the forward run's output with --output Y.npy (the activation's derivative is"
                    + " read from it)");
        }
        Deconv3d engine = backend == null ? Backends.select(p) : Backends.named(backend);
        try (Deconv3dPlan plan = engine.plan(p, w.data(), null)) {
            long t0 = System.nanoTime();
            float[] dx = null;
            if (outInput != null) {
                dx = Memory.allocateFloats(p.inputLength(), "the input gradient " + Arrays.toString(p.inputShape()));
                plan.backwardInput(dy.data(), y, dx);
            }
            float[] dw = null;
            float[] db = null;
            if (outFilter != null || outBias != null) {
                dw = new float[p.filterLength()];
                db = outBias == null ? null : new float[p.outChannels()];
                plan.backwardWeights(x.data(), dy.data(), y, dw, db);
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            log.println("backend: " + engine.name());
            log.println("problem: " + p.describe());
            if (dx != null) {
                Npy.write(outInput, p.inputShape(), dx);
                log.println("input gradient " + Arrays.toString(p.inputShape()) + " written to " + outInput);
            }
            if (outFilter != null) {
                Npy.write(outFilter, w.shape(), dw);
                log.println("filter gradient " + Arrays.toString(w.shape()) + " written to " + outFilter);
            }
            if (db != null) {
                Npy.write(outBias, new int[] {p.outChannels()}, db);
                log.println("bias gradient [" + p.outChannels() + "] written to " + outBias);
            }
            log.printf("time: %.2f ms%n", ms);
        }
        return 0;
    }

    private static void requireShape(String option, Path file, Npy.Array a, int[] expected) {
        if (!Arrays.equals(a.shape(), expected)) {
            throw new IllegalArgumentException(option + " " + file + " has shape " + Arrays.toString(a.shape())
                    + " but the problem's output has shape " + Arrays.toString(expected) + ": pass the gradient"
                    + " (or output) of this problem's forward run");
        }
    }
}
