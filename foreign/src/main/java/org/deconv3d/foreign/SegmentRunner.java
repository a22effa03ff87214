package org.deconv3d.foreign;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;

/**
 * Runs a {@link Deconv3dPlan} on {@link MemorySegment}s: off-heap tensors handed over by native frameworks, memory
 * mapped files, and tensors of more than 2<sup>31</sup> floats (indexing is {@code long}; each sample must still fit
 * the problem's {@code int} sizes).
 *
 * <p>Segments hold floats in native byte order, samples one after another in the problem's layout (as ONNX Runtime,
 * PyTorch and TensorFlow hand them over). The batch is {@code input.byteSize()} over a sample's bytes; take slices
 * with {@link MemorySegment#asSlice}. A segment backed by a {@code float[]} ({@link MemorySegment#ofArray(float[])})
 * is computed in place, with no copy. Any other segment is moved through heap staging buffers of a few samples
 * (at most {@code stagingBytes}, at least one sample) on the calling thread, so confined arenas work and the
 * working memory does not grow with the batch; the staging buffers are kept for the next run (at most two sets).
 *
 * <p>Thread-safe as the plan is: concurrent runs each take their own staging. Every argument is checked before
 * anything is written. A run of many chunks on a plan that another thread closes meanwhile throws
 * {@link IllegalStateException} with the samples before it written (the plan refuses the next chunk).
 *
 * <pre>{@code
 * try (Arena arena = Arena.ofConfined();
 *      Deconv3dPlan plan = Backends.select(problem).plan(problem, filter, null)) {
 *     MemorySegment x = arena.allocate(problem.inputBytes());    // filled by a native framework
 *     MemorySegment y = arena.allocate(problem.outputBytes());
 *     new SegmentRunner(plan).run(x, y);
 * }
 * }</pre>
 */
public final class SegmentRunner {

    /** Default staging: 32 MiB, a few samples of most volumes, enough for a multi-threaded plan to share out. */
    public static final long DEFAULT_STAGING_BYTES = 32L << 20;

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final int IDLE_STAGINGS = 2;

    private final Deconv3dPlan plan;
    private final int perIn;
    private final int perOut;
    private final int samplesPerChunk;
    private final ConcurrentLinkedDeque<Staging> idle = new ConcurrentLinkedDeque<>();

    /** A runner with {@link #DEFAULT_STAGING_BYTES} of staging. */
    public SegmentRunner(Deconv3dPlan plan) {
        this(plan, DEFAULT_STAGING_BYTES);
    }

    /**
     * A runner whose staging for off-heap segments is at most {@code stagingBytes} (but always one sample).
     *
     * @throws IllegalArgumentException if {@code plan} is null or {@code stagingBytes} is negative
     */
    public SegmentRunner(Deconv3dPlan plan, long stagingBytes) {
        if (plan == null) {
            throw new IllegalArgumentException("plan is null: pass a plan made by Deconv3d.plan(...)");
        }
        if (stagingBytes < 0) {
            throw new IllegalArgumentException("stagingBytes is " + stagingBytes + ": use 0 (one sample at a"
                    + " time) or more");
        }
        Deconv3dProblem p = plan.problem();
        this.plan = plan;
        this.perIn = p.inputLengthPerSample();
        this.perOut = p.outputLengthPerSample();
        long perSample = 4L * (perIn + perOut);
        long fitsArrays = Integer.MAX_VALUE / Math.max(perIn, perOut);
        this.samplesPerChunk = (int) Math.max(1, Math.min(stagingBytes / perSample, fitsArrays));
    }

    /** The plan this runner runs. */
    public Deconv3dPlan plan() {
        return plan;
    }

    /**
     * Computes every sample of {@code input} into {@code output}.
     *
     * @param input  whole samples of {@code problem().inputLengthPerSample()} floats each
     * @param output room for as many samples of output; bytes past them are left as they are
     * @return the number of samples computed
     * @throws IllegalArgumentException if a segment is null, the input is not whole samples, the output is too
     *                                  small or read-only, or the two overlap (nothing written)
     * @throws IllegalStateException    if the plan is closed, or a segment's arena is closed or confined to
     *                                  another thread
     */
    public long run(MemorySegment input, MemorySegment output) {
        long batch = requireArguments(input, output);
        if (arrayIndex(input) >= 0 && arrayIndex(output) >= 0 && batch <= Integer.MAX_VALUE) {
            plan.run((float[]) input.heapBase().orElseThrow(), arrayIndex(input),
                    (float[]) output.heapBase().orElseThrow(), arrayIndex(output), (int) batch);
            return batch;
        }
        Staging staging = take();
        try {
            for (long n = 0; n < batch; n += samplesPerChunk) {
                int m = (int) Math.min(samplesPerChunk, batch - n);
                MemorySegment.copy(input, FLOAT, n * perIn * 4L, staging.in, 0, m * perIn);
                plan.run(staging.in, 0, staging.out, 0, m);
                MemorySegment.copy(staging.out, 0, output, FLOAT, n * perOut * 4L, m * perOut);
            }
        } finally {
            give(staging);
        }
        return batch;
    }

    private long requireArguments(MemorySegment input, MemorySegment output) {
        if (input == null || output == null) {
            throw new IllegalArgumentException((input == null ? "input" : "output") + " segment is null: pass a"
                    + " MemorySegment of whole samples (MemorySegment.asSlice selects them)");
        }
        long inBytes = 4L * perIn;
        if (input.byteSize() == 0 || input.byteSize() % inBytes != 0) {
            throw new IllegalArgumentException("input segment has " + input.byteSize() + " bytes, not a whole"
                    + " number of samples of " + inBytes + " bytes (" + perIn + " floats, layout "
                    + plan.problem().layout() + "): slice it to whole samples with asSlice");
        }
        long batch = input.byteSize() / inBytes;
        long needed = Math.multiplyExact(batch, 4L * perOut);
        if (output.isReadOnly()) {
            throw new IllegalArgumentException("output segment is read-only: pass a writable segment");
        }
        if (output.byteSize() < needed) {
            throw new IllegalArgumentException("output segment has " + output.byteSize() + " bytes but " + batch
                    + " samples need " + needed + ": allocate at least that (problem().outputBytes() per "
                    + plan.problem().batch() + " samples)");
        }
        if (input.asOverlappingSlice(output).isPresent()) {
            throw new IllegalArgumentException("the output segment overlaps the input segment: outputs are written"
                    + " while inputs are still read; use disjoint memory");
        }
        return batch;
    }

    /** The float index where a {@code float[]}-backed segment starts, or -1 for any other segment. */
    private static int arrayIndex(MemorySegment segment) {
        Object base = segment.heapBase().orElse(null);
        // A heap segment's address is its byte offset into the array.
        if (!(base instanceof float[]) || segment.address() % 4 != 0) {
            return -1;
        }
        return (int) (segment.address() / 4);
    }

    private Staging take() {
        Staging s = idle.poll();
        return s != null ? s : new Staging(new float[samplesPerChunk * perIn], new float[samplesPerChunk * perOut]);
    }

    private void give(Staging s) {
        if (idle.size() < IDLE_STAGINGS) {
            idle.push(s);
        }
    }

    private record Staging(float[] in, float[] out) {
    }
}
