package org.deconv3d;

/**
 * A backend that computes 3D transposed convolutions. Obtain one from {@link Backends#select()} (the best available
 * here) or {@link Backends#named(String)}; implement one by shipping a {@link Deconv3dProvider}.
 *
 * <pre>{@code
 * Deconv3d backend = Backends.select();
 * float[] y = new float[problem.outputLength()];
 * backend.compute(problem, x, filter, null, y);
 * }</pre>
 */
public interface Deconv3d {

    /** The backend's name, as used by {@code deconv3d.backend}. */
    String name();

    /**
     * Whether this backend takes {@code problem}, and if not, why (e.g. a working buffer larger than a Java array).
     * {@link Backends#select(Deconv3dProblem)} skips a backend that declines and uses the next one, so a problem
     * one backend cannot do well still runs. The default takes every problem.
     */
    default Availability supports(Deconv3dProblem problem) {
        return Availability.yes();
    }

    /**
     * Binds a problem to its filter and optional bias. The plan copies (or uploads) what it needs, so later changes
     * to {@code filter} or {@code bias} do not affect it.
     *
     * @param filter {@code problem.filterLength()} values in {@code problem.filterLayout()}
     * @param bias   {@code problem.outChannels()} values, or null for none
     * @throws IllegalArgumentException if an argument does not fit the problem, or this backend declines the
     *                                  problem ({@link #supports}; {@link Backends#select(Deconv3dProblem)} finds
     *                                  one that takes it)
     */
    Deconv3dPlan plan(Deconv3dProblem problem, float[] filter, float[] bias);

    /**
     * As {@link #plan(Deconv3dProblem, float[], float[])}, with the number of CPU threads one {@code run} may use.
     * Backends that do not compute on CPU threads (the reference, a GPU) ignore it.
     *
     * @param threads at least 1; {@link Runtime#availableProcessors()} is the default of multi-threaded backends
     */
    default Deconv3dPlan plan(Deconv3dProblem problem, float[] filter, float[] bias, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads is " + threads + ": it must be at least 1; use 1 or more");
        }
        return plan(problem, filter, bias);
    }

    /**
     * As {@link #plan(Deconv3dProblem, float[], float[])}, with {@link PlanOptions}: threads and a cap on the
     * working memory of one run. Backends without working memory or threads of their own use the default, which
     * applies the threads and checks the cap against {@link Deconv3dPlan#workspaceBytes(int)} of one sample.
     *
     * @throws IllegalStateException if even one sample needs more working memory than the cap, naming both
     */
    default Deconv3dPlan plan(Deconv3dProblem problem, float[] filter, float[] bias, PlanOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options is null: use PlanOptions.defaults()");
        }
        Deconv3dPlan plan = plan(problem, filter, bias, options.threads());
        long one = plan.workspaceBytes(1);
        if (one > options.workspaceCap()) {
            plan.close();
            throw new IllegalStateException("backend '" + name() + "' needs " + one + " bytes of working memory for"
                    + " one sample of " + problem.describe() + ", more than the cap of " + options.workspaceCap()
                    + " bytes: raise the cap to at least " + one + ", or use a backend that needs less"
                    + " (the reference needs none)");
        }
        return plan;
    }

    /** One-shot convenience: plan, run once, close. */
    default void compute(Deconv3dProblem problem, float[] input, float[] filter, float[] bias, float[] output) {
        requirePlanArguments(problem, filter, bias);
        problem.requireRunArguments(input, output);
        try (Deconv3dPlan plan = plan(problem, filter, bias)) {
            plan.run(input, output);
        }
    }

    /**
     * The checks every {@link #plan} starts with: a problem, a filter of its length, and a bias of {@code Cout}
     * values or none.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static void requirePlanArguments(Deconv3dProblem problem, float[] filter, float[] bias) {
        if (problem == null) {
            throw new IllegalArgumentException("problem is null: build one with Deconv3dProblem.tensorflow(...) or .pytorch(...)");
        }
        problem.requireFilter(filter);
        problem.requireBias(bias);
    }

    /**
     * {@link #requirePlanArguments}, then this backend's {@link #supports} verdict: a declined problem is an
     * {@link IllegalArgumentException} with the backend's reason.
     */
    default void requirePlanArgumentsAndSupport(Deconv3dProblem problem, float[] filter, float[] bias) {
        requirePlanArguments(problem, filter, bias);
        Availability support = supports(problem);
        if (!support.available()) {
            throw new IllegalArgumentException("backend '" + name() + "' declines this problem: " + support.reason()
                    + ". Backends.select(problem) picks a backend that takes it (the reference takes every problem)");
        }
    }
}
