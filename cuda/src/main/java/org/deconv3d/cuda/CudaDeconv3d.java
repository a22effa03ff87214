package org.deconv3d.cuda;

import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;

/**
 * The {@code cuda} backend. A plan uploads the packed weights and bias once and keeps device buffers for the
 * input and output; {@code close()} frees them.
 *
 * <pre>{@code
 * try (Deconv3dPlan plan = Backends.named("cuda").plan(problem, filter, bias)) {
 *     plan.run(x, y);   // includes the host-to-device and device-to-host copies
 * }
 * }</pre>
 */
public final class CudaDeconv3d implements Deconv3d {

    private final CudaContext context;

    CudaDeconv3d(CudaContext context) {
        this.context = context;
    }

    @Override
    public String name() {
        return CudaProvider.NAME;
    }

    /** The GPU this backend runs on, e.g. {@code NVIDIA H100 (compute 9.0, driver CUDA 13.0)}. */
    public String device() {
        return context.description;
    }

    @Override
    public Deconv3dPlan plan(Deconv3dProblem problem, float[] filter, float[] bias) {
        Deconv3d.requirePlanArguments(problem, filter, bias);
        return new CudaPlan(new JCudaDevice(context), problem, filter, bias);
    }

    /**
     * The device and end-to-end times of the last call of a cuda plan ({@code run}, {@code backwardInput} or
     * {@code backwardWeights}; null before the first), for benchmarks: end-to-end includes the host-to-device and
     * device-to-host copies.
     *
     * @throws IllegalArgumentException if {@code plan} was not made by this backend
     */
    public static CudaTimings lastTimings(Deconv3dPlan plan) {
        if (!(plan instanceof CudaPlan)) {
            throw new IllegalArgumentException("not a cuda plan: " + (plan == null ? "null" : plan.backend()));
        }
        return ((CudaPlan) plan).lastTimings();
    }
}
