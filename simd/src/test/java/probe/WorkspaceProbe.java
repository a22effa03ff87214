package probe;

import org.deconv3d.Backends;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;

/**
 * Run in a child JVM with a small heap: a simd run whose workspace does not fit must fail with a clear
 * IllegalStateException (not an OutOfMemoryError) and leave the output untouched; the reference then succeeds.
 */
public final class WorkspaceProbe {

    private WorkspaceProbe() {
    }

    public static void main(String[] args) {
        // NCDHW input of 12.6 M floats (48 MiB): the simd plan's channels-last copy needs as much again.
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 16, 1, 1024, 768}, new int[] {1, 1, 1, 1, 16})
                .dataFormat(Layout.NCDHW).build();
        float[] x = new float[p.inputLength()];
        java.util.Arrays.fill(x, 1f);
        float[] w = new float[p.filterLength()];
        java.util.Arrays.fill(w, 0.5f);
        float[] y = new float[p.outputLength()];
        java.util.Arrays.fill(y, 7f);
        try (Deconv3dPlan plan = Backends.named("simd").plan(p, w, null, 1)) {
            System.out.println("simd workspace bytes " + plan.workspaceBytes());
            plan.run(x, y);
            System.out.println("simd ran");
        } catch (IllegalStateException e) {
            boolean untouched = true;
            for (float v : y) {
                untouched &= v == 7f;
            }
            System.out.println("simd refused: " + e.getMessage() + " untouched=" + untouched);
        }
        try (Deconv3dPlan plan = Backends.named("reference").plan(p, w, null)) {
            plan.run(x, y);
            System.out.println("reference ran: y[0]=" + y[0]);
        }
    }
}
