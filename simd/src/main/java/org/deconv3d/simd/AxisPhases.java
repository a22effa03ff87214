package org.deconv3d.simd;

/**
 * Phase decomposition of one spatial axis. Output positions {@code o = c + j*s} of phase {@code c} are reached by
 * the same taps {@code t} (those with {@code t*d ≡ c + pad (mod s)}), each from input position {@code j + off},
 * {@code off = (c + pad - t*d) / s}: consecutive outputs of a phase read consecutive inputs. The input is copied
 * into a zero-padded buffer ({@code padLo} before, {@code padded} in all) so that every tap of every position,
 * including the rounded-up tail of a tile, reads in bounds and no position needs a bounds check.
 */
final class AxisPhases {

    final int stride;
    /** taps[c]: the tap indices of phase c, ascending. */
    final int[][] taps;
    /** offsets[c][i]: input offset of taps[c][i] for phase c. */
    final int[][] offsets;
    /** positions[c]: number of outputs of phase c. */
    final int[] positions;
    final int padLo;
    final int padded;

    /**
     * @param roundTo positions of a phase are processed in tiles of this many; the tail tile reads past the last
     *                position, so the padding covers it
     */
    AxisPhases(int inputSize, int outputSize, int kernel, int stride, int dilation, int padBefore, int roundTo) {
        this.stride = stride;
        taps = new int[stride][];
        offsets = new int[stride][];
        positions = new int[stride];
        int minOff = 0;
        int maxAccess = inputSize - 1;
        for (int c = 0; c < stride; c++) {
            positions[c] = c < outputSize ? (outputSize - 1 - c) / stride + 1 : 0;
            int count = 0;
            for (int t = 0; t < kernel; t++) {
                if (Math.floorMod(c + padBefore - t * dilation, stride) == 0) {
                    count++;
                }
            }
            taps[c] = new int[count];
            offsets[c] = new int[count];
            int i = 0;
            for (int t = 0; t < kernel; t++) {
                int num = c + padBefore - t * dilation;
                if (Math.floorMod(num, stride) == 0) {
                    taps[c][i] = t;
                    offsets[c][i] = Math.floorDiv(num, stride);
                    if (positions[c] > 0) {
                        minOff = Math.min(minOff, offsets[c][i]);
                        int last = roundUp(positions[c], roundTo) - 1;
                        maxAccess = Math.max(maxAccess, last + offsets[c][i]);
                    }
                    i++;
                }
            }
        }
        padLo = -minOff;
        padded = padLo + maxAccess + 1;
    }

    /** Whether the padded buffer is the input itself: no padding on either side. */
    boolean unpadded(int inputSize) {
        return padLo == 0 && padded == inputSize;
    }

    static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }
}
