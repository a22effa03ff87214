package org.deconv3d;

/**
 * The service through which backends are found, with {@link java.util.ServiceLoader}. A provider must be cheap
 * to construct and must never throw from {@link #availability()}: a missing driver or module is reported as a
 * reason, not an exception.
 *
 * <p>Register an implementation in {@code module-info.java} ({@code provides org.deconv3d.Deconv3dProvider with
 * ...}) and in {@code META-INF/services/org.deconv3d.Deconv3dProvider} for the class path.
 */
public interface Deconv3dProvider {

    /** Unique lower-case name, e.g. {@code reference}, {@code simd}, {@code cuda}. */
    String name();

    /** Higher is preferred when several are available (reference 0, simd 100, cuda 200). */
    int priority();

    /** Whether this backend can run here; computed once and cached by well-behaved providers. */
    Availability availability();

    /**
     * The backend.
     *
     * @throws IllegalStateException if it is not available, with {@link #availability()}'s reason
     */
    Deconv3d create();
}
