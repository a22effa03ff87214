package org.deconv3d.simd;

import org.deconv3d.Deconv3dProblem;

/**
 * The filter, repacked once per plan for the micro-kernels: per group, output channels padded to whole vectors
 * and split into blocks of 2 vectors (1 for an odd last one); within a block, {@code [tap][ci][vector][lane]}, so a kernel reads
 * the weights of one (tap, input channel) as consecutive vectors. Padding lanes hold zeros.
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
        this.lanes = lanes;
        int[] k = p.kernel();
        cinPerGroup = p.inChannelsPerGroup();
        int coutPerGroup = p.outChannelsPerGroup();
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
        values = new float[Math.toIntExact(packedLength(p, lanes))];
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
                                    values[offset++] = co < coutPerGroup
                                            ? filter[p.filterIndex(g * cinPerGroup + c, co, td, th, tw)] : 0f;
                                }
            }
        }
    }

    /** Floats of the packed filter: Cout per group rounded up to whole vectors. */
    static long packedLength(Deconv3dProblem p, int lanes) {
        int[] k = p.kernel();
        long vectors = (p.outChannelsPerGroup() + (long) lanes - 1) / lanes;
        return (long) p.groups() * k[0] * k[1] * k[2] * p.inChannelsPerGroup() * vectors * lanes;
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
