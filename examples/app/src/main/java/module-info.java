/** The README's example application, as a named module: {@code requires org.deconv3d.core} is all it needs. */
module com.example.app {
    requires org.deconv3d.core;
}
