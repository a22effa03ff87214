/** deconv3d over {@code java.lang.foreign} memory (JDK 22+): {@link org.deconv3d.foreign.SegmentRunner}. */
module org.deconv3d.foreign {
    requires transitive org.deconv3d.core;
    exports org.deconv3d.foreign;
}
