package org.deconv3d.cuda;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A {@link Device} in host memory that records what a plan does with it, and fails on request. */
final class FakeDevice implements Device {

    final Set<Buffer> live = new HashSet<>();
    final List<String> calls = new ArrayList<>();
    int allocations;
    int frees;
    int releases;
    /** Fail the n-th allocation (1-based) as out of memory; 0: never. */
    int failAllocation;
    boolean failLaunch;

    private static final class Mem implements Buffer {
        final float[] data;

        Mem(long bytes) {
            data = new float[(int) Math.max(1, bytes / 4)];
        }
    }

    private static final class Kernel implements Prepared {
    }

    @Override
    public Buffer allocate(long bytes, String what) {
        allocations++;
        if (allocations == failAllocation) {
            throw new CudaException("cuMemAlloc (" + what + ", " + bytes + " bytes) failed: CUDA_ERROR_OUT_OF_MEMORY:"
                    + " the GPU is out of memory, use a smaller batch or free device memory", 2);
        }
        Mem m = new Mem(bytes);
        live.add(m);
        calls.add("allocate " + what);
        return m;
    }

    @Override
    public void upload(Buffer to, int[] from, String what) {
        calls.add("upload " + what);
    }

    @Override
    public void upload(Buffer to, float[] from, String what) {
        System.arraycopy(from, 0, ((Mem) to).data, 0, from.length);
        calls.add("upload " + what);
    }

    @Override
    public void download(float[] to, Buffer from, String what) {
        System.arraycopy(((Mem) from).data, 0, to, 0, to.length);
        calls.add("download " + what);
    }

    @Override
    public Prepared prepare(CudaGeometry.Call call, Buffer... buffers) {
        return new Kernel();
    }

    @Override
    public void launch(Prepared kernel) {
        if (failLaunch) {
            throw new CudaException("cuLaunchKernel (phase [0, 0, 0]) failed: CUDA_ERROR_LAUNCH_FAILED", 719);
        }
        calls.add("launch");
    }

    @Override
    public void startTimer() {
    }

    @Override
    public float stopTimer() {
        return 0.5f;
    }

    @Override
    public void free(Buffer buffer) {
        if (!live.remove(buffer)) {
            throw new AssertionError("buffer freed twice or never allocated");
        }
        frees++;
    }

    @Override
    public void release() {
        releases++;
    }
}
