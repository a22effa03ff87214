package org.deconv3d.cuda;

import java.util.ArrayList;
import java.util.List;
import org.deconv3d.AbstractPlan;
import org.deconv3d.Deconv3dProblem;

/**
 * A cuda plan: device buffers for geometry, packed weights, bias, input and output, allocated and filled once.
 *
 * <p>Thread-safe: runs are serialized, because the plan's device buffers serve one run at a time; {@code close}
 * waits for the run in progress ({@link AbstractPlan}). {@link #lastTimings()} reports the last run's kernel time (device events) and its end-to-end time,
 * which includes the host-to-device and device-to-host copies and any layout transposition.
 */
final class CudaPlan extends AbstractPlan {

    private final Device device;
    private final Deconv3dProblem problem;
    private final Object deviceLock = new Object();
    private final List<Device.Buffer> allocations = new ArrayList<>();
    private final List<Device.Prepared> kernels = new ArrayList<>();
    private final Device.Buffer x;
    private final Device.Buffer y;
    private final float[] inputScratch;
    private final float[] outputScratch;
    private volatile CudaTimings last;
    /** The filter as given (a copy), for the gradients. */
    private final float[] filter;

    CudaPlan(Device device, Deconv3dProblem problem, float[] filter, float[] bias) {
        super(problem, CudaProvider.NAME);
        this.device = device;
        this.problem = problem;
        this.filter = filter.clone();
        try {
            int[] geometry = CudaGeometry.geometry(problem, bias != null);
            Device.Buffer g = allocate(4L * geometry.length, "geometry");
            device.upload(g, geometry, "geometry");
            float[] packed = CudaGeometry.packWeights(problem, filter);
            Device.Buffer w = allocate(4L * packed.length, "weights");
            device.upload(w, packed, "weights");
            float[] b = bias == null ? new float[1] : bias;
            Device.Buffer bd = allocate(4L * b.length, "bias");
            device.upload(bd, b, "bias");
            x = allocate(4L * problem.inputLength(), "input");
            y = allocate(4L * problem.outputLength(), "output");
            for (CudaGeometry.Launch l : CudaGeometry.launches(problem)) {
                kernels.add(device.prepare(l, g, x, w, bd, y));
            }
        } catch (RuntimeException e) {
            freeAll();
            throw e;
        }
        inputScratch = new float[problem.inputLength()];
        outputScratch = new float[problem.outputLength()];
    }

    private Device.Buffer allocate(long bytes, String what) {
        Device.Buffer b = device.allocate(bytes, what);
        allocations.add(b);
        return b;
    }

    @Override
    public long workspaceBytes() {
        return 4L * (inputScratch.length + outputScratch.length);
    }

    @Override
    public long workspaceBytes(int batch) {
        return workspaceBytes(); // runs of any batch go through the plan's buffers in chunks of its batch
    }

    @Override
    protected void compute(float[] input, int inputOffset, float[] output, int outputOffset, int batch) {
        synchronized (deviceLock) {
            // The device buffers hold the plan's batch: larger runs go in chunks of it, smaller ones use its start.
            int chunk = problem.batch();
            int perIn = problem.inputLengthPerSample();
            int perOut = problem.outputLengthPerSample();
            for (int n = 0; n < batch; n += chunk) {
                int m = Math.min(chunk, batch - n);
                computeOnDevice(input, inputOffset + n * perIn, output, outputOffset + n * perOut, m);
            }
        }
    }

    private void computeOnDevice(float[] input, int inputOffset, float[] output, int outputOffset, int samples) {
        long t0 = System.nanoTime();
        CudaGeometry.toChannelsLast(problem, input, inputOffset, samples, inputScratch);
        device.upload(x, inputScratch, "input");
        device.startTimer();
        for (Device.Prepared k : kernels) {
            device.launch(k);
        }
        float kernelMillis = device.stopTimer();
        // Into scratch first: if anything on the device failed, the caller's output is untouched.
        device.download(outputScratch, y, "output");
        CudaGeometry.fromChannelsLast(problem, outputScratch, samples, output, outputOffset);
        last = new CudaTimings(kernelMillis, (System.nanoTime() - t0) / 1e6);
    }

    /** The timings of the last completed run, or null before the first. */
    CudaTimings lastTimings() {
        return last;
    }

    @Override
    protected void release() {
        freeAll();
    }

    private void freeAll() {
        RuntimeException first = null;
        for (Device.Buffer b : allocations) {
            try {
                device.free(b);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        allocations.clear();
        kernels.clear();
        device.release();
        if (first != null) {
            throw first;
        }
    }

    @Override
    protected float[] filter() {
        return filter;
    }
}
