package org.deconv3d.cuda;

import static org.deconv3d.cuda.CudaDriver.check;

import java.util.Arrays;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
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
        final CudaGeometry.Launch launch;
        final Pointer parameters;

        Kernel(CudaGeometry.Launch launch, Pointer parameters) {
            this.launch = launch;
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
    public Prepared prepare(CudaGeometry.Launch l, Buffer g, Buffer x, Buffer w, Buffer bias, Buffer y) {
        int[] ph = l.phase();
        int[] c = l.counts();
        Pointer params = Pointer.to(Pointer.to(((Ptr) g).pointer), Pointer.to(((Ptr) x).pointer),
                Pointer.to(((Ptr) w).pointer), Pointer.to(((Ptr) bias).pointer), Pointer.to(((Ptr) y).pointer),
                Pointer.to(new int[] {ph[0]}), Pointer.to(new int[] {ph[1]}), Pointer.to(new int[] {ph[2]}),
                Pointer.to(new int[] {c[0]}), Pointer.to(new int[] {c[1]}), Pointer.to(new int[] {c[2]}),
                Pointer.to(new int[] {c[3]}));
        return new Kernel(l, params);
    }

    @Override
    public void launch(Prepared prepared) {
        Kernel k = (Kernel) prepared;
        CudaGeometry.Launch l = k.launch;
        check(JCudaDriver.cuLaunchKernel(ctx.kernel, l.gridX(), l.gridY(), l.gridZ(), CudaGeometry.THREADS_X,
                CudaGeometry.THREADS_Y, 1, 0, null, k.parameters, null),
                "cuLaunchKernel (phase " + Arrays.toString(l.phase()) + ")");
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
