package org.deconv3d.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code deconv3d}: the command line. Bad input prints one line saying what to fix and exits with 2. */
@Command(name = "deconv3d", mixinStandardHelpOptions = true, version = "deconv3d 0.1.0",
        description = "3D transposed convolution (conv3d_transpose / ConvTranspose3d) with exact shape rules.",
        subcommands = {ShapeCommand.class, RunCommand.class, BackendsCommand.class, DemoCommand.class})
public final class Main {

    private Main() {
    }

    /** The command line with its error handling, for tests and {@link #main}. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                line.getErr().println("error: " + e.getMessage());
                return 2;
            }
            if (e instanceof NoSuchFileException) {
                line.getErr().println("error: no such file: " + e.getMessage());
                return 2;
            }
            if (e instanceof IOException) {
                line.getErr().println("error: " + e);
                return 2;
            }
            throw e;
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
