/** The {@code ./deconv3d} command line: shape, run, backends, demo; its .npy reader and problem options serve the Spark job too. */
module org.deconv3d.cli {
    requires org.deconv3d.core;
    requires info.picocli;
    exports org.deconv3d.cli;
    opens org.deconv3d.cli to info.picocli;
}
