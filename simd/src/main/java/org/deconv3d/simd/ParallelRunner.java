package org.deconv3d.simd;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the items of one run on the calling thread plus helper threads from {@link SharedPools}, in two stages:
 * the preparation items (which every compute item may read), then the compute items. Worker {@code t} computes
 * item {@code t} first, then threads claim the rest from a shared counter, so the shares balance themselves;
 * which thread runs an item never changes what it computes.
 *
 * <p>{@link #run} returns only when no thread works on the run any more, also when an item throws. Each helper
 * has a state: it works only if it can move it from pending to started; when the caller is done it moves every
 * still-pending helper to cancelled (that helper will do nothing, and the caller computes its reserved item) and
 * joins every started helper. ({@code ForkJoinTask.cancel} cannot do this: it also "cancels" a task that is
 * already running.)
 */
final class ParallelRunner {

    /** The work of one run, as numbered items. */
    interface Items {
        int prepItems();

        void prepare(int item);

        int computeItems();

        void compute(int item, int worker);

        /**
         * The fewest consecutive compute items worth claiming at once: items that share data (the input gradient's
         * rows of one plane share strips) ask for more than the default; claims stay at most a quarter of a worker's
         * share, so the shares still balance.
         */
        default int itemsPerClaim() {
            return 1;
        }
    }

    /** Claims per worker and run: few enough to keep the claims cheap, enough that the shares stay balanced. */
    static final int CLAIMS_PER_WORKER = 64;

    private static final int PENDING = 0;
    private static final int STARTED = 1;
    private static final int CANCELLED = 2;

    /** The per-run state: claim counters and the compute items each worker did. One per concurrent run. */
    static final class Progress {
        final AtomicInteger prepNext = new AtomicInteger();
        final AtomicInteger prepDone = new AtomicInteger();
        final AtomicInteger next = new AtomicInteger();
        volatile boolean aborted;
        /** Tests set this so the caller waits until every helper has started: then every worker computes items. */
        boolean waitForHelpers;
        /** Compute items per worker in the last run; each slot written by its own worker, read after the joins. */
        final int[] computedBy;
        /** Workers of the last run. */
        int workers;
        /** The helper task of each worker slot, reused by the next run once it has finished. */
        final Helper[] helpers;

        Progress(int workers) {
            computedBy = new int[workers];
            helpers = new Helper[workers];
        }
    }

    /**
     * One helper's part of one run. It works only if it can move its state from pending to started; the caller
     * moves a still-pending one to cancelled. A cancelled helper may still sit in the pool's queue (it will do
     * nothing when it runs), so a slot gets a fresh helper when its last one has not finished; otherwise the next
     * run reuses it, and steady runs allocate nothing.
     */
    private static final class Helper extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        final AtomicInteger state = new AtomicInteger();
        /** Set when a started helper has finished its work; {@link #failure} is then what it threw, if anything. */
        volatile boolean finished;
        transient Throwable failure;
        private transient int worker;
        private transient int workers;
        private transient Progress progress;
        private transient Items items;

        @Override
        protected void compute() {
            Progress p = progress;
            Items i = items;
            progress = null;
            items = null;
            if (state.compareAndSet(PENDING, STARTED)) {
                try {
                    work(worker, workers, p, i);
                } catch (RuntimeException | Error e) {
                    failure = e;
                } finally {
                    finished = true;
                }
            }
        }
    }

    private final int maxWorkers;
    private final ForkJoinPool pool;

    /** @param maxWorkers the most threads one run uses, the caller included */
    ParallelRunner(int maxWorkers) {
        this.maxWorkers = maxWorkers;
        this.pool = maxWorkers > 1 ? SharedPools.forHelpers(maxWorkers - 1) : null;
    }

    int maxWorkers() {
        return maxWorkers;
    }

    /**
     * Runs {@code items} on {@code workers} threads (the caller and {@code workers - 1} helpers; at most
     * {@link #maxWorkers()} and at most the number of compute items).
     */
    void run(Progress progress, Items items, int workers) {
        progress.prepNext.set(0);
        progress.prepDone.set(0);
        progress.next.set(workers); // items 0..workers-1 are reserved, one per worker
        progress.aborted = false;
        Arrays.fill(progress.computedBy, 0);
        progress.workers = workers;
        if (workers == 1) {
            progress.next.set(0);
            work(0, 1, progress, items);
            return;
        }
        Helper[] helpers = progress.helpers;
        Throwable failure = null;
        int submitted = 1;
        try {
            for (int t = 1; t < workers; t++) {
                Helper h = helpers[t];
                if (h == null || !h.isDone()) {
                    h = new Helper();
                    helpers[t] = h;
                } else {
                    h.reinitialize();
                }
                h.state.set(PENDING);
                h.finished = false;
                h.failure = null;
                h.worker = t;
                h.workers = workers;
                h.progress = progress;
                h.items = items;
                pool.execute(h);
                submitted++;
            }
            if (progress.waitForHelpers) {
                for (int t = 1; t < workers; t++) {
                    while (helpers[t].state.get() == PENDING) {
                        Thread.onSpinWait();
                    }
                }
            }
            work(0, workers, progress, items);
        } catch (RuntimeException | Error e) {
            failure = e;
            progress.aborted = true;
        }
        for (int t = 1; t < submitted; t++) {
            Helper h = helpers[t];
            if (h.state.compareAndSet(PENDING, CANCELLED)) {
                if (failure == null) {
                    try {
                        items.compute(t, 0); // the reserved item of a helper that never started
                        progress.computedBy[0]++;
                    } catch (RuntimeException | Error e) {
                        failure = e;
                        progress.aborted = true;
                    }
                }
                continue;
            }
            // A spin, not join(): the helper is at most one item from done, and joining from outside the pool
            // allocates a wait node on every call.
            while (!h.finished) {
                Thread.onSpinWait();
            }
            if (failure == null && h.failure != null) {
                failure = h.failure;
            }
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure != null) {
            throw (Error) failure;
        }
    }

    /**
     * Items per claim of a run of {@code n} compute items on {@code workers} threads: all of them on one thread; else
     * about {@link #CLAIMS_PER_WORKER} claims per worker, or {@code wanted} items where that is more, as long as
     * each worker still gets at least four claims.
     */
    static int claimRun(int n, int workers, int wanted) {
        if (workers == 1) {
            return n;
        }
        return Math.max(1, Math.max(n / (workers * CLAIMS_PER_WORKER), Math.min(wanted, n / (workers * 4))));
    }

    private static void work(int worker, int workers, Progress progress, Items items) {
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
            if (workers > 1 && worker < n && !progress.aborted) {
                items.compute(worker, worker);
                done++;
            }
            // Runs of items per claim, so the shared counter's cache line crosses between cores a few dozen times
            // per worker rather than once per item (a batch of small volumes has thousands of sub-microsecond items).
            int run = claimRun(n, workers, items.itemsPerClaim());
            for (int start = progress.next.getAndAdd(run); start >= 0 && start < n && !progress.aborted;
                    start = progress.next.getAndAdd(run)) { // start < 0: the counter ran past Integer.MAX_VALUE
                for (int i = start, end = (int) Math.min(n, (long) start + run); i < end && !progress.aborted; i++) {
                    items.compute(i, worker);
                    done++;
                }
            }
            progress.computedBy[worker] += done;
        } catch (RuntimeException | Error e) {
            progress.aborted = true;
            throw e;
        }
    }
}
