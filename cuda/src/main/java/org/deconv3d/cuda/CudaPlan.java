package org.deconv3d.cuda;

import java.util.ArrayList;
import java.util.List;
import org.deconv3d.AbstractPlan;
import org.deconv3d.Deconv3dProblem;

/**
 * A cuda plan: device buffers for geometry, packed weights, bias, input and output, allocated and filled once.
 *
 * <p>Thread-safe: runs are serialized, because the plan's device buffers serve one run at a time; {@code close}
 * waits for the run in progress ({@link AbstractPlan}). {@link #lastTimings()} reports the last call's kernel time (device events; the forward's, or a
 * gradient's launches) and its end-to-end time, which includes the host-to-device and device-to-host copies and any layout transposition.
 */
final class CudaPlan extends AbstractPlan {

    private final Device device;
    private final Deconv3dProblem problem;
    private final Object deviceLock = new Object();
    private final List<Device.Buffer> allocations = new ArrayList<>();
    private final Device.Prepared forward;
    /** Adds a split forward's partial sums (null when the forward is not split). */
    private final Device.Prepared forwardFinish;
    private final Device.Buffer geometry;
    private final Device.Buffer weights;
    private final Device.Buffer x;
    private final Device.Buffer y;
    /** The gradients' device buffers and launches, made on the first gradient call (null before). */
    private Device.Buffer gradOut;
    private Device.Buffer gradFilter;
    private Device.Buffer gradBias;
    private Device.Prepared scale;
    private Device.Prepared inputGradient;
    private Device.Prepared inputGradientReduce;
    private Device.Prepared filterGradient;
    private Device.Prepared reduce;
    private Device.Prepared biasGradient;
    private Device.Prepared biasReduce;
    private float[] filterScratch;
    private float[] biasScratch;
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
            int[] geometryArray = CudaGeometry.geometry(problem, bias != null);
            Device.Buffer g = allocate(4L * geometryArray.length, "geometry");
            geometry = g;
            device.upload(g, geometryArray, "geometry");
            float[] packed = CudaGeometry.packWeights(problem, filter);
            Device.Buffer w = allocate(4L * packed.length, "weights");
            weights = w;
            device.upload(w, packed, "weights");
            float[] b = bias == null ? new float[1] : bias;
            Device.Buffer bd = allocate(4L * b.length, "bias");
            device.upload(bd, b, "bias");
            int[] phaseTable = CudaGeometry.phaseTable(problem);
            Device.Buffer phases = allocate(4L * phaseTable.length, "phase table");
            device.upload(phases, phaseTable, "phase table");
            x = allocate(4L * problem.inputLength(), "input");
            y = allocate(4L * problem.outputLength(), "output");
            CudaGeometry.Call call = CudaGeometry.forwardCall(problem, phaseTable);
            int splits = CudaGeometry.forwardSplit(problem, phaseTable)[0];
            if (splits > 1) {
                Device.Buffer partial = allocate(4L * splits * problem.outputLength(), "partial outputs");
                forward = device.prepare(call, g, phases, x, w, bd, partial);
                forwardFinish = device.prepare(CudaGeometry.forwardFinishCall(problem, splits), g, partial, bd, y);
            } else {
                forward = device.prepare(call, g, phases, x, w, bd, y);
                forwardFinish = null;
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
        device.launch(forward);
        if (forwardFinish != null) {
            device.launch(forwardFinish);
        }
        float kernelMillis = device.stopTimer();
        // Into scratch first: if anything on the device failed, the caller's output is untouched.
        device.download(outputScratch, y, "output");
        CudaGeometry.fromChannelsLast(problem, outputScratch, samples, output, outputOffset);
        last = new CudaTimings(kernelMillis, (System.nanoTime() - t0) / 1e6);
    }

