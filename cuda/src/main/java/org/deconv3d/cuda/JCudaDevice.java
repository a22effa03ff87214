package org.deconv3d.cuda;

import static org.deconv3d.cuda.CudaDriver.check;

import java.util.Arrays;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.JCudaDriver;

/** {@link Device} through the JCuda driver API, on the primary context of {@link CudaContext}. */
final class JCudaDevice implements Device {

    private final CudaContext ctx;
    private final CUevent start = new CUevent();
    private final CUevent stop = new CUevent();

    private static final class Ptr implements Buffer {
        final CUdeviceptr pointer = new CUdeviceptr();
    }

    private static final class Kernel implements Prepared {
        final CudaGeometry.Call call;
        final CUfunction function;
        final Pointer parameters;

        Kernel(CudaGeometry.Call call, CUfunction function, Pointer parameters) {
            this.call = call;
            this.function = function;
            this.parameters = parameters;
        }
    }

    JCudaDevice(CudaContext ctx) {
        this.ctx = ctx;
        ctx.makeCurrent();
        check(JCudaDriver.cuEventCreate(start, 0), "cuEventCreate");
        check(JCudaDriver.cuEventCreate(stop, 0), "cuEventCreate");
    }

    @Override
    public Buffer allocate(long bytes, String what) {
        ctx.makeCurrent();
        Ptr p = new Ptr();
        check(JCudaDriver.cuMemAlloc(p.pointer, Math.max(bytes, 4)), "cuMemAlloc (" + what + ", " + bytes + " bytes)");
        return p;
    }

    @Override
    public void upload(Buffer to, int[] from, String what) {
        check(JCudaDriver.cuMemcpyHtoD(((Ptr) to).pointer, Pointer.to(from), (long) from.length * Sizeof.INT),
                "cuMemcpyHtoD (" + what + ")");
    }

    @Override
    public void upload(Buffer to, float[] from, String what) {
        check(JCudaDriver.cuMemcpyHtoD(((Ptr) to).pointer, Pointer.to(from), (long) from.length * Sizeof.FLOAT),
                "cuMemcpyHtoD (" + what + ")");
    }

    @Override
    public void download(float[] to, Buffer from, String what) {
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(to), ((Ptr) from).pointer, (long) to.length * Sizeof.FLOAT),
                "cuMemcpyDtoH (" + what + ")");
    }

    @Override
    public Prepared prepare(CudaGeometry.Call call, Buffer... buffers) {
        int[] ints = call.ints();
        Pointer[] args = new Pointer[buffers.length + ints.length];
        for (int i = 0; i < buffers.length; i++) {
            args[i] = Pointer.to(((Ptr) buffers[i]).pointer);
        }
        for (int i = 0; i < ints.length; i++) {
            args[buffers.length + i] = Pointer.to(new int[] {ints[i]});
        }
        return new Kernel(call, ctx.function(call.kernel()), Pointer.to(args));
    }

    @Override
    public void launch(Prepared prepared) {
        Kernel k = (Kernel) prepared;
        CudaGeometry.Call c = k.call;
        check(JCudaDriver.cuLaunchKernel(k.function, c.gridX(), c.gridY(), c.gridZ(), c.blockX(), c.blockY(), 1, 0,
                null, k.parameters, null), "cuLaunchKernel (" + c.kernel() + " " + Arrays.toString(c.ints()) + ")");
    }

    @Override
    public void startTimer() {
        ctx.makeCurrent();
        check(JCudaDriver.cuEventRecord(start, null), "cuEventRecord");
    }

    @Override
    public float stopTimer() {
        check(JCudaDriver.cuEventRecord(stop, null), "cuEventRecord");
        check(JCudaDriver.cuEventSynchronize(stop), "cuEventSynchronize (kernels)");
        float[] ms = new float[1];
        check(JCudaDriver.cuEventElapsedTime(ms, start, stop), "cuEventElapsedTime");
        return ms[0];
    }

    @Override
    public void free(Buffer buffer) {
        ctx.makeCurrent();
        check(JCudaDriver.cuMemFree(((Ptr) buffer).pointer), "cuMemFree");
    }

    @Override
    public void release() {
        JCudaDriver.cuEventDestroy(start);
        JCudaDriver.cuEventDestroy(stop);
    }
}
