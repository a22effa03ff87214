package org.deconv3d.testing;

/**
 * The base seed of a randomized test run: fresh each run, fixed with {@code -Ddeconv3d.seed=N} to replay, and
 * always printed so a failure in CI can be reproduced.
 */
public final class TestSeeds {

    /** System property that fixes the seed. */
    public static final String PROPERTY = "deconv3d.seed";

    private TestSeeds() {
    }

    /** The base seed for {@code testName}, printed to standard output. */
    public static long base(String testName) {
        String fixed = System.getProperty(PROPERTY);
        long seed = fixed != null && !fixed.isBlank() ? Long.parseLong(fixed.trim()) : System.nanoTime() ^ 0x5DEECE66DL;
        System.out.println(testName + ": seed " + seed + " (replay with -D" + PROPERTY + "=" + seed + ")");
        return seed;
    }
}
