package org.deconv3d.cuda;

import static org.deconv3d.cuda.CudaDriver.check;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * The device's primary context with the kernel module loaded, opened once per JVM. Opening it is also the
 * availability probe: any failure on the way is the reason the backend is unavailable.
 */
final class CudaContext {

    final CUdevice device;
    final CUcontext context;
    private final CUmodule module;
    private final java.util.Map<String, CUfunction> functions = new java.util.concurrent.ConcurrentHashMap<>();
    final String description;

    private CudaContext(CUdevice device, CUcontext context, CUmodule module, String description) {
        this.device = device;
        this.context = context;
        this.module = module;
        this.description = description;
    }

    /** The kernel {@code name} of the loaded image (looked up once). */
    CUfunction function(String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            check(JCudaDriver.cuModuleGetFunction(f, module, n), "cuModuleGetFunction(" + n + ")");
            return f;
        });
    }

    static CudaContext open() {
        JCudaDriver.setExceptionsEnabled(false);
        check(JCudaDriver.cuInit(0), "cuInit");
        int[] version = new int[1];
        check(JCudaDriver.cuDriverGetVersion(version), "cuDriverGetVersion");
        int[] count = new int[1];
        check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
        if (count[0] < 1) {
            throw new IllegalStateException("the NVIDIA driver reports no CUDA device");
        }
        CUdevice device = new CUdevice();
        check(JCudaDriver.cuDeviceGet(device, 0), "cuDeviceGet");
        byte[] name = new byte[256];
        check(JCudaDriver.cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        int[] major = new int[1];
        int[] minor = new int[1];
        check(JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                device), "cuDeviceGetAttribute(compute capability major)");
        check(JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                device), "cuDeviceGetAttribute(compute capability minor)");
        CUcontext context = new CUcontext();
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        CUmodule module = new CUmodule();
        check(JCudaDriver.cuModuleLoadData(module, KernelImage.load()), "cuModuleLoadData (the kernel image)");
        String text = new String(name, java.nio.charset.StandardCharsets.US_ASCII).trim().replace("\0", "")
                + " (compute " + major[0] + "." + minor[0] + ", driver CUDA " + version[0] / 1000 + "."
                + (version[0] % 1000) / 10 + ")";
        CudaContext ctx = new CudaContext(device, context, module, text);
        for (String k : KernelImage.FUNCTIONS) {
            ctx.function(k); // an image without one of the kernels fails here, in the availability probe
        }
        return ctx;
    }

    /** Makes the context current on the calling thread (CUDA contexts are per thread). */
    void makeCurrent() {
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }
}
