package org.deconv3d.testing;

import java.util.Random;
import org.deconv3d.Deconv3dProblem;

/**
 * One problem with its data, and the Java expression that rebuilds exactly this case ({@link #replay()}).
 *
 * @param seed     the seed the data (and, for drawn cases, the problem) came from
 * @param problem  the problem
 * @param input    input values (never all zero)
 * @param filter   filter values (never all zero)
 * @param bias     bias values, or null
 * @param integers whether the data are small integers, so every sum is exact in fp32 and backends must agree
 *                 with the reference exactly (where the activation is exact too)
 * @param recipe   a Java expression that returns this case
 */
public record Case(long seed, Deconv3dProblem problem, float[] input, float[] filter, float[] bias,
        boolean integers, String recipe) {

    /**
     * A hand-built problem with data drawn from {@code dataSeed}: random floats in [-1, 1), or small integers.
     * The recipe rebuilds the problem from its description, so a replay gives this exact case.
     */
    public static Case of(Deconv3dProblem p, long dataSeed, boolean withBias, boolean integers) {
        Random r = new Random(dataSeed);
        float[] x = integers ? RandomProblems.smallIntegers(r, p.inputLength()) : RandomProblems.values(r, p.inputLength());
        float[] w = integers ? RandomProblems.smallIntegers(r, p.filterLength())
                : RandomProblems.values(r, p.filterLength());
        float[] b = !withBias ? null : integers ? RandomProblems.smallIntegers(r, p.outChannels())
                : RandomProblems.values(r, p.outChannels());
        String recipe = "Case.of(ProblemText.parse(\"" + p.describe() + "\"), " + dataSeed + "L, " + withBias + ", "
                + integers + ")";
        return new Case(dataSeed, p, x, w, b, integers, recipe);
    }

    /** This case with another input; {@code how} says how it was derived, for the recipe. */
    public Case withInput(float[] newInput, String how) {
        return new Case(seed, problem, newInput, filter, bias, false, recipe + " /* then " + how + " */");
    }

    /** This case with another filter; {@code how} says how it was derived, for the recipe. */
    public Case withFilter(float[] newFilter, String how) {
        return new Case(seed, problem, input, newFilter, bias, false, recipe + " /* then " + how + " */");
    }

    /** A line naming the problem and the expression that rebuilds this exact case. */
    public String replay() {
        return "case " + problem.describe() + (bias == null ? "" : " +bias") + (integers ? " (integer data)" : "")
                + " (replay: " + recipe + ")";
    }
}