    @Override
    protected void computeInputGradient(float[] dy, float[] output, float[] dx) {
        synchronized (deviceLock) {
            long t0 = System.nanoTime();
            prepareGradients();
            uploadGradOutput(dy, output);
            device.startTimer();
            device.launch(scale);
            device.launch(inputGradient);
            if (inputGradientReduce != null) {
                device.launch(inputGradientReduce);
            }
            float kernelMillis = device.stopTimer();
            device.download(inputScratch, x, "gradInput"); // the input buffer holds dx here
            CudaGeometry.inputFromChannelsLast(problem, inputScratch, dx);
            last = new CudaTimings(kernelMillis, (System.nanoTime() - t0) / 1e6);
        }
    }

    @Override
    protected void computeWeightGradient(float[] input, float[] dy, float[] output, float[] dw, float[] db) {
        synchronized (deviceLock) {
            long t0 = System.nanoTime();
            prepareGradients();
            CudaGeometry.toChannelsLast(problem, input, 0, problem.batch(), inputScratch);
            device.upload(x, inputScratch, "input");
            uploadGradOutput(dy, output);
            device.startTimer();
            device.launch(scale);
            device.launch(filterGradient);
            device.launch(reduce);
            if (db != null) {
                device.launch(biasGradient);
                device.launch(biasReduce);
            }
            float kernelMillis = device.stopTimer();
            // Into scratch first: if anything on the device failed, the caller's arrays are untouched.
            device.download(filterScratch, gradFilter, "gradFilter");
            if (db != null) {
                device.download(biasScratch, gradBias, "gradBias");
                System.arraycopy(biasScratch, 0, db, 0, db.length);
            }
            CudaGeometry.unpackWeights(problem, filterScratch, dw);
            last = new CudaTimings(kernelMillis, (System.nanoTime() - t0) / 1e6);
        }
    }

    /** {@code dy} into the gradient buffer, and the saved output where the activation's derivative needs it. */
    private void uploadGradOutput(float[] dy, float[] output) {
        CudaGeometry.outputToChannelsLast(problem, dy, outputScratch);
        device.upload(gradOut, outputScratch, "gradOutput");
        if (problem.activation().kind() != org.deconv3d.Activation.Kind.NONE) {
            CudaGeometry.outputToChannelsLast(problem, output, outputScratch);
            device.upload(y, outputScratch, "output");
        }
    }

    /** Allocates the gradients' buffers and binds their launches, once (a failure frees them with the plan). */
    private void prepareGradients() {
        if (gradOut != null) {
            return;
        }
        Device.Buffer go = allocate(4L * problem.outputLength(), "gradOutput");
        Device.Buffer part = allocate(4L * CudaGeometry.filterSplits(problem) * problem.filterLength(),
                "partial filter gradients");
        Device.Buffer dw = allocate(4L * problem.filterLength(), "gradFilter");
        Device.Buffer db = allocate(4L * problem.outChannels(), "gradBias");
        Device.Buffer biasPart = allocate(4L * CudaGeometry.biasSplits(problem) * problem.outChannels(),
                "partial bias gradients");
        scale = device.prepare(CudaGeometry.scaleCall(problem), geometry, go, y);
        int splits = CudaGeometry.inputGradientSplit(problem)[0];
        if (splits > 1) {
            Device.Buffer partial = allocate(4L * splits * problem.inputLength(), "partial input gradients");
            inputGradient = device.prepare(CudaGeometry.inputGradientCall(problem), geometry, go, weights, partial);
            inputGradientReduce = device.prepare(CudaGeometry.inputGradientReduceCall(problem, splits), geometry,
                    partial, x);
        } else {
            inputGradient = device.prepare(CudaGeometry.inputGradientCall(problem), geometry, go, weights, x);
        }
        filterGradient = device.prepare(CudaGeometry.filterGradientCall(problem), geometry, x, go, part);
        reduce = device.prepare(CudaGeometry.reduceCall(problem), geometry, part, dw);
        biasGradient = device.prepare(CudaGeometry.biasCall(problem), geometry, go, biasPart);
        biasReduce = device.prepare(CudaGeometry.biasReduceCall(problem), geometry, biasPart, db);
        filterScratch = new float[problem.filterLength()];
        biasScratch = new float[problem.outChannels()];
        gradFilter = dw;
        gradBias = db;
        gradOut = go;
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
