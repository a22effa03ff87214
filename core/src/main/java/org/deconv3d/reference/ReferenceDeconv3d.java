package org.deconv3d.reference;

import org.deconv3d.AbstractPlan;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;

/** The reference backend: plans that run {@link ReferenceKernel}. Takes every valid problem. */
public final class ReferenceDeconv3d implements Deconv3d {

    /** For {@link java.util.ServiceLoader} and direct use; cheap, touches nothing. */
    public ReferenceDeconv3d() {
    }

    @Override
    public String name() {
        return ReferenceProvider.NAME;
    }

    @Override
    public Deconv3dPlan plan(Deconv3dProblem problem, float[] filter, float[] bias) {
        Deconv3d.requirePlanArguments(problem, filter, bias);
        return new ReferencePlan(problem, filter.clone(), bias == null ? null : bias.clone());
    }

    /** A plan over private copies of the filter and bias. */
    private static final class ReferencePlan extends AbstractPlan {
        private final float[] filter;
        private final float[] bias;

        ReferencePlan(Deconv3dProblem problem, float[] filter, float[] bias) {
            super(problem, ReferenceProvider.NAME);
            this.filter = filter;
            this.bias = bias;
        }

        @Override
        protected void compute(float[] input, int inputOffset, float[] output, int outputOffset, int batch) {
            ReferenceKernel.compute(problem(), input, inputOffset, filter, bias, output, outputOffset, batch);
        }

        @Override
        protected float[] filter() {
            return filter;
        }
    }
}
