package org.deconv3d.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
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
        refuseOverwritingAnInput();
        Npy.Array x = Npy.read(input);
        Npy.Array w = Npy.read(filter);
        noteConversion(log, input, x);
        noteConversion(log, filter, w);
        Deconv3dProblem p = options.build(x.shape(), w.shape());
        float[] b = null;
        if (bias != null) {
            Npy.Array ba = Npy.read(bias);
            noteConversion(log, bias, ba);
            if (ba.shape().length != 1 || ba.shape()[0] != p.outChannels()) {
                throw new IllegalArgumentException(bias + " has shape " + Arrays.toString(ba.shape())
                        + " but the bias must have shape [" + p.outChannels() + "] (one value per output channel):"
                        + " pass a bias of " + p.outChannels() + " values, or none");
            }
            b = ba.data();
        }
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

    private static void noteConversion(PrintWriter log, Path file, Npy.Array a) {
        if (a.converted() != null) {
            log.println("note: " + file + " holds dtype '" + a.converted() + "', converted to float32");
        }
    }

    /** Writing the output over an input file would destroy it before (or while) it is read: refuse. */
    private void refuseOverwritingAnInput() throws IOException {
        Path[] inputs = bias == null ? new Path[] {input, filter} : new Path[] {input, filter, bias};
        String[] names = {"--input", "--filter", "--bias"};
        for (int i = 0; i < inputs.length; i++) {
            boolean same = Files.exists(out) && Files.exists(inputs[i]) ? Files.isSameFile(out, inputs[i])
                    : out.toAbsolutePath().normalize().equals(inputs[i].toAbsolutePath().normalize());
            if (same) {
                throw new IllegalArgumentException("--out " + out + " is the same file as " + names[i] + " "
                        + inputs[i] + ": writing it would destroy the " + names[i].substring(2)
                        + "; give --out another path");
            }
        }
    }
}
