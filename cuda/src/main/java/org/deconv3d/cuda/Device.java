package org.deconv3d.cuda;

/**
 * The device operations a {@link CudaPlan} needs. {@link JCudaDevice} is the real one; tests substitute a fake to
 * check the plan's lifecycle (every buffer freed once, nothing written on failure) on machines without a GPU.
 * Every method throws {@link CudaException} naming the failed call.
 */
interface Device {

    /** A device allocation. */
    interface Buffer {
    }

    /** A kernel launch with its arguments bound, ready to be issued repeatedly. */
    interface Prepared {
    }

    Buffer allocate(long bytes, String what);

    void upload(Buffer to, int[] from, String what);

    void upload(Buffer to, float[] from, String what);

    void download(float[] to, Buffer from, String what);

    /** Binds {@code call}'s arguments: {@code buffers} first, then the call's ints, as the kernel declares them. */
    Prepared prepare(CudaGeometry.Call call, Buffer... buffers);

    void launch(Prepared kernel);

    /** Marks the start of the timed kernels. */
    void startTimer();

    /** Milliseconds on the device since {@link #startTimer()}, after waiting for the kernels to finish. */
    float stopTimer();

    void free(Buffer buffer);

    /** Releases the timer events. */
    void release();
}
