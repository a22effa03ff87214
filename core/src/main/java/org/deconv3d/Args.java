package org.deconv3d;

import java.util.Arrays;

/** Argument checks shared by the problem builders: each failure says what, what is valid, and how to fix it. */
final class Args {

    private Args() {
    }

    static int[] shape(String what, int[] shape, String axes) {
        if (shape == null) {
            throw new IllegalArgumentException(what + " is null: pass " + axes);
        }
        if (shape.length != 5) {
            throw new IllegalArgumentException(what + " " + Arrays.toString(shape) + " has " + shape.length
                    + " dimensions, expected 5: pass 5 values, " + axes);
        }
        String[] names = axes.substring(1, axes.length() - 1).split(",");
        for (int i = 0; i < 5; i++) {
            if (shape[i] <= 0) {
                throw new IllegalArgumentException(what + " " + Arrays.toString(shape) + " has " + names[i].trim()
                        + " = " + shape[i] + ": every dimension of " + axes + " must be at least 1; use a "
                        + names[i].trim() + " of 1 or more");
            }
        }
        return shape.clone();
    }

    /** Expands 1 value (all axes) or 3 values (d,h,w), each at least {@code min}. */
    static int[] spatial(String what, int[] values, int min) {
        if (values == null) {
            throw new IllegalArgumentException(what + " is null: pass one value for all three axes or three (d,h,w)");
        }
        int[] out;
        if (values.length == 1) {
            out = new int[] {values[0], values[0], values[0]};
        } else if (values.length == 3) {
            out = values.clone();
        } else {
            throw new IllegalArgumentException(what + " " + Arrays.toString(values) + " has " + values.length
                    + " values: give one value for all three axes or three values for depth, height, width");
        }
        for (int a = 0; a < 3; a++) {
            if (out[a] < min) {
                throw new IllegalArgumentException(what + " along " + Axis.of(a).word() + " is " + out[a]
                        + ": it must be " + (min == 0 ? "0 or more" : "at least " + min) + "; use a value of " + min
                        + " or more");
            }
        }
        return out;
    }

    static int positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " is " + value + ": it must be at least 1; use 1 or more");
        }
        return value;
    }

    /** The element count of a tensor, which must fit a Java array. */
    static int elements(String what, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " has more than " + Integer.MAX_VALUE
                        + " elements (dimensions " + Arrays.toString(dims) + "), more than a Java array holds:"
                        + " split the batch or the volume into smaller problems");
            }
        }
        return (int) n;
    }
}
