package org.deconv3d.cuda;

import org.deconv3d.Availability;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dProvider;

/**
 * The {@code cuda} backend's provider, preferred over simd when an NVIDIA GPU and driver are present. The probe
 * (load the JCuda natives, {@code cuInit}, a device, the kernel image) runs once; any failure, including a missing
 * {@code libcuda.so.1} or an {@link UnsatisfiedLinkError}, makes the backend unavailable with the reason.
 */
public final class CudaProvider implements Deconv3dProvider {

    /** For {@link java.util.ServiceLoader} and direct use; cheap, touches nothing. */
    public CudaProvider() {
    }

    /** The backend's name. */
    public static final String NAME = "cuda";
    /** The oldest NVIDIA driver that runs the shipped kernel image (built with CUDA 13.0). */
    static final String MIN_DRIVER = "580 (CUDA 13.0)";
    static final String MIN_DRIVER_NUMBER = "580";
    static final String CUDA_VERSION = "13.0";

    private static final System.Logger LOG = System.getLogger(CudaProvider.class.getName());

    private static final class Holder {
        static final Object STATE = probe();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 200;
    }

    @Override
    public Availability availability() {
        Object state = Holder.STATE;
        return state instanceof Availability ? (Availability) state : Availability.yes();
    }

    @Override
    public Deconv3d create() {
        Object state = Holder.STATE;
        if (state instanceof Availability) {
            throw new IllegalStateException("the cuda backend is not available: " + ((Availability) state).reason());
        }
        return new CudaDeconv3d((CudaContext) state);
    }

    /** The opened context, or the {@link Availability} that says why there is none. */
    private static Object probe() {
        try {
            CudaContext context = CudaContext.open();
            LOG.log(System.Logger.Level.DEBUG, "deconv3d: cuda backend on " + context.description);
            return context;
        } catch (UnsatisfiedLinkError e) {
            LOG.log(System.Logger.Level.DEBUG, "deconv3d: cuda probe: " + firstLine(e));
            return Availability.no("no NVIDIA driver found (libcuda.so.1 could not be loaded): install the NVIDIA"
                    + " driver " + MIN_DRIVER_NUMBER + " or newer, the first that runs kernels built with CUDA "
                    + CUDA_VERSION + " as this backend's are");
        } catch (NoClassDefFoundError e) {
            return Availability.no("JCuda is not on the class path: add org.jcuda:jcuda and org.jcuda:jcuda-natives"
                    + " 12.0.0 [" + firstLine(e) + "]");
        } catch (CudaException e) {
            return Availability.no(e.getMessage().contains("CUDA_ERROR_NO_DEVICE")
                    ? "the NVIDIA driver found no CUDA device [" + e.getMessage() + "]"
                    : e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("CUDA could not be initialised: " + firstLine(e));
        }
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return t.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
    }
}
