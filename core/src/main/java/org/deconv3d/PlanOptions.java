package org.deconv3d;

/**
 * How a plan may use the machine: CPU threads, and a cap on the working memory of one run. Immutable.
 *
 * <pre>{@code
 * PlanOptions options = PlanOptions.defaults().threads(2).workspaceCap(256L << 20);   // 2 threads, 256 MiB
 * try (Deconv3dPlan plan = Backends.select(problem).plan(problem, filter, bias, options)) {
 *     plan.run(x, 0, y, 0, 64);   // a batch whose working memory would pass the cap runs in smaller chunks
 * }
 * }</pre>
 *
 * @param threads       CPU threads one run may use (backends that compute elsewhere ignore it)
 * @param workspaceCap  the most bytes of working memory one run may hold ({@link Deconv3dPlan#workspaceBytes(int)});
 *                      a run that would need more computes its batch in chunks that fit, and one sample that does not
 *                      fit is an {@link IllegalStateException} naming both figures
 */
public record PlanOptions(int threads, long workspaceCap) {

    public PlanOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads is " + threads + ": it must be at least 1; use 1 or more");
        }
        if (workspaceCap < 0) {
            throw new IllegalArgumentException("workspace cap is " + workspaceCap + " bytes: use 0 or more"
                    + " (Long.MAX_VALUE for no cap)");
        }
    }

    /** All available processors, no cap. */
    public static PlanOptions defaults() {
        return new PlanOptions(Runtime.getRuntime().availableProcessors(), Long.MAX_VALUE);
    }

    public PlanOptions threads(int n) {
        return new PlanOptions(n, workspaceCap);
    }

    public PlanOptions workspaceCap(long bytes) {
        return new PlanOptions(threads, bytes);
    }
}
