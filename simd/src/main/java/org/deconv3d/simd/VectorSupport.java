package org.deconv3d.simd;

import java.util.Optional;
import org.deconv3d.Availability;

/**
 * Decides, once, whether the Vector API can be used here. This class must not touch {@code jdk.incubator.vector}
 * types itself: it runs where that module may be absent.
 */
final class VectorSupport {

    static final String MODULE = "jdk.incubator.vector";
    /** System property forcing the vector width in bits (128, 256 or 512), so narrower code paths can be tested. */
    static final String BITS_PROPERTY = "deconv3d.simd.bits";

    private static final System.Logger LOG = System.getLogger(VectorSupport.class.getName());

    private VectorSupport() {
    }

    private static final class Holder {
        static final Availability AVAILABILITY = probe();
    }

    static Availability availability() {
        return Holder.AVAILABILITY;
    }

    private static Availability probe() {
        Availability a = check();
        if (!a.available()) {
            LOG.log(System.Logger.Level.WARNING, "deconv3d: the simd backend is off, using a slower one: "
                    + a.reason());
        }
        return a;
    }

    private static Availability check() {
        Optional<Module> vector = ModuleLayer.boot().findModule(MODULE);
        if (vector.isEmpty()) {
            return Availability.no("the Vector API module " + MODULE + " is not in this JVM: start java with"
                    + " '--add-modules " + MODULE + "' (JDK 17 or later)");
        }
        String vmInfo = System.getProperty("java.vm.info", "");
        if (vmInfo.contains("interpreted mode")) {
            return Availability.no("the JVM runs in interpreted mode (-Xint), where the Vector API is much slower"
                    + " than scalar code: drop -Xint");
        }
        String bits = System.getProperty(BITS_PROPERTY);
        if (bits != null && !bits.isBlank() && !(bits.equals("128") || bits.equals("256") || bits.equals("512"))) {
            return Availability.no("system property " + BITS_PROPERTY + "=" + bits + " is not 128, 256 or 512:"
                    + " remove it or give one of those");
        }
        Module self = VectorSupport.class.getModule();
        if (self.isNamed() && !self.canRead(vector.get())) {
            self.addReads(vector.get());
        }
        try {
            int lanes = SimdKernel.lanes();
            if (lanes < 4) {
                return Availability.no("the preferred float vector here has " + lanes + " lanes: the simd backend"
                        + " needs at least 4 (SSE or better); the reference backend is used instead");
            }
        } catch (LinkageError | RuntimeException e) {
            return Availability.no("the Vector API could not be loaded (" + e + "): check that " + MODULE
                    + " matches this JDK");
        }
        return Availability.yes();
    }
}
