package org.deconv3d;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The part every plan shares: the argument checks of {@link #run}, and a close that is safe to call at any time.
 * A backend implements {@link #compute} (arguments already checked) and, if it holds resources, {@link #release}.
 *
 * <p>Runs hold a read lock while they compute and {@link #close()} takes the write lock, so a close waits for the
 * runs in progress to finish, and every run that starts after it throws {@link IllegalStateException}: a run either
 * completes or throws before writing anything, and nothing writes into a caller's arrays after its run returned.
 *
 * <pre>{@code
 * final class MyPlan extends AbstractPlan {
 *     MyPlan(Deconv3dProblem p) { super(p, "mine"); }
 *     protected void compute(float[] input, float[] output) { ReferenceKernel.compute(problem(), input, w, null, output); }
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
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("this " + backend + " plan is closed: make a new plan with"
                        + " Deconv3d.plan(...)");
            }
            compute(input, output);
        } finally {
            lock.readLock().unlock();
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
     * Computes {@code output} from {@code input}: both checked against the problem, distinct arrays, the plan open.
     * Must not return while any thread it started can still write into {@code output}.
     */
    protected abstract void compute(float[] input, float[] output);

    /** Frees what the plan holds; called once, by the first {@link #close()}, with no run in progress. */
    protected void release() {
    }
}
