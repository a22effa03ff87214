package org.deconv3d;

/**
 * A problem bound to its filter and bias, ready to run on many inputs. Made by {@link Deconv3d#plan}.
 *
 * <p><b>Thread safety.</b> {@link #run} may be called concurrently from any number of threads, each with its own
 * output array: a plan holds no per-call mutable state. {@link #close()} must not race with {@code run}; after it,
 * {@code run} throws {@link IllegalStateException}. Closing twice is harmless.
 *
 * <p><b>Failure.</b> Every argument is checked before anything is written: a rejected call leaves {@code output}
 * untouched.
 *
 * <pre>{@code
 * try (Deconv3dPlan plan = Backends.select().plan(problem, filter, bias)) {
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
     * @throws IllegalArgumentException if an array is null or has the wrong length (output untouched)
     * @throws IllegalStateException    if the plan is closed
     */
    void run(float[] input, float[] output);

    /** Releases what the plan holds (device memory for a GPU backend). Idempotent. */
    @Override
    void close();
}
