/** The {@code ./deconv3d} command line: shape, run, backends, demo. */
module org.deconv3d.cli {
    requires org.deconv3d.core;
    requires info.picocli;
    opens org.deconv3d.cli to info.picocli;
}
