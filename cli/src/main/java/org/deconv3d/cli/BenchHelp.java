package org.deconv3d.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code deconv3d bench}: listed here so that {@code --help} shows it; the launcher runs the benchmark suite from
 * the bench module (JMH), which the CLI jar does not carry.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Quick JMH benchmark of the available backends on five shapes (under a minute). Run through the"
                + " launcher: ./deconv3d bench [--out DIR]. The full suite with peers: bench/suite.sh.")
final class BenchHelp implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("error: the benchmarks live in the bench module: run ./deconv3d bench"
                + " from the repository (it builds the bench module on first use)");
        return 2;
    }
}
