package org.deconv3d;

import java.util.Locale;

/**
 * An activation fused into the output write: {@code y = f(conv + bias)}.
 *
 * <p>NaN propagates through every function ({@code relu(NaN) = NaN}), as in PyTorch and TensorFlow, so a NaN in
 * the input is never hidden by the activation.
 *
 * <pre>{@code
 * Activation a = Activation.parse("leaky_relu:0.2");
 * double y = a.apply(-1.0);   // -0.2
 * }</pre>
 */
public final class Activation {

    /** The function applied. */
    public enum Kind { NONE, RELU, LEAKY_RELU, SIGMOID, TANH }

    public static final Activation NONE = new Activation(Kind.NONE, 0f);
    public static final Activation RELU = new Activation(Kind.RELU, 0f);
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f);
    public static final Activation TANH = new Activation(Kind.TANH, 0f);

    private final Kind kind;
    private final float slope;

    private Activation(Kind kind, float slope) {
        this.kind = kind;
        this.slope = slope;
    }

    /** Leaky ReLU: {@code x < 0 ? slope * x : x}; the slope must be finite. */
    public static Activation leakyRelu(float slope) {
        if (!Float.isFinite(slope)) {
            throw new IllegalArgumentException("leaky relu slope " + slope + " is not finite: use a finite number such as 0.01");
        }
        return new Activation(Kind.LEAKY_RELU, slope);
    }

    /**
     * Parses {@code none}, {@code relu}, {@code sigmoid}, {@code tanh}, {@code leaky_relu} (slope 0.01) or
     * {@code leaky_relu:SLOPE}; case and {@code -}/{@code _} do not matter.
     */
    public static Activation parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("activation is null: use none, relu, leaky_relu[:slope], sigmoid or tanh");
        }
        String t = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        String slopeText = null;
        int colon = t.indexOf(':');
        if (colon >= 0) {
            slopeText = t.substring(colon + 1);
            t = t.substring(0, colon);
        }
        switch (t) {
            case "none": case "identity": case "linear":
                if (slopeText == null) return NONE;
                break;
            case "relu":
                if (slopeText == null) return RELU;
                break;
            case "sigmoid":
                if (slopeText == null) return SIGMOID;
                break;
            case "tanh":
                if (slopeText == null) return TANH;
                break;
            case "leaky_relu": case "leakyrelu":
                if (slopeText == null) return leakyRelu(0.01f);
                try {
                    return leakyRelu(Float.parseFloat(slopeText));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("leaky relu slope '" + slopeText + "' is not a number: use a number, e.g. leaky_relu:0.2");
                }
            default:
                break;
        }
        throw new IllegalArgumentException("activation '" + text
                + "' is not known: use none, relu, leaky_relu[:slope], sigmoid or tanh");
    }

    public Kind kind() {
        return kind;
    }

    /** The negative-side slope of {@link Kind#LEAKY_RELU}; 0 for the other kinds. */
    public float slope() {
        return slope;
    }

    /** Applies the function in double precision: the reference kernel's definition. */
    public double apply(double x) {
        switch (kind) {
            case RELU: return x < 0 ? 0.0 : x;
            case LEAKY_RELU: return x < 0 ? x * slope : x;
            case SIGMOID: return 1.0 / (1.0 + Math.exp(-x));
            case TANH: return Math.tanh(x);
            default: return x;
        }
    }

    /**
     * The derivative at the point whose output is {@code y} ({@code y = apply(x)}), expressed in {@code y}, so a
     * gradient needs only the saved output: relu {@code y > 0 ? 1 : 0}, leaky relu {@code y < 0 ? slope : 1},
     * sigmoid {@code y(1-y)}, tanh {@code 1-y²}, none 1. At {@code x = 0} this gives relu 0 (as PyTorch and
     * TensorFlow do) and leaky relu 1 (the {@code x >= 0} branch of {@link #apply}).
     *
     * @throws IllegalStateException for a leaky relu with a negative slope, whose output does not tell the sign of
     *                               its input (see {@link #hasDerivativeFromOutput()})
     */
    public double derivativeFromOutput(double y) {
        switch (kind) {
            case RELU: return y > 0 ? 1.0 : 0.0;
            case LEAKY_RELU:
                if (slope < 0) {
                    throw new IllegalStateException("leaky relu with slope " + slope + " < 0 has no derivative in"
                            + " terms of its output");
                }
                return slope == 0 ? (y > 0 ? 1.0 : 0.0) : (y < 0 ? slope : 1.0);
            case SIGMOID: return y * (1.0 - y);
            case TANH: return 1.0 - y * y;
            default: return 1.0;
        }
    }

    /**
     * Whether {@link #derivativeFromOutput} is defined: for every activation but a leaky relu with a negative
     * slope (there a negative input and a positive one can give outputs of the same sign).
     */
    public boolean hasDerivativeFromOutput() {
        return kind != Kind.LEAKY_RELU || slope >= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Activation && ((Activation) o).kind == kind
                && Float.compare(((Activation) o).slope, slope) == 0;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Float.hashCode(slope);
    }

    @Override
    public String toString() {
        return kind == Kind.LEAKY_RELU ? "leaky_relu:" + slope : kind.name().toLowerCase(Locale.ROOT);
    }
}
