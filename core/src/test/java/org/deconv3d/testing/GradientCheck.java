package org.deconv3d.testing;

import java.util.Random;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.reference.ReferenceDeconv3d;
import org.deconv3d.reference.ReferenceKernel;

/**
 * Any backend's gradients against the reference plan's on one case: the input gradient, the filter gradient and
 * the bias gradient for an output gradient drawn from the case's seed (small integers, so integer cases compare
 * exactly).
 */
public final class GradientCheck {

    private GradientCheck() {
    }

    /** Checks {@code plan} (made for {@code c}'s problem, filter and bias) against the reference. */
    public static void check(Deconv3dPlan plan, Case c) {
        Deconv3dProblem p = c.problem();
        if (!p.activation().hasDerivativeFromOutput()) {
            return;
        }
        float[] y = new float[p.outputLength()];
        ReferenceKernel.compute(p, c.input(), c.filter(), c.bias(), y);
        float[] dy = RandomProblems.smallIntegers(new Random(c.seed() * 13 + 5), p.outputLength());
        float[] dx = new float[p.inputLength()];
        float[] dw = new float[p.filterLength()];
        float[] db = new float[p.outChannels()];
        float[] dxRef = new float[p.inputLength()];
        float[] dwRef = new float[p.filterLength()];
        float[] dbRef = new float[p.outChannels()];
        plan.backwardInput(dy, y, dx);
        plan.backwardWeights(c.input(), dy, y, dw, db);
        try (Deconv3dPlan reference = new ReferenceDeconv3d().plan(p, c.filter(), c.bias())) {
            reference.backwardInput(dy, y, dxRef);
            reference.backwardWeights(c.input(), dy, y, dwRef, dbRef);
        }
        String who = plan.backend() + " gradient";
        // A leaky relu's slope makes dy * act'(y) inexact in float (the reference keeps it in double): no exact tier.
        Case compared = p.activation().kind() == org.deconv3d.Activation.Kind.LEAKY_RELU
                ? new Case(c.seed(), p, c.input(), c.filter(), c.bias(), false, c.recipe()) : c;
        SlicesCheck.compare(compared, dxRef, dx, who + " of the input");
        SlicesCheck.compare(compared, dwRef, dw, who + " of the filter");
        SlicesCheck.compare(compared, dbRef, db, who + " of the bias");
    }
}
