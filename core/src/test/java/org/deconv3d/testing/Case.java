package org.deconv3d.testing;

import org.deconv3d.Deconv3dProblem;

/**
 * One random problem with its data. {@link #replay()} says how to run it again.
 *
 * @param seed    the seed this case was drawn from
 * @param problem the problem
 * @param input   input values (never all zero)
 * @param filter  filter values (never all zero)
 * @param bias    bias values, or null
 */
public record Case(long seed, Deconv3dProblem problem, float[] input, float[] filter, float[] bias) {

    /** A line naming the problem and the seed that reproduces it. */
    public String replay() {
        return "case seed " + seed + ": " + problem.describe() + (bias == null ? "" : " +bias")
                + " (replay: RandomProblems.draw(" + seed + "L))";
    }
}
