/**
 * deconv3d core: the problem description, the shape rules, the {@link org.deconv3d.Deconv3d} SPI, backend
 * selection and the reference kernel. Depends on nothing but {@code java.base}.
 */
module org.deconv3d.core {
    exports org.deconv3d;
    exports org.deconv3d.reference;
    uses org.deconv3d.Deconv3dProvider;
    provides org.deconv3d.Deconv3dProvider with org.deconv3d.reference.ReferenceProvider;
}
