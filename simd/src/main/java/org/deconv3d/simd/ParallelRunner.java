package org.deconv3d.simd;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the items of one run on the calling thread plus helper threads from {@link SharedPools}, in two stages:
 * the preparation items (which every compute item may read), then the compute items. Threads claim items from
 * shared counters, so the shares balance themselves; which thread runs an item never changes what it computes.
 *
 * <p>{@link #run} returns only when no thread is working on the run any more, also when an item throws: helpers
 * that have not started are cancelled, started ones are joined, and the first failure is rethrown.
 */
final class ParallelRunner {

    /** The work of one run, as numbered items. */
    interface Items {
        int prepItems();

        void prepare(int item);

        int computeItems();

        void compute(int item, int worker);
    }

    /** The per-run state: claim counters and, for tests, the items each worker computed. One per concurrent run. */
    static final class Progress {
        final AtomicInteger prepNext = new AtomicInteger();
        final AtomicInteger prepDone = new AtomicInteger();
        final AtomicInteger next = new AtomicInteger();
        volatile boolean aborted;
        /** Compute items per worker in the last run; each slot written by its own worker, read after the joins. */
        final int[] computedBy;
        final ForkJoinTask<?>[] tasks;

        Progress(int workers) {
            computedBy = new int[workers];
            tasks = new ForkJoinTask<?>[workers];
        }
    }

    private final int workers;
    private final ForkJoinPool pool;

    /** @param workers threads per run, the caller included */
    ParallelRunner(int workers) {
        this.workers = workers;
        this.pool = workers > 1 ? SharedPools.forHelpers(workers - 1) : null;
    }

    int workers() {
        return workers;
    }

    void run(Progress progress, Items items) {
        progress.prepNext.set(0);
        progress.prepDone.set(0);
        progress.next.set(0);
        progress.aborted = false;
        java.util.Arrays.fill(progress.computedBy, 0);
        if (workers == 1) {
            work(0, progress, items);
            return;
        }
        int submitted = 0;
        Throwable failure = null;
        try {
            for (int t = 1; t < workers; t++) {
                final int worker = t;
                progress.tasks[t] = pool.submit(() -> work(worker, progress, items));
                submitted++;
            }
            work(0, progress, items);
        } catch (RuntimeException | Error e) {
            failure = e;
            progress.aborted = true;
        } finally {
            for (int t = 1; t <= submitted; t++) {
                ForkJoinTask<?> task = progress.tasks[t];
                progress.tasks[t] = null;
                // A helper that has not started has claimed nothing: cancelling it is safe, and it never runs.
                if (!task.cancel(false)) {
                    try {
                        task.join();
                    } catch (RuntimeException | Error e) {
                        if (failure == null) {
                            failure = e;
                        }
                    }
                }
            }
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure != null) {
            throw (Error) failure;
        }
    }

    private static void work(int worker, Progress progress, Items items) {
        try {
            int prep = items.prepItems();
            if (prep > 0) {
                for (int i = progress.prepNext.getAndIncrement(); i < prep && !progress.aborted;
                        i = progress.prepNext.getAndIncrement()) {
                    items.prepare(i);
                    progress.prepDone.incrementAndGet();
                }
                // Every claimed item is in progress on a running thread, so this wait is short and cannot deadlock;
                // the volatile count also publishes the prepared data to this thread.
                while (progress.prepDone.get() < prep && !progress.aborted) {
                    Thread.onSpinWait();
                }
            }
            int n = items.computeItems();
            int done = 0;
            for (int i = progress.next.getAndIncrement(); i < n && !progress.aborted;
                    i = progress.next.getAndIncrement()) {
                items.compute(i, worker);
                done++;
            }
            progress.computedBy[worker] = done;
        } catch (RuntimeException | Error e) {
            progress.aborted = true;
            throw e;
        }
    }
}
