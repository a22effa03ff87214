package org.deconv3d;

/** The three spatial axes, in the order every {@code int[3]} of this library uses: depth, height, width. */
public enum Axis {
    DEPTH("depth"), HEIGHT("height"), WIDTH("width");

    private final String word;

    Axis(String word) {
        this.word = word;
    }

    /** The axis as a word for messages: {@code depth}, {@code height} or {@code width}. */
    public String word() {
        return word;
    }

    /** The axis at position 0, 1 or 2 of a spatial triple. */
    public static Axis of(int index) {
        return values()[index];
    }
}
