package org.deconv3d.reference;

import org.deconv3d.Availability;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dProvider;

/** The {@code reference} backend: the specification, always available, slow. */
public final class ReferenceProvider implements Deconv3dProvider {

    /** For {@link java.util.ServiceLoader} and direct use; cheap, touches nothing. */
    public ReferenceProvider() {
    }

    /** The backend's name. */
    public static final String NAME = "reference";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public Deconv3d create() {
        return new ReferenceDeconv3d();
    }
}
