package org.deconv3d.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deconv3d run}: computes a transposed convolution on .npy files. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Compute a 3D transposed convolution from .npy files (little-endian float32, C order) and"
                + " write the result as .npy. Prints the backend, the shapes and the time.")
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "input tensor")
    Path input;

    @Option(names = "--filter", required = true, paramLabel = "W.npy", description = "filter (tensorflow) or weight (torch)")
    Path filter;

    @Option(names = "--bias", paramLabel = "B.npy", description = "optional bias, shape [Cout]")
    Path bias;

    @Option(names = "--out", required = true, paramLabel = "Y.npy", description = "where to write the output")
    Path out;

    @Option(names = "--backend", paramLabel = "NAME", description = "force a backend (see: deconv3d backends)")
    String backend;

    @Option(names = "--threads", description = "CPU threads for multi-threaded backends; default: all processors")
    Integer threads;

    @Mixin
    ProblemOptions options;

    @Override
    public Integer call() throws IOException {
        PrintWriter log = spec.commandLine().getOut();
        CommandFiles.refuseClashes(new Object[] {"--out", out},
                new Object[] {"--input", input, "--filter", filter, "--bias", bias});
        Npy.Array x = CommandFiles.read(log, input);
        Npy.Array w = CommandFiles.read(log, filter);
        Deconv3dProblem p = options.build(x.shape(), w.shape());
        float[] b = CommandFiles.bias(log, bias, p);
        Deconv3d engine = backend == null ? Backends.select(p) : Backends.named(backend);
        float[] y = Memory.allocateFloats(p.outputLength(), "the output " + Arrays.toString(p.outputShape()));
        try (Deconv3dPlan plan = threads == null ? engine.plan(p, w.data(), b) : engine.plan(p, w.data(), b, threads)) {
            long t0 = System.nanoTime();
            plan.run(x.data(), y);
            double firstMs = (System.nanoTime() - t0) / 1e6;
            Npy.write(out, p.outputShape(), y);
            log.println("backend: " + engine.name());
            log.println("problem: " + p.describe());
            log.println("input " + Arrays.toString(p.inputShape()) + " -> output " + Arrays.toString(p.outputShape())
                    + " written to " + out);
            log.printf("time: %.2f ms (one run, including JIT compilation; ./deconv3d bench measures steady"
                    + " state)%n", firstMs);
        }
        return 0;
    }
}
