package org.deconv3d.reference;

import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;

/** The reference backend: plans that run {@link ReferenceKernel}. */
public final class ReferenceDeconv3d implements Deconv3d {

    @Override
    public String name() {
        return ReferenceProvider.NAME;
    }

    @Override
    public Deconv3dPlan plan(Deconv3dProblem problem, float[] filter, float[] bias) {
        Deconv3d.requirePlanArguments(problem, filter, bias);
        return new ReferencePlan(problem, filter.clone(), bias == null ? null : bias.clone());
    }

    /** A plan over private copies of the filter and bias; immutable apart from the closed flag. */
    private static final class ReferencePlan implements Deconv3dPlan {
        private final Deconv3dProblem problem;
        private final float[] filter;
        private final float[] bias;
        private volatile boolean closed;

        ReferencePlan(Deconv3dProblem problem, float[] filter, float[] bias) {
            this.problem = problem;
            this.filter = filter;
            this.bias = bias;
        }

        @Override
        public Deconv3dProblem problem() {
            return problem;
        }

        @Override
        public String backend() {
            return ReferenceProvider.NAME;
        }

        @Override
        public void run(float[] input, float[] output) {
            if (closed) {
                throw new IllegalStateException("this reference plan is closed: make a new plan with Deconv3d.plan(...)");
            }
            problem.requireInput(input);
            problem.requireOutput(output);
            ReferenceKernel.compute(problem, input, filter, bias, output);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
