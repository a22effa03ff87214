package org.deconv3d;

/** Memory order of the activation tensors (input and output), both in C order. */
public enum Layout {
    /** {@code [batch, depth, height, width, channels]}: TensorFlow's default. */
    NDHWC,
    /** {@code [batch, channels, depth, height, width]}: PyTorch's layout. */
    NCDHW;

    /**
     * Copies {@code from}, an NCDHW tensor of {@code n} batches, {@code channels} channels and {@code volume} =
     * D*H*W positions, into {@code to} as NDHWC.
     */
    public static void channelsFirstToLast(float[] from, float[] to, int n, int channels, int volume) {
        for (int b = 0; b < n; b++)
            for (int c = 0; c < channels; c++)
                for (int v = 0; v < volume; v++)
                    to[(b * volume + v) * channels + c] = from[(b * channels + c) * volume + v];
    }

    /** The inverse of {@link #channelsFirstToLast}: NDHWC {@code from} into NCDHW {@code to}. */
    public static void channelsLastToFirst(float[] from, float[] to, int n, int channels, int volume) {
        for (int b = 0; b < n; b++)
            for (int c = 0; c < channels; c++)
                for (int v = 0; v < volume; v++)
                    to[(b * channels + c) * volume + v] = from[(b * volume + v) * channels + c];
    }
}
