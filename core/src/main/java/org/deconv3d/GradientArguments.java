package org.deconv3d;

/**
 * The argument checks of the gradient calls ({@link Deconv3dPlan#backwardInput},
 * {@link Deconv3dPlan#backwardWeights}), shared by every backend and made before anything is written.
 */
final class GradientArguments {

    private GradientArguments() {
    }

    /** Checks the arguments of {@link Deconv3dPlan#backwardInput}. */
    static void requireInputGradient(Deconv3dProblem p, float[] gradOutput, float[] output, float[] gradInput) {
        requireCommon(p, gradOutput, output);
        Deconv3dProblem.requireLength("gradInput", gradInput, p.inputLength(),
                p, Deconv3dProblem.Tensor.INPUT, "(the input's shape and layout)");
        requireDistinct("gradInput", gradInput, "gradOutput", gradOutput);
        requireDistinct("gradInput", gradInput, "output", output);
    }

    /** Checks the arguments of {@link Deconv3dPlan#backwardWeights}. */
    static void requireWeightGradient(Deconv3dProblem p, float[] input, float[] gradOutput, float[] output,
            float[] gradFilter, float[] gradBias) {
        requireCommon(p, gradOutput, output);
        Deconv3dProblem.requireLength("input", input, p.inputLength(),
                p, Deconv3dProblem.Tensor.INPUT, "(the input the forward run read)");
        Deconv3dProblem.requireLength("gradFilter", gradFilter, p.filterLength(),
                p, Deconv3dProblem.Tensor.FILTER, p.filterLayout().description());
        if (gradBias != null && gradBias.length != p.outChannels()) {
            throw new IllegalArgumentException("gradBias has " + gradBias.length + " values but the problem has "
                    + p.outChannels() + " output channels: pass " + p.outChannels() + " values, or null to skip"
                    + " the bias gradient");
        }
        requireDistinct("gradFilter", gradFilter, "input", input);
        requireDistinct("gradFilter", gradFilter, "gradOutput", gradOutput);
        requireDistinct("gradFilter", gradFilter, "output", output);
        if (gradBias != null) {
            requireDistinct("gradBias", gradBias, "input", input);
            requireDistinct("gradBias", gradBias, "gradOutput", gradOutput);
            requireDistinct("gradBias", gradBias, "output", output);
            requireDistinct("gradBias", gradBias, "gradFilter", gradFilter);
        }
    }

    private static void requireCommon(Deconv3dProblem p, float[] gradOutput, float[] output) {
        Activation act = p.activation();
        if (!act.hasDerivativeFromOutput()) {
            throw new IllegalArgumentException("the plan fuses " + act + ", whose output does not tell the sign of"
                    + " its input, so its gradient cannot be computed from the saved output: use a slope >= 0, or"
                    + " a problem with Activation.NONE and apply the activation yourself");
        }
        Deconv3dProblem.requireLength("gradOutput", gradOutput, p.outputLength(),
                p, Deconv3dProblem.Tensor.OUTPUT, "(the output's shape and layout)");
        if (output == null && act.kind() != Activation.Kind.NONE) {
            throw new IllegalArgumentException("output is null but the plan fuses " + act + ": pass the output y"
                    + " that run() computed for this input (the activation's derivative is read from it)");
        }
        if (output != null) {
            Deconv3dProblem.requireLength("output", output, p.outputLength(), p, Deconv3dProblem.Tensor.OUTPUT,
                    "(what run() wrote)");
        }
    }

    /** {@code written} must be none of the other arrays: results are written while the others are read. */
    private static void requireDistinct(String written, float[] target, String name, float[] other) {
        if (other == target) {
            throw new IllegalArgumentException(written + " is the same array as " + name + ": it is written while "
                    + name + " is read; pass a separate array");
        }
    }
}
