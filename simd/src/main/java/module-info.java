/**
 * The {@code simd} backend: a {@code jdk.incubator.vector} kernel. Available only when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}; otherwise it says so and selection falls back to the reference.
 */
module org.deconv3d.simd {
    requires org.deconv3d.core;
    requires static jdk.incubator.vector;
    provides org.deconv3d.Deconv3dProvider with org.deconv3d.simd.SimdProvider;
}
