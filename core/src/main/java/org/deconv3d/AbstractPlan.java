package org.deconv3d;

import java.nio.FloatBuffer;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.deconv3d.reference.ReferenceGradients;

/**
 * The part every plan shares: the argument checks of every {@code run}, buffers turned into arrays, and a close
 * that is safe to call at any time. A backend implements {@link #compute} (arguments already checked) and, if it
 * holds resources, {@link #release}.
 *
 * <p>Runs hold a read lock while they compute and {@link #close()} takes the write lock, so a close waits for the
 * runs in progress to finish, and every run that starts after it throws {@link IllegalStateException}: a run either
 * completes or throws before writing anything, and nothing writes into a caller's arrays after its run returned.
 *
 * <pre>{@code
 * final class MyPlan extends AbstractPlan {
 *     MyPlan(Deconv3dProblem p, float[] w) { super(p, "mine"); this.w = w.clone(); }
 *     protected void compute(float[] x, int xOff, float[] y, int yOff, int batch) { ... }
 *     protected float[] filter() { return w; }
 * }
 * }</pre>
 */
public abstract class AbstractPlan implements Deconv3dPlan {

    private final Deconv3dProblem problem;
    private final String backend;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Written under the write lock, read under the read lock. */
    private boolean closed;

    protected AbstractPlan(Deconv3dProblem problem, String backend) {
        this.problem = problem;
        this.backend = backend;
    }

    @Override
    public final Deconv3dProblem problem() {
        return problem;
    }

    @Override
    public final String backend() {
        return backend;
    }

    @Override
    public final void run(float[] input, float[] output) {
        problem.requireRunArguments(input, output);
        enter();
        try {
            compute(input, 0, output, 0, problem.batch());
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public final void run(float[] input, int inputOffset, float[] output, int outputOffset, int batch) {
        problem.requireRunArguments(input, inputOffset, output, outputOffset, batch);
        enter();
        try {
            compute(input, inputOffset, output, outputOffset, batch);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public final void run(FloatBuffer input, FloatBuffer output) {
        int perIn = problem.inputLengthPerSample();
        int perOut = problem.outputLengthPerSample();
        if (input == null || output == null) {
            throw new IllegalArgumentException((input == null ? "input" : "output") + " buffer is null: pass a"
                    + " FloatBuffer (heap or direct) positioned at the first sample");
        }
        if (input.remaining() == 0 || input.remaining() % perIn != 0) {
            throw new IllegalArgumentException("input buffer has " + input.remaining() + " floats remaining, not a"
                    + " whole number of samples of " + perIn + " floats (" + Layout.class.getSimpleName() + " "
                    + problem.layout() + "): set its position and limit around whole samples");
        }
        int batch = input.remaining() / perIn;
        long needed = (long) batch * perOut;
        if (output.isReadOnly()) {
            throw new IllegalArgumentException("output buffer is read-only: pass a writable FloatBuffer");
        }
        if (output.remaining() < needed) {
            throw new IllegalArgumentException("output buffer has " + output.remaining() + " floats remaining but "
                    + batch + " samples need " + needed + ": pass a buffer with room for them");
        }
        if (input.hasArray() && output.hasArray()) {
            run(input.array(), input.arrayOffset() + input.position(), output.array(),
                    output.arrayOffset() + output.position(), batch);
        } else {
            enter();
            try {
                // Off-heap or read-only: one sample at a time through heap arrays, so staging stays small.
                float[] x = new float[perIn];
                float[] y = new float[perOut];
                FloatBuffer in = input.duplicate();
                FloatBuffer out = output.duplicate();
                for (int n = 0; n < batch; n++) {
                    in.get(x);
                    compute(x, 0, y, 0, 1);
                    out.put(y);
                }
            } finally {
                lock.readLock().unlock();
            }
        }
        input.position(input.position() + batch * perIn);
        output.position(output.position() + (int) needed);
    }

    @Override
    public final void backwardInput(float[] gradOutput, float[] output, float[] gradInput) {
        GradientArguments.requireInputGradient(problem, gradOutput, output, gradInput);
        enter();
        try {
            computeInputGradient(gradOutput, output, gradInput);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public final void backwardWeights(float[] input, float[] gradOutput, float[] output, float[] gradFilter,
            float[] gradBias) {
        GradientArguments.requireWeightGradient(problem, input, gradOutput, output, gradFilter, gradBias);
        enter();
        try {
            computeWeightGradient(input, gradOutput, output, gradFilter, gradBias);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Computes {@link #backwardInput} (arguments checked, plan open). This default runs the reference loops
     * ({@link ReferenceGradients}) with the plan's filter; a backend overrides it with a faster kernel.
     */
    protected void computeInputGradient(float[] gradOutput, float[] output, float[] gradInput) {
        double[] g = ReferenceGradients.beforeActivation(problem, gradOutput, 0, output, 0, problem.batch());
        ReferenceGradients.inputGradient(problem, g, filter(), gradInput, 0, problem.batch());
    }

    /** Computes {@link #backwardWeights} (arguments checked, plan open); the default runs the reference loops. */
    protected void computeWeightGradient(float[] input, float[] gradOutput, float[] output, float[] gradFilter,
            float[] gradBias) {
        double[] g = ReferenceGradients.beforeActivation(problem, gradOutput, 0, output, 0, problem.batch());
        ReferenceGradients.weightGradient(problem, input, 0, g, gradFilter, gradBias, problem.batch());
    }

    /**
     * The filter this plan was made with, in the problem's filter layout, for the gradient loops: a backend keeps
     * a copy (its own format may differ, e.g. packed or on a device).
     */
    protected abstract float[] filter();

    /** Takes the read lock for a run, or throws if the plan is closed. */
    private void enter() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new IllegalStateException("this " + backend + " plan is closed: make a new plan with"
                    + " Deconv3d.plan(...)");
        }
    }

    /** Waits for runs in progress, then releases the plan. Idempotent; later runs throw. */
    @Override
    public final void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                release();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Whether {@link #close()} has completed. */
    public final boolean isClosed() {
        lock.readLock().lock();
        try {
            return closed;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Computes {@code batch} samples from {@code input[inputOffset...]} into {@code output[outputOffset...]}:
     * slices checked against the problem, not overlapping, the plan open. Must not return while any thread it
     * started can still write into {@code output}.
     */
    protected abstract void compute(float[] input, int inputOffset, float[] output, int outputOffset, int batch);

    /** Frees what the plan holds; called once, by the first {@link #close()}, with no run in progress. */
    protected void release() {
    }
}
