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
        // Each gradient element is a sum of products, often cancelling (leaky relu's slope against integers), so
        // float rounding is judged against the sum of the products' magnitudes, not the (possibly tiny) result:
        // the reference on |dy|, |x| and |w| gives that bound per element.
        float[] dyAbs = abs(dy);
        float[] dxAbs = new float[p.inputLength()];
        float[] dwAbs = new float[p.filterLength()];
        float[] dbAbs = new float[p.outChannels()];
        try (Deconv3dPlan magnitude = new ReferenceDeconv3d().plan(p, abs(c.filter()), c.bias())) {
            magnitude.backwardInput(dyAbs, y, dxAbs);
            magnitude.backwardWeights(abs(c.input()), dyAbs, y, dwAbs, dbAbs);
        }
        String who = plan.backend() + " gradient";
        // A leaky relu's slope makes dy * act'(y) inexact in float (the reference keeps it in double): no exact tier.
        boolean exact = p.activation().kind() != org.deconv3d.Activation.Kind.LEAKY_RELU && CrossCheck.exact(c);
        String scale = "the largest sum of |products|";
        CrossCheck.assertWithin(who + " of the input", c, exact, dxRef, dx, CrossCheck.largestFinite(dxAbs), scale);
        CrossCheck.assertWithin(who + " of the filter", c, exact, dwRef, dw, CrossCheck.largestFinite(dwAbs), scale);
        CrossCheck.assertWithin(who + " of the bias", c, exact, dbRef, db, CrossCheck.largestFinite(dbAbs), scale);
    }

    private static float[] abs(float[] v) {
        float[] a = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = Math.abs(v[i]);
        }
        return a;
    }
}
