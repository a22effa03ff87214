package org.deconv3d;

/** TensorFlow's padding modes for {@code tf.nn.conv3d_transpose}. */
public enum Padding {
    /** Output size {@code O} is valid when {@code ceil(O / s) == X}; padding split evenly, the extra one after. */
    SAME,
    /** No padding: {@code O} is valid when {@code floor((O - K) / s) + 1 == X}. */
    VALID;

    /** Parses {@code same}/{@code valid} in any case. */
    public static Padding parse(String text) {
        if (text != null) {
            for (Padding p : values()) {
                if (p.name().equalsIgnoreCase(text.trim())) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("padding '" + text + "' is not known: use SAME or VALID");
    }

    /** The other mode, used to suggest an alternative when a size is rejected. */
    public Padding other() {
        return this == SAME ? VALID : SAME;
    }
}
