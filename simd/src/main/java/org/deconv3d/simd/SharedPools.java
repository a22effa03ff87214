package org.deconv3d.simd;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The helper threads of every simd plan in the JVM: one pool per helper count, made on first use and shared by all
 * plans that use that count. So a plan owns no threads: an unclosed plan leaks nothing but memory the garbage
 * collector takes back, and idle helpers end after the pool's keep-alive (60 s) and come back on demand. The
 * threads are daemons named {@code deconv3d-simd-N}, so they never keep a JVM alive.
 */
final class SharedPools {

    private static final ConcurrentHashMap<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();
    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    private SharedPools() {
    }

    /** The shared pool with {@code helpers} threads. */
    static ForkJoinPool forHelpers(int helpers) {
        return POOLS.computeIfAbsent(helpers, h -> new ForkJoinPool(h, pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("deconv3d-simd-" + THREAD_NUMBER.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, null, false));
    }
}
