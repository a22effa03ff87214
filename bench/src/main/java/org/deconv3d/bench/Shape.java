package org.deconv3d.bench;

import java.util.Random;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;
import org.deconv3d.Padding;

/**
 * The benchmark shapes, all TensorFlow convention with SAME padding, NDHWC unless named otherwise. FLOPs are
 * {@code 2 * |input| * kd*kh*kw * Cout} (see {@link Deconv3dProblem#flops()}).
 */
public enum Shape {
    /** The seed question: [10,1,1,1,10] -> [10,4,4,4,20], k5 s4. */
    SEED(new int[] {10, 1, 1, 1, 10}, 5, 20, 4, new int[] {10, 4, 4, 4, 20}, false),
    /** 3D U-Net decoder upsampling, kernel 2: [1,16,16,16,64] -> [1,32,32,32,32]. */
    UNET_K2(new int[] {1, 16, 16, 16, 64}, 2, 32, 2, new int[] {1, 32, 32, 32, 32}, false),
    /** The same with kernel 3. */
    UNET_K3(new int[] {1, 16, 16, 16, 64}, 3, 32, 2, new int[] {1, 32, 32, 32, 32}, false),
    /** 3D GAN generator stage: [8,4,4,4,256] -> [8,8,8,8,128], k4 s2. */
    GAN(new int[] {8, 4, 4, 4, 256}, 4, 128, 2, new int[] {8, 8, 8, 8, 128}, false),
    /** Volume upsampling: [1,32,32,32,32] -> [1,64,64,64,16], k3 s2. */
    VOL(new int[] {1, 32, 32, 32, 32}, 3, 16, 2, new int[] {1, 64, 64, 64, 16}, false),
    /** A 3D U-Net's last decoder stage, up to 64^3: [1,32,32,32,64] -> [1,64,64,64,32], k2 s2. */
    UNET64(new int[] {1, 32, 32, 32, 64}, 2, 32, 2, new int[] {1, 64, 64, 64, 32}, false),
    /** A batch of small volumes: [32,8,8,8,32] -> [32,16,16,16,16], k3 s2. */
    BATCH(new int[] {32, 8, 8, 8, 32}, 3, 16, 2, new int[] {32, 16, 16, 16, 16}, false),
    /** unet-k3 with NCDHW input and output ([1,64,16,16,16] -> [1,32,32,32,32]), as PyTorch users hold it. */
    UNET_K3_NCDHW(new int[] {1, 64, 16, 16, 16}, 3, 32, 2, new int[] {1, 32, 32, 32, 32}, true);

    /** The five shapes every backend is held to (the SIMD issue's targets). */
    public static final Shape[] CORE = {SEED, UNET_K2, UNET_K3, GAN, VOL};

    private final int[] input;
    private final int kernel;
    private final int outChannels;
    private final int stride;
    private final int[] output;
    private final boolean channelsFirst;

    Shape(int[] input, int kernel, int outChannels, int stride, int[] output, boolean channelsFirst) {
        this.input = input;
        this.kernel = kernel;
        this.outChannels = outChannels;
        this.stride = stride;
        this.output = output;
        this.channelsFirst = channelsFirst;
    }

    /** The problem (TensorFlow convention, SAME; NCDHW data format for {@link #UNET_K3_NCDHW}). */
    public Deconv3dProblem problem() {
        int cin = channelsFirst ? input[1] : input[4];
        return Deconv3dProblem.tensorflow(input.clone(), new int[] {kernel, kernel, kernel, outChannels, cin})
                .strides(stride).padding(Padding.SAME).outputShape(output.clone())
                .dataFormat(channelsFirst ? Layout.NCDHW : Layout.NDHWC).build();
    }

    /** The lower-case name used in @Param and tables, e.g. {@code unet-k3}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The shape with this label. */
    public static Shape of(String label) {
        for (Shape s : values()) {
            if (s.label().equals(label) || s.name().equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no benchmark shape '" + label + "'");
    }

    /** Deterministic data in [-1, 1) for benchmarks. */
    public static float[] data(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }
}
