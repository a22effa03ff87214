package org.deconv3d.simd;

import org.deconv3d.Availability;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dProvider;

/**
 * The {@code simd} backend's provider. Preferred over the reference when the Vector API can be used; otherwise
 * unavailable with the JVM flag to add (logged once), and selection falls back without an exception.
 */
public final class SimdProvider implements Deconv3dProvider {

    /** The backend's name. */
    public static final String NAME = "simd";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        return VectorSupport.availability();
    }

    @Override
    public Deconv3d create() {
        Availability a = availability();
        if (!a.available()) {
            throw new IllegalStateException("the simd backend is not available: " + a.reason());
        }
        return new SimdDeconv3d();
    }
}
