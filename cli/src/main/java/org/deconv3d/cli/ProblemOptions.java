package org.deconv3d.cli;

import java.util.Locale;
import org.deconv3d.Activation;
import org.deconv3d.AutoPad;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;
import org.deconv3d.Padding;
import picocli.CommandLine.Option;

/** The arguments of either convention, shared by {@code shape} and {@code run}. */
public final class ProblemOptions {

    /** Options with their defaults; picocli fills them from a command line (a {@code @Mixin} of a command). */
    public ProblemOptions() {
    }

    @Option(names = "--convention", defaultValue = "tensorflow",
            description = "tensorflow (default: NDHWC, filter [kd,kh,kw,Cout,Cin], SAME/VALID), torch"
                    + " (NCDHW, weight [Cin,Cout/groups,kd,kh,kw], numeric padding) or onnx (ConvTranspose: NCDHW,"
                    + " weight as torch, --pads/--auto-pad)")
    String convention;

    @Option(names = "--auto-pad", paramLabel = "MODE",
            description = "onnx only: NOTSET (default), SAME_UPPER, SAME_LOWER or VALID")
    String autoPad;

    @Option(names = "--pads", paramLabel = "P|6 values",
            description = "onnx only: one value for all, or six in ONNX's order d_begin,h_begin,w_begin,d_end,h_end,"
                    + "w_end; default 0")
    IntList pads;

    @Option(names = "--strides", defaultValue = "1", paramLabel = "S|S,S,S",
            description = "one stride for all axes or three (d,h,w); default 1")
    IntList strides;

    @Option(names = "--dilations", defaultValue = "1", paramLabel = "D|D,D,D",
            description = "one dilation for all axes or three (d,h,w); default 1")
    IntList dilations;

    @Option(names = "--padding", paramLabel = "P",
            description = "tensorflow: SAME (default) or VALID; torch: one number or three (d,h,w), default 0")
    String padding;

    @Option(names = "--output-shape", paramLabel = "N,D,H,W,C",
            description = "tensorflow: the output_shape to check/use (default: Keras' size); onnx: the three"
                    + " spatial sizes or the full NCDHW shape (pads are then computed)")
    IntList outputShape;

    @Option(names = "--output-padding", defaultValue = "0", paramLabel = "P|P,P,P",
            description = "torch only: output_padding, smaller than max(stride, dilation); default 0")
    IntList outputPadding;

    @Option(names = "--groups", defaultValue = "1", description = "channel groups; default 1")
    int groups;

    @Option(names = "--data-format", defaultValue = "NDHWC",
            description = "tensorflow only: NDHWC (default) or NCDHW")
    Layout dataFormat;

    @Option(names = "--activation", defaultValue = "none",
            description = "none, relu, leaky_relu[:slope], sigmoid or tanh; default none")
    String activation;

    /** The convention named by {@code --convention}. */
    org.deconv3d.Convention convention() {
        String c = convention.toLowerCase(Locale.ROOT);
        switch (c) {
            case "tensorflow": case "tf": return org.deconv3d.Convention.TENSORFLOW;
            case "torch": case "pytorch": return org.deconv3d.Convention.PYTORCH;
            case "onnx": return org.deconv3d.Convention.ONNX;
            default:
                throw new IllegalArgumentException("--convention " + convention + " is not known: use tensorflow,"
                        + " torch or onnx");
        }
    }

    boolean torch() {
        return convention() == org.deconv3d.Convention.PYTORCH;
    }

    boolean onnx() {
        return convention() == org.deconv3d.Convention.ONNX;
    }

    Padding tfPadding() {
        return padding == null ? Padding.SAME : Padding.parse(padding);
    }

    int[] torchPadding() {
        if (padding == null) {
            return new int[] {0};
        }
        try {
            String[] parts = padding.split(",");
            int[] p = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                p[i] = Integer.parseInt(parts[i].trim());
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--padding " + padding + " is not a number: with --convention torch"
                    + " give one number or three (d,h,w), e.g. --padding 1");
        }
    }

    /** The problem these options describe for the given input and filter shapes. */
    public Deconv3dProblem build(int[] input, int[] filter) {
        if (!onnx() && (autoPad != null || pads != null)) {
            throw new IllegalArgumentException((autoPad != null ? "--auto-pad" : "--pads") + " is an onnx argument:"
                    + " use --convention onnx, or --padding for " + (torch() ? "torch" : "tensorflow"));
        }
        if (onnx()) {
            if (padding != null) {
                throw new IllegalArgumentException("--padding is not an onnx argument: use --pads (begins then ends)"
                        + " or --auto-pad");
            }
            Deconv3dProblem.OnnxBuilder b = Deconv3dProblem.onnx(input, filter).strides(IntList.of(strides))
                    .dilations(IntList.of(dilations)).outputPadding(IntList.of(outputPadding)).group(groups)
                    .autoPad(autoPad == null ? AutoPad.NOTSET : AutoPad.parse(autoPad))
                    .activation(Activation.parse(activation));
            if (pads != null) {
                b.pads(IntList.of(pads));
            }
            if (outputShape != null) {
                b.outputShape(IntList.of(outputShape));
            }
            return b.build();
        }
        if (torch()) {
            if (outputShape != null) {
                throw new IllegalArgumentException("--output-shape is a tensorflow argument: with --convention torch"
                        + " the output size follows from --padding and --output-padding");
            }
            return Deconv3dProblem.pytorch(input, filter).stride(IntList.of(strides)).padding(torchPadding())
                    .outputPadding(IntList.of(outputPadding)).dilation(IntList.of(dilations)).groups(groups)
                    .activation(Activation.parse(activation)).build();
        }
        int[] op = IntList.of(outputPadding);
        if (op.length != 1 || op[0] != 0) {
            throw new IllegalArgumentException("--output-padding is a torch argument: with tensorflow, choose the"
                    + " output size with --output-shape");
        }
        return Deconv3dProblem.tensorflow(input, filter).strides(IntList.of(strides))
                .dilations(IntList.of(dilations)).padding(tfPadding()).outputShape(IntList.of(outputShape)).groups(groups).dataFormat(dataFormat)
                .activation(Activation.parse(activation)).build();
    }
}
