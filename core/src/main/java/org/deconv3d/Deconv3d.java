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
     * Binds a problem to its filter and optional bias. The plan copies (or uploads) what it needs, so later changes
     * to {@code filter} or {@code bias} do not affect it.
     *
     * @param filter {@code problem.filterLength()} values in {@code problem.filterLayout()}
     * @param bias   {@code problem.outChannels()} values, or null for none
     * @throws IllegalArgumentException if an argument does not fit the problem
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
            throw new IllegalArgumentException("threads is " + threads + ": it must be at least 1");
        }
        return plan(problem, filter, bias);
    }

    /** One-shot convenience: plan, run once, close. */
    default void compute(Deconv3dProblem problem, float[] input, float[] filter, float[] bias, float[] output) {
        requirePlanArguments(problem, filter, bias);
        problem.requireInput(input);
        problem.requireOutput(output);
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
}
