package org.deconv3d.cli;

import java.util.Arrays;
import picocli.CommandLine.TypeConversionException;

/**
 * A comma-separated list of integers given as one option value ({@code --strides 2,2,1}). Being one value, a
 * repeated option is an error ("should be specified only once") instead of a silent concatenation.
 *
 * @param values the integers, in order
 */
public record IntList(int[] values) {

    public static IntList parse(String text) {
        String[] parts = text.split(",", -1);
        int[] v = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + text + "' is not a comma-separated list of integers ('"
                        + parts[i].trim() + "' is not an integer that fits 32 bits): write e.g. 2 or 2,2,1");
            }
        }
        return new IntList(v);
    }

    static int[] of(IntList list) {
        return list == null ? null : list.values.clone();
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}
