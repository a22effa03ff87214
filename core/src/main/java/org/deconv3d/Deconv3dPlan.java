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

    /**
     * The gradient of a loss with respect to the input, for training: {@code gradInput = Tᵀ(gradOutput * act'(y))},
     * a strided convolution of the output gradient with the same filter and geometry (what
     * {@code tf.nn.conv3d(dy, w, strides, padding)} computes in TensorFlow's convention, and what autograd computes
     * for PyTorch's {@code ConvTranspose3d}). The activation's derivative is taken from the saved output.
     *
     * <pre>{@code
     * plan.run(x, y);                               // forward
     * float[] dy = lossGradient(y);                 // from the layer above
     * float[] dx = new float[problem.inputLength()];
     * plan.backwardInput(dy, y, dx);                // to the layer below
     * }</pre>
     *
     * <p>All backends compute it (at present with the reference loops: correct, not yet fast). Thread-safe like
     * {@link #run}; every argument is checked before anything is written.
     *
     * @param gradOutput {@code dL/dy}: {@code problem().outputLength()} values in the output's layout
     * @param output     the {@code y} that {@link #run} computed for this input; may be null when the problem has no
     *                   activation
     * @param gradInput  written: {@code dL/dx}, {@code problem().inputLength()} values in the input's layout
     * @throws IllegalArgumentException if an array is null or has the wrong length, {@code output} is missing
     *                                  while an activation is fused, the activation is a leaky relu with a
     *                                  negative slope (its derivative cannot be read from its output), or
     *                                  {@code gradInput} is one of the other arrays
     * @throws IllegalStateException    if the plan is closed
     */
    void backwardInput(float[] gradOutput, float[] output, float[] gradInput);

    /**
     * The gradients of a loss with respect to the filter and the bias, for training:
     * {@code gradFilter[t, co, ci] = sum over samples and positions of x[i, ci] * g[o, co]} with {@code o} the output
     * that input {@code i} reaches through tap {@code t}, and {@code gradBias[co] = sum of g[o, co]}, where
     * {@code g = gradOutput * act'(y)}. The filter gradient is in the problem's filter layout (TensorFlow's
     * {@code Conv3DBackpropFilterV2} for that convention, PyTorch's and ONNX's weight layout for theirs).
     *
     * <pre>{@code
     * float[] dw = new float[problem.filterLength()];
     * float[] db = new float[problem.outChannels()];
     * plan.backwardWeights(x, dy, y, dw, db);       // then w -= rate * dw, b -= rate * db: a new plan
     * }</pre>
     *
     * @param input      the {@code x} the forward run read
     * @param gradOutput {@code dL/dy}
     * @param output     the {@code y} of the forward run; may be null when the problem has no activation
     * @param gradFilter written: {@code dL/dw}, {@code problem().filterLength()} values
     * @param gradBias   written unless null: {@code dL/db}, {@code problem().outChannels()} values
     * @throws IllegalArgumentException as {@link #backwardInput}, for these arrays
     * @throws IllegalStateException    if the plan is closed
     */
    void backwardWeights(float[] input, float[] gradOutput, float[] output, float[] gradFilter, float[] gradBias);

    /** Bytes of working memory one run of {@code batch} samples needs beyond its input and output. */
    default long workspaceBytes(int batch) {
        return batch == problem().batch() ? workspaceBytes() : workspaceBytes() / problem().batch() * batch;
    }

    /** Releases what the plan holds (device memory for a GPU backend). Idempotent. */
    @Override
    void close();
}
