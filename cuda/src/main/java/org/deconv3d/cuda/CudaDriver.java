package org.deconv3d.cuda;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/** Turns every CUDA driver status into an exception that names the call. */
final class CudaDriver {

    private CudaDriver() {
    }

    static void check(int status, String call) {
        if (status == CUresult.CUDA_SUCCESS) {
            return;
        }
        String name = CUresult.stringFor(status);
        String[] text = new String[1];
        String detail = "";
        try {
            if (JCudaDriver.cuGetErrorString(status, text) == CUresult.CUDA_SUCCESS && text[0] != null) {
                detail = " (" + text[0] + ")";
            }
        } catch (RuntimeException | LinkageError ignored) {
            // the name alone still says what failed
        }
        String hint = status == CUresult.CUDA_ERROR_OUT_OF_MEMORY
                ? ": the GPU is out of memory, use a smaller batch or free device memory"
                : status == CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU || status == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION
                ? ": the kernel image does not run on this GPU/driver, update the NVIDIA driver to " + CudaProvider.MIN_DRIVER
                        + " or newer"
                : "";
        throw new CudaException(call + " failed: " + name + detail + hint, status);
    }
}
