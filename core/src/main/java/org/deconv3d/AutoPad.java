package org.deconv3d;

import java.util.Locale;

/** ONNX {@code ConvTranspose}'s {@code auto_pad}: how the padding is found. */
public enum AutoPad {
    /** Explicit {@code pads}, or pads computed from {@code output_shape} with the odd one at the beginning. */
    NOTSET,
    /** Output {@code X * stride} (or {@code output_shape}); the odd pad at the end. */
    SAME_UPPER,
    /** Output {@code X * stride} (or {@code output_shape}); the odd pad at the beginning. */
    SAME_LOWER,
    /** No padding. */
    VALID;

    /** Parses the ONNX spelling in any case ({@code same_upper}, {@code NOTSET}, ...). */
    public static AutoPad parse(String text) {
        if (text != null) {
            String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (AutoPad a : values()) {
                if (a.name().equals(t)) {
                    return a;
                }
            }
        }
        throw new IllegalArgumentException("auto_pad '" + text + "' is not known: use NOTSET, SAME_UPPER,"
                + " SAME_LOWER or VALID");
    }
}
