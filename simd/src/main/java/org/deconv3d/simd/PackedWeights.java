package org.deconv3d.simd;

import org.deconv3d.Deconv3dProblem;

/**
 * The filter, repacked once per plan for the micro-kernels: per group, output channels padded to whole vectors
 * and split into blocks of 2 vectors (1 for an odd last one); within a block, {@code [tap][ci][vector][lane]}, so a kernel reads
 * the weights of one (tap, input channel) as consecutive vectors. Padding lanes hold zeros.
 *
 * <p>{@link #transposed} packs the same way with the roles of the channels swapped ({@code [tap][co][vector][lane]},
 * input channels in the lanes): the filter of the input gradient, a convolution that sums over output channels.
 */
final class PackedWeights {

    final int lanes;
    /** Output-channel vectors per group (Cout/groups rounded up to whole vectors). */
    final int vectorsPerGroup;
    /** Per block: first vector within the group, and width in vectors. */
    final int[] blockStart;
    final int[] blockWidth;
    /** Offset of block b of group g: {@code base[g * blocks + b]}. */
    final int[] base;
    final float[] values;
    private final int cinPerGroup;

    PackedWeights(Deconv3dProblem p, float[] filter, int lanes) {
        this(p, filter, lanes, false);
    }

    /** The filter of the input gradient: input channels in the lanes, summed over output channels. */
    static PackedWeights transposed(Deconv3dProblem p, float[] filter, int lanes) {
        return new PackedWeights(p, filter, lanes, true);
    }

    private PackedWeights(Deconv3dProblem p, float[] filter, int lanes, boolean swap) {
        this.lanes = lanes;
        int[] k = p.kernel();
        // "in" is the channel a kernel sums over, "out" the one in the lanes.
        cinPerGroup = swap ? p.outChannelsPerGroup() : p.inChannelsPerGroup();
        int coutPerGroup = swap ? p.inChannelsPerGroup() : p.outChannelsPerGroup();
        vectorsPerGroup = (coutPerGroup + lanes - 1) / lanes;
        int blocks = 0;
        for (int v = 0; v < vectorsPerGroup; v += width(vectorsPerGroup - v)) {
            blocks++;
        }
        blockStart = new int[blocks];
        blockWidth = new int[blocks];
        for (int b = 0, v = 0; b < blocks; b++) {
            blockStart[b] = v;
            blockWidth[b] = width(vectorsPerGroup - v);
            v += blockWidth[b];
        }
        base = new int[p.groups() * blocks];
        // SimdDeconv3d declines problems whose packed filter does not fit an array (Schedule.declineReason).
        values = new float[Math.toIntExact(packedLength(p, lanes, swap))];
        int cinG = p.inChannelsPerGroup();
        int offset = 0;
        for (int g = 0; g < p.groups(); g++) {
            for (int b = 0; b < blocks; b++) {
                base[g * blocks + b] = offset;
                int blockLanes = blockWidth[b] * lanes;
                for (int td = 0; td < k[0]; td++)
                    for (int th = 0; th < k[1]; th++)
                        for (int tw = 0; tw < k[2]; tw++)
                            for (int c = 0; c < cinPerGroup; c++)
                                for (int l = 0; l < blockLanes; l++) {
                                    int co = blockStart[b] * lanes + l;
                                    int ci = swap ? co : c;
                                    int o = swap ? c : co;
                                    values[offset++] = co < coutPerGroup
                                            ? filter[p.filterIndex(g * cinG + ci, o, td, th, tw)] : 0f;
                                }
            }
        }
    }

    /** Floats of the packed filter: Cout per group rounded up to whole vectors. */
    static long packedLength(Deconv3dProblem p, int lanes) {
        return packedLength(p, lanes, false);
    }

    static long packedLength(Deconv3dProblem p, int lanes, boolean swap) {
        int[] k = p.kernel();
        int summed = swap ? p.outChannelsPerGroup() : p.inChannelsPerGroup();
        int laned = swap ? p.inChannelsPerGroup() : p.outChannelsPerGroup();
        long vectors = (laned + (long) lanes - 1) / lanes;
        return (long) p.groups() * k[0] * k[1] * k[2] * summed * vectors * lanes;
    }

    /** Blocks of 2 vectors while they fit, then 1: the widths the micro-kernels exist for. */
    private static int width(int remaining) {
        return remaining >= 2 ? 2 : 1;
    }

    int blocks() {
        return blockStart.length;
    }

    /** Offset of the weights of {@code tap} (= {@code (td*kh + th)*kw + tw}) in block {@code b} of group {@code g}. */
    int offset(int g, int b, int tap) {
        return base[g * blockStart.length + b] + tap * cinPerGroup * blockWidth[b] * lanes;
    }
}
