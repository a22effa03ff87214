package org.deconv3d.spark;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;

/**
 * One plan per executor JVM and job: made by the first task that needs it (packing the broadcast weights once),
 * then shared by every later task of that JVM. Plans are thread-safe and own no threads, so concurrent tasks share
 * one, and the cache needs no cleanup while the executor lives.
 */
final class ExecutorPlans {

    private static final ConcurrentHashMap<String, Deconv3dPlan> PLANS = new ConcurrentHashMap<>();
    private static final AtomicInteger MADE = new AtomicInteger();

    private ExecutorPlans() {
    }

    /**
     * The plan of {@code problem} (a {@link Deconv3dProblem#describe()} line) with the weights of broadcast
     * {@code weightsId}, made on first use with {@code threads} CPU threads per run.
     */
    static Deconv3dPlan get(String problem, long weightsId, float[] filter, float[] bias, int threads) {
        return PLANS.computeIfAbsent(problem + " #" + weightsId, key -> {
            MADE.incrementAndGet();
            Deconv3dProblem p = Deconv3dProblem.parse(problem);
            return Backends.select(p).plan(p, filter, bias, threads);
        });
    }

    /** Plans made in this JVM so far (tests check that it is one per job, not one per task). */
    static int made() {
        return MADE.get();
    }
}
