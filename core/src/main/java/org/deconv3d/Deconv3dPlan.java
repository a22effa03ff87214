package org.deconv3d;

import java.nio.FloatBuffer;

/**
 * A problem bound to its filter and bias, ready to run on many inputs. Made by {@link Deconv3d#plan}.
 *
 * <p><b>Thread safety.</b> {@link #run} may be called concurrently from any number of threads, each with its own
 * output array. {@link #close()} may be called at any time, from any thread: it waits for the runs in progress to
 * complete, and every later {@code run} throws {@link IllegalStateException} before touching its arrays. So a run
 * either completes or throws, and nothing writes into the caller's arrays after {@code run} returns or throws.
 * Closing twice is harmless.
 *
 * <p><b>Failure.</b> Every argument is checked before anything is written: a rejected call leaves {@code output}
 * untouched. The output must be a different array from the input (outputs are written while inputs are still
 * being read), which every plan checks.
 *
 * <p><b>Memory.</b> {@link #workspaceBytes()} says how much working memory one run needs beyond its input and
 * output arrays, so an application can size its heap before the first run.
 *
 * <pre>{@code
 * try (Deconv3dPlan plan = Backends.select(problem).plan(problem, filter, bias)) {
 *     for (float[] x : batches) {
 *         plan.run(x, y);
 *     }
 * }
 * }</pre>
 */
public interface Deconv3dPlan extends AutoCloseable {

    /** The problem this plan computes. */
    Deconv3dProblem problem();

    /** The name of the backend that made this plan. */
    String backend();

    /**
     * Computes {@code output = activation(deconv3d(input) + bias)}.
     *
     * @param input  {@code problem().inputLength()} values in the problem's layout
     * @param output {@code problem().outputLength()} values, overwritten entirely
     * @throws IllegalArgumentException if an array is null, has the wrong length, or output is the input array
     *                                  (output untouched)
     * @throws IllegalStateException    if the plan is closed
     */
    void run(float[] input, float[] output);

    /**
     * Bytes of working memory one {@code run} allocates or holds beyond its input and output arrays (buffers kept
     * between runs included), per concurrent run. 0 for plans that need none.
     */
    default long workspaceBytes() {
        return 0;
    }

    /**
     * Computes {@code batch} samples from slices of larger arrays, with no copy: the input from
     * {@code input[inputOffset ...]}, the output into {@code output[outputOffset ...]}, each sample
     * {@link Deconv3dProblem#inputLengthPerSample()} / {@link Deconv3dProblem#outputLengthPerSample()} floats in the
     * problem's layout. The batch is any number of samples, not only the problem's: working memory grows on the
     * first run of a larger batch and is reused after. The slices may share an array if they do not overlap.
     *
     * <pre>{@code
     * float[] all = new float[100 * p.inputLengthPerSample()];   // a hundred volumes, one array
     * plan.run(all, 40 * p.inputLengthPerSample(), y, 0, 8);      // volumes 40..47 into y
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code batch < 1}, a slice does not fit its array, or the slices overlap
     * @throws IllegalStateException    if the plan is closed
     */
    void run(float[] input, int inputOffset, float[] output, int outputOffset, int batch);

    /**
     * Computes from and into NIO buffers, heap or direct (off-heap), e.g. tensors handed over by a native
     * framework. The batch is {@code input.remaining() / inputLengthPerSample()} (which must divide exactly); the
     * output needs room for that many samples. As a relative bulk {@code get}/{@code put}, it advances both
     * positions by what it read and wrote. Heap buffers are used in place; direct ones are staged through heap
     * arrays one sample at a time.
     *
     * @throws IllegalArgumentException if a buffer is null, the input is not whole samples, the output is too small
     *                                  or read-only (nothing read, written or moved then)
     */
    void run(FloatBuffer input, FloatBuffer output);

    /** Bytes of working memory one run of {@code batch} samples needs beyond its input and output. */
    default long workspaceBytes(int batch) {
        return batch == problem().batch() ? workspaceBytes() : workspaceBytes() / problem().batch() * batch;
    }

    /** Releases what the plan holds (device memory for a GPU backend). Idempotent. */
    @Override
    void close();
}
