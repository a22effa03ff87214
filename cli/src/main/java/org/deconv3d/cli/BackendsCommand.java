package org.deconv3d.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3dProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code deconv3d backends}: every provider found, available or not, and why not. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "List every backend found, its priority, whether it is available here and, if not, why.")
final class BackendsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String selected;
        try {
            selected = Backends.select().name();
        } catch (IllegalArgumentException e) {
            selected = null;
            spec.commandLine().getErr().println("warning: " + e.getMessage());
        }
        for (Deconv3dProvider p : Backends.providers()) {
            out.printf("%-10s priority %3d  %s%s%n", p.name(), p.priority(),
                    p.availability().available() ? "available" : "unavailable: " + p.availability().reason(),
                    p.name().equals(selected) ? "  <- selected" : "");
        }
        if (Backends.forcedName() != null) {
            out.println("forced by " + Backends.PROPERTY + "/" + Backends.ENVIRONMENT + ": " + Backends.forcedName());
        }
        return 0;
    }
}
