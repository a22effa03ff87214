package org.deconv3d.simd;

/**
 * One worker's working memory for {@link InputGradientRows}: the row buffer, and, where the input gradient reads
 * {@code dy} in place, the item's list of entries (offsets in {@code dy}, in the edge buffer, and of the weights per
 * group and block) and the edge buffer's strips. Allocated once per worker and reused by every item; a call starts
 * with {@link #forget}.
 */
final class InputGradientScratch {

    final float[] row;
    /** The item's entries' offsets in {@code dy}. */
    final int[] gradOffsets;
    /** The item's entries' offsets in {@link #edge}, from the start of an edge tile's slot. */
    final int[] edgeOffsets;
    /** Per (group, block): the item's entries' weight offsets. */
    final int[][] weightOffsets;
    /** The strips of {@link GradientGeometry#stripSlots}. */
    final float[] edge;
    /** Per strip, the output row (over the batch) it holds, or -1. */
    final int[] stripRow;

    InputGradientScratch(GradientGeometry geo, int groupBlocks) {
        this.row = new float[geo.rowFloats()];
        int entries = geo.inputReadsGradOutput ? geo.entryOffset.length : 0;
        this.gradOffsets = new int[entries];
        this.edgeOffsets = new int[entries];
        this.weightOffsets = new int[entries > 0 ? groupBlocks : 0][entries];
        this.edge = new float[geo.inputReadsGradOutput ? geo.edgeFloats() : 0];
        this.stripRow = new int[geo.inputReadsGradOutput && geo.stripsKept ? geo.stripSlots : 0];
        forget();
    }

    /** Marks every strip empty: a new call's {@code dy} may differ in any row. */
    void forget() {
        java.util.Arrays.fill(stripRow, -1);
    }
}
