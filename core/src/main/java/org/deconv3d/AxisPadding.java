package org.deconv3d;

/**
 * The padding implied along one axis, in the coordinates of the forward convolution: output position
 * {@code o = i*s + t*d - before}. {@code after} is negative when the output extends past the last position an input
 * reaches (those outputs receive only the bias), e.g. with PyTorch's {@code output_padding}.
 *
 * @param before positions cropped from the start of the full transposed-convolution result
 * @param after  positions cropped from its end
 */
public record AxisPadding(int before, int after) {
    @Override
    public String toString() {
        return before + " before, " + after + " after";
    }
}
