package org.deconv3d.cuda;

/**
 * Times of one cuda call (the forward or a gradient), from {@link CudaDeconv3d#lastTimings}.
 *
 * @param kernelMillis the call's kernel launches, measured on the device with CUDA events
 * @param totalMillis  the whole run as the caller sees it: copies in, kernels, copies out, layout transposes
 */
public record CudaTimings(double kernelMillis, double totalMillis) {
}
