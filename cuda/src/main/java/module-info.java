/**
 * The {@code cuda} backend: a JCuda-driven kernel for NVIDIA GPUs. Unavailable, with the reason, wherever the
 * driver, a device or the JCuda natives are missing.
 */
module org.deconv3d.cuda {
    requires org.deconv3d.core;
    requires jcuda;
    exports org.deconv3d.cuda;
    provides org.deconv3d.Deconv3dProvider with org.deconv3d.cuda.CudaProvider;
}
