package org.deconv3d.simd;

import org.deconv3d.Availability;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.PlanOptions;

/**
 * The {@code simd} backend. Plans pack the filter once and run on {@code threads} CPU threads (default: all
 * available processors); the result is bitwise the same for any thread count.
 *
 * <pre>{@code
 * Deconv3d simd = Backends.named("simd");          // needs --add-modules jdk.incubator.vector
 * try (Deconv3dPlan plan = simd.plan(problem, filter, bias, 2)) {
 *     plan.run(x, y);
 * }
 * }</pre>
 */
public final class SimdDeconv3d implements Deconv3d {

    SimdDeconv3d() {
    }

    @Override
    public String name() {
        return SimdProvider.NAME;
    }

    @Override
    public Deconv3dPlan plan(Deconv3dProblem problem, float[] filter, float[] bias) {
        return plan(problem, filter, bias, Runtime.getRuntime().availableProcessors());
    }

    @Override
    public Availability supports(Deconv3dProblem problem) {
        if (problem == null) {
            return Availability.no("no problem given");
        }
        return Schedule.declineReason(problem, SimdKernel.L).map(Availability::no).orElse(Availability.yes());
    }

    @Override
    public Deconv3dPlan plan(Deconv3dProblem problem, float[] filter, float[] bias, int threads) {
        return plan(problem, filter, bias, threads, SimdPlan.SMALL_FLOPS);
    }

    @Override
    public Deconv3dPlan plan(Deconv3dProblem problem, float[] filter, float[] bias, PlanOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options is null: use PlanOptions.defaults()");
        }
        requirePlanArgumentsAndSupport(problem, filter, bias);
        return new SimdPlan(problem, filter, bias, options.threads(), SimdPlan.SMALL_FLOPS, options.workspaceCap());
    }

    /** As {@link #plan(Deconv3dProblem, float[], float[], int)}; tests lower {@code parallelFlops} to force threads. */
    SimdPlan plan(Deconv3dProblem problem, float[] filter, float[] bias, int threads, long parallelFlops) {
        requirePlanArgumentsAndSupport(problem, filter, bias);
        if (threads < 1) {
            throw new IllegalArgumentException("threads is " + threads + ": it must be at least 1; use 1 or more");
        }
        return new SimdPlan(problem, filter, bias, threads, parallelFlops, Long.MAX_VALUE);
    }
}
