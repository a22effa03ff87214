package org.deconv3d.cuda;

/** A CUDA driver call failed; the message names the call and the driver's error. */
public final class CudaException extends IllegalStateException {

    private static final long serialVersionUID = 1L;
    private final int code;

    CudaException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The {@code CUresult} code. */
    public int code() {
        return code;
    }
}
