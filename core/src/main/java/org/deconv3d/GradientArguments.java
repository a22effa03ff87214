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
                p.inputShape(), "(the input's shape and layout)");
        requireDistinct("gradInput", gradInput, "gradOutput", gradOutput, "output", output);
    }

    /** Checks the arguments of {@link Deconv3dPlan#backwardWeights}. */
    static void requireWeightGradient(Deconv3dProblem p, float[] input, float[] gradOutput, float[] output,
            float[] gradFilter, float[] gradBias) {
        requireCommon(p, gradOutput, output);
        Deconv3dProblem.requireLength("input", input, p.inputLength(),
                p.inputShape(), "(the input the forward run read)");
        Deconv3dProblem.requireLength("gradFilter", gradFilter, p.filterLength(),
                p.filterShape(), p.filterLayout().description());
        if (gradBias != null && gradBias.length != p.outChannels()) {
            throw new IllegalArgumentException("gradBias has " + gradBias.length + " values but the problem has "
                    + p.outChannels() + " output channels: pass " + p.outChannels() + " values, or null to skip"
                    + " the bias gradient");
        }
        requireDistinct("gradFilter", gradFilter, "input", input, "gradOutput", gradOutput, "output", output);
        if (gradBias != null) {
            requireDistinct("gradBias", gradBias, "input", input, "gradOutput", gradOutput, "output", output,
                    "gradFilter", gradFilter);
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
                p.outputShape(), "(the output's shape and layout)");
        if (output == null && act.kind() != Activation.Kind.NONE) {
            throw new IllegalArgumentException("output is null but the plan fuses " + act + ": pass the output y"
                    + " that run() computed for this input (the activation's derivative is read from it)");
        }
        if (output != null) {
            Deconv3dProblem.requireLength("output", output, p.outputLength(), p.outputShape(), "(what run() wrote)");
        }
    }

    /** {@code written} must be none of the other arrays: results are written while the others are read. */
    private static void requireDistinct(String written, float[] target, Object... namesAndArrays) {
        for (int i = 0; i < namesAndArrays.length; i += 2) {
            if (namesAndArrays[i + 1] == target) {
                throw new IllegalArgumentException(written + " is the same array as " + namesAndArrays[i]
                        + ": it is written while " + namesAndArrays[i] + " is read; pass a separate array");
            }
        }
    }
}
