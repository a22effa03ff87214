package org.deconv3d;

/** Memory order of the filter (weights), in C order. */
public enum FilterLayout {
    /** TensorFlow's {@code [kd, kh, kw, Cout/groups, Cin]}. */
    TF_DHW_OUT_IN("[kd,kh,kw,Cout/groups,Cin]"),
    /** PyTorch's {@code [Cin, Cout/groups, kd, kh, kw]}. */
    TORCH_IN_OUT_DHW("[Cin,Cout/groups,kd,kh,kw]");

    private final String description;

    FilterLayout(String description) {
        this.description = description;
    }

    /** The axis order, e.g. {@code [kd,kh,kw,Cout/groups,Cin]}. */
    public String description() {
        return description;
    }
}
