package probe;

import org.deconv3d.Backends;
import org.deconv3d.Deconv3dProvider;

/**
 * Run in a child JVM by {@code AvailabilityTest}: prints what selection sees there. In a package of its own so it
 * can sit on the class path next to the simd module on the module path.
 */
public final class ProbeMain {
    public static void main(String[] args) {
        for (Deconv3dProvider p : Backends.providers()) {
            System.out.println("provider " + p.name() + " " + p.availability() + " in module "
                    + p.getClass().getModule().getName());
        }
        System.out.println("selected " + Backends.select().name());
    }
}
