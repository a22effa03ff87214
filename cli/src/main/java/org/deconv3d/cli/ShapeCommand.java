package org.deconv3d.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.deconv3d.Axis;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Padding;
import org.deconv3d.ShapeRules;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deconv3d shape}: the valid output sizes, the default, the padding split; checks an output shape. */
@Command(name = "shape", mixinStandardHelpOptions = true,
        description = "Print the default output shape, the valid output sizes per axis for SAME and VALID, and the"
                + " padding split; with --output-shape, say whether it is valid (exit 0) or why not (exit 2).")
final class ShapeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "N,D,H,W,C",
            description = "input shape (tensorflow NDHWC; torch N,C,D,H,W)")
    IntList inputShape;

    @Option(names = "--filter", required = true, paramLabel = "kd,kh,kw,Cout,Cin",
            description = "filter shape (tensorflow [kd,kh,kw,Cout/groups,Cin]; torch [Cin,Cout/groups,kd,kh,kw])")
    IntList filterShape;

    @Mixin
    ProblemOptions options;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int[] input = IntList.of(inputShape);
        int[] filter = IntList.of(filterShape);
        if (options.onnx()) {
            Deconv3dProblem p = options.build(input, filter);
            out.println("convention: onnx (ConvTranspose), input " + Arrays.toString(p.inputShape()) + " NCDHW, weight "
                    + Arrays.toString(p.filterShape()) + ", auto_pad " + p.autoPad().orElseThrow());
            out.println("output shape: " + Arrays.toString(p.outputShape()));
            int[] before = p.padBefore(), after = p.padAfter(), op = p.outputPadding();
            out.println("pads=[" + before[0] + ", " + before[1] + ", " + before[2] + ", " + (after[0] + op[0]) + ", "
                    + (after[1] + op[1]) + ", " + (after[2] + op[2]) + "] (d,h,w begins, then ends)");
            printMemory(out, p);
            return 0;
        }
        if (options.torch()) {
            Deconv3dProblem p = options.build(input, filter);
            out.println("convention: torch (ConvTranspose3d), input " + Arrays.toString(p.inputShape())
                    + " NCDHW, weight " + Arrays.toString(p.filterShape()));
            out.println("output shape: " + Arrays.toString(p.outputShape()));
            int[] x = p.inputSize(), k = p.kernel(), s = p.stride(), d = p.dilation(), pad = p.padBefore();
            int[] op = p.outputPadding(), o = p.outputSize();
            for (int a = 0; a < 3; a++) {
                out.printf("  %-6s (%d-1)*%d - 2*%d + (%d-1)*%d + %d + 1 = %d   padding %d before, %d after%n",
                        Axis.of(a).word(), x[a], s[a], pad[a], k[a], d[a], op[a], o[a], pad[a], pad[a] - op[a]);
            }
            printMemory(out, p);
            return 0;
        }
        Padding padding = options.tfPadding();
        IntList requestedList = options.outputShape;
        int[] requested = IntList.of(requestedList);
        options.outputShape = null;
        Deconv3dProblem defaults = options.build(input, filter);
        options.outputShape = requestedList;
        int[] x = defaults.inputSize(), k = defaults.kernel(), s = defaults.stride(), d = defaults.dilation();
        out.println("convention: tensorflow (conv3d_transpose), input " + Arrays.toString(defaults.inputShape())
                + " " + defaults.layout() + ", filter " + Arrays.toString(defaults.filterShape())
                + ", strides " + Arrays.toString(s) + ", dilations " + Arrays.toString(d) + ", padding " + padding);
        out.println("default output shape (Keras): " + Arrays.toString(defaults.outputShape()));
        out.printf("valid output sizes:  %-14s %-14s%n", padding + " (this)",
                padding.other().toString());
        for (int a = 0; a < 3; a++) {
            out.printf("  %-6s (input %d)  %-14s %-14s%n", Axis.of(a).word(), x[a],
                    ShapeRules.tfValidOutputSizes(padding, x[a], k[a], s[a], d[a]),
                    ShapeRules.tfValidOutputSizes(padding.other(), x[a], k[a], s[a], d[a]));
        }
        if (requested == null) {
            printPadding(out, defaults);
            printMemory(out, defaults);
            return 0;
        }
        boolean valid = true;
        if (requested.length == 5) {
            int[] o = defaults.layout() == org.deconv3d.Layout.NDHWC
                    ? new int[] {requested[1], requested[2], requested[3]}
                    : new int[] {requested[2], requested[3], requested[4]};
            for (int a = 0; a < 3; a++) {
                Optional<String> why = ShapeRules.explainTfOutputSize(Axis.of(a), padding, x[a], o[a], k[a], s[a], d[a]);
                if (why.isPresent()) {
                    valid = false;
                    spec.commandLine().getErr().println("invalid: " + why.get());
                }
            }
        }
        if (!valid) {
            return 2;
        }
        Deconv3dProblem p = options.build(input, filter); // also checks batch, channels and length
        out.println("output shape " + Arrays.toString(p.outputShape()) + " is valid");
        printPadding(out, p);
        printMemory(out, p);
        return 0;
    }

    /** The tensors' sizes and the working memory of a run on the backend that would be chosen. */
    static void printMemory(PrintWriter out, Deconv3dProblem p) {
        out.printf("memory: input %s, filter %s, output %s", size(p.inputBytes()), size(p.filterBytes()),
                size(p.outputBytes()));
        if (p.filterBytes() <= 256L << 20) { // a plan needs a filter array; skip the figure for huge filters
            Deconv3d backend = Backends.select(p);
            try (Deconv3dPlan plan = backend.plan(p, new float[p.filterLength()], null)) {
                out.printf(", working memory %s (%s backend, per run of batch %d)", size(plan.workspaceBytes()),
                        backend.name(), p.batch());
            }
        }
        out.println();
    }

    private static String size(long bytes) {
        if (bytes < 10 * 1024) {
            return bytes + " B";
        }
        return bytes < 10L << 20 ? String.format("%.1f KiB", bytes / 1024.0)
                : bytes < 10L << 30 ? String.format("%.1f MiB", bytes / 1048576.0)
                : String.format("%.1f GiB", bytes / 1073741824.0);
    }

    private static void printPadding(PrintWriter out, Deconv3dProblem p) {
        int[] before = p.padBefore(), after = p.padAfter();
        out.println("padding for output " + Arrays.toString(p.outputShape()) + ":");
        for (int a = 0; a < 3; a++) {
            out.printf("  %-6s %d before, %d after%n", Axis.of(a).word(), before[a], after[a]);
        }
    }
}
