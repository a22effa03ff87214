package org.deconv3d;

/** Memory order of the activation tensors (input and output), both in C order. */
public enum Layout {
    /** {@code [batch, depth, height, width, channels]}: TensorFlow's default. */
    NDHWC,
    /** {@code [batch, channels, depth, height, width]}: PyTorch's layout. */
    NCDHW
}
