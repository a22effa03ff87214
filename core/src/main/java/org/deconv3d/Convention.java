package org.deconv3d;

/** Which framework's arguments a problem was described with. */
public enum Convention {
    /** {@code tf.nn.conv3d_transpose}: NDHWC input, filter {@code [kd,kh,kw,Cout/groups,Cin]}, SAME/VALID, output_shape. */
    TENSORFLOW,
    /** {@code torch.nn.ConvTranspose3d}: NCDHW input, weight {@code [Cin,Cout/groups,kd,kh,kw]}, padding, output_padding. */
    PYTORCH,
    /** ONNX {@code ConvTranspose}: NCDHW, weight {@code [Cin,Cout/group,kd,kh,kw]}, pads, auto_pad, output_shape. */
    ONNX
}
