package org.deconv3d;

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

    /** Releases what the plan holds (device memory for a GPU backend). Idempotent. */
    @Override
    void close();
}
