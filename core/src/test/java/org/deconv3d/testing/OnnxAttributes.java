package org.deconv3d.testing;

import java.util.Arrays;
import org.deconv3d.Activation;
import org.deconv3d.AutoPad;
import org.deconv3d.Deconv3dProblem;

/**
 * An ONNX {@code ConvTranspose} node's attributes exactly as given (before any rule resolves them), so a test can
 * hand the very same attributes to deconv3d and to ONNX Runtime.
 *
 * @param inputShape    {@code [N, Cin, D, H, W]}
 * @param weightShape   {@code [Cin, Cout/group, kd, kh, kw]}
 * @param autoPad       the {@code auto_pad} mode
 * @param strides       three strides
 * @param dilations     three dilations
 * @param pads          six pads (begins, then ends), or null when not given
 * @param outputPadding three output paddings
 * @param outputShape   three spatial output sizes, or null when not given
 * @param group         groups
 * @param activation    a fused activation (in ONNX, a node after the ConvTranspose)
 */
public record OnnxAttributes(int[] inputShape, int[] weightShape, AutoPad autoPad, int[] strides, int[] dilations,
        int[] pads, int[] outputPadding, int[] outputShape, int group, Activation activation) {

    /** The deconv3d problem these attributes describe (ONNX's rules). */
    public Deconv3dProblem problem() {
        Deconv3dProblem.OnnxBuilder b = Deconv3dProblem.onnx(inputShape, weightShape).strides(strides)
                .dilations(dilations).outputPadding(outputPadding).autoPad(autoPad).group(group)
                .activation(activation);
        if (pads != null) {
            b.pads(pads);
        }
        if (outputShape != null) {
            b.outputShape(outputShape);
        }
        return b.build();
    }

    @Override
    public String toString() {
        return "ConvTranspose(X " + Arrays.toString(inputShape) + ", W " + Arrays.toString(weightShape) + ", auto_pad="
                + autoPad + ", strides=" + Arrays.toString(strides) + ", dilations=" + Arrays.toString(dilations)
                + (pads == null ? "" : ", pads=" + Arrays.toString(pads)) + ", output_padding="
                + Arrays.toString(outputPadding) + (outputShape == null ? "" : ", output_shape="
                + Arrays.toString(outputShape)) + ", group=" + group + ", activation " + activation + ")";
    }
}
