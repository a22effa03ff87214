package org.deconv3d.cuda;

import java.io.IOException;
import java.io.InputStream;

/** The prebuilt kernel image shipped in the jar (a fatbin with SASS for current GPUs and PTX for newer ones). */
final class KernelImage {

    static final String RESOURCE = "/org/deconv3d/cuda/deconv3d.fatbin";
    /** Every kernel of the image, looked up when the context opens. */
    static final java.util.List<String> FUNCTIONS = functions();

    private static java.util.List<String> functions() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int c : CudaGeometry.TILE_CHANNELS) {
            names.add(CudaGeometry.FORWARD + c);
            names.add(CudaGeometry.GRAD_INPUT + c);
            for (int o : CudaGeometry.TILE_CHANNELS) {
                names.add(CudaGeometry.GRAD_FILTER + "_i" + c + "_o" + o);
            }
        }
        names.addAll(java.util.List.of(CudaGeometry.FORWARD_FINISH, CudaGeometry.GRAD_SCALE, CudaGeometry.GRAD_REDUCE,
                CudaGeometry.GRAD_BIAS));
        return java.util.List.copyOf(names);
    }

    private KernelImage() {
    }

    static byte[] load() {
        try (InputStream in = KernelImage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the kernel image " + RESOURCE + " is missing from the deconv3d-cuda"
                        + " jar: rebuild it with nvcc (cuda/src/main/cuda/build-image.sh --update)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the kernel image " + RESOURCE + ": " + e, e);
        }
    }
}
