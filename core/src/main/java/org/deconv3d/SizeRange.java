package org.deconv3d;

/**
 * An inclusive range of valid sizes along one axis, {@code min..max}. Empty when {@code min > max}.
 *
 * @param min smallest valid size
 * @param max largest valid size
 */
public record SizeRange(int min, int max) {

    /** Whether {@code size} lies in the range. */
    public boolean contains(int size) {
        return size >= min && size <= max;
    }

    /** Whether no size is valid. */
    public boolean isEmpty() {
        return min > max;
    }

    @Override
    public String toString() {
        return isEmpty() ? "none" : min == max ? Integer.toString(min) : min + ".." + max;
    }
}
