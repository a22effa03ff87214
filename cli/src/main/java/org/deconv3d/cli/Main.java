package org.deconv3d.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code deconv3d}: the command line. Bad input prints one line saying what to fix and exits with 2. */
@Command(name = "deconv3d", mixinStandardHelpOptions = true, version = "deconv3d 0.1.0",
        description = "3D transposed convolution (conv3d_transpose / ConvTranspose3d) with exact shape rules.",
        subcommands = {ShapeCommand.class, RunCommand.class, GradCommand.class, BackendsCommand.class, DemoCommand.class,
                BenchHelp.class})
public final class Main {

    private Main() {
    }

    /** The command line with its error handling, for tests and {@link #main}. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.registerConverter(IntList.class, IntList::parse);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            String message = expectedFailure(e);
            if (message == null) {
                throw e; // a bug: let its stack trace out
            }
            line.getErr().println("error: " + message);
            return 2;
        });
        // An OutOfMemoryError is an Error, which picocli's handler never sees: turn it into the same one line.
        CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
        cli.setExecutionStrategy(parsed -> {
            try {
                return run.execute(parsed);
            } catch (OutOfMemoryError e) {
                parsed.commandSpec().commandLine().getErr().println("error: " + Memory.shortOf(0, "this command")
                        .getMessage().replace("needs 0 MiB and ", "ran out of memory: "));
                return 2;
            }
        });
        return cli;
    }

    /** The one-line message for a failure the user can fix, or null for a bug. */
    public static String expectedFailure(Exception e) {
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            return e.getMessage();
        }
        if (e instanceof NoSuchFileException) {
            return "no such file: " + ((NoSuchFileException) e).getFile();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + ((AccessDeniedException) e).getFile();
        }
        if (e instanceof FileSystemException) {
            FileSystemException f = (FileSystemException) e;
            return f.getFile() + ": " + Npy.reason(f);
        }
        if (e instanceof IOException) {
            return e.getMessage();
        }
        return null;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
