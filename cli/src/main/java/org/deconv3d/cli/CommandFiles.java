package org.deconv3d.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.deconv3d.Deconv3dProblem;

/** What the commands that read and write .npy files share: conversion notes, the bias, and output paths. */
final class CommandFiles {

    private CommandFiles() {
    }

    /** Reads {@code file}, saying in one line when its dtype was converted to float32. */
    static Npy.Array read(PrintWriter log, Path file) throws IOException {
        Npy.Array a = Npy.read(file);
        if (a.converted() != null) {
            log.println("note: " + file + " holds dtype '" + a.converted() + "', converted to float32");
        }
        return a;
    }

    /** The bias of {@code p} from {@code file}, or null when no file is given. */
    static float[] bias(PrintWriter log, Path file, Deconv3dProblem p) throws IOException {
        if (file == null) {
            return null;
        }
        Npy.Array b = read(log, file);
        if (b.shape().length != 1 || b.shape()[0] != p.outChannels()) {
            throw new IllegalArgumentException(file + " has shape " + Arrays.toString(b.shape())
                    + " but the bias must have shape [" + p.outChannels() + "] (one value per output channel):"
                    + " pass a bias of " + p.outChannels() + " values, or none");
        }
        return b.data();
    }

    /**
     * Refuses an output path that names an input (writing it would destroy the input before or while it is read)
     * or another output. {@code outputs} and {@code inputs} alternate option names and paths; null paths are
     * skipped.
     */
    static void refuseClashes(Object[] outputs, Object[] inputs) throws IOException {
        for (int o = 0; o < outputs.length; o += 2) {
            Path out = (Path) outputs[o + 1];
            if (out == null) {
                continue;
            }
            for (int i = 0; i < inputs.length; i += 2) {
                Path in = (Path) inputs[i + 1];
                if (in != null && same(out, in)) {
                    throw new IllegalArgumentException(outputs[o] + " " + out + " is the same file as " + inputs[i]
                            + " " + in + ": writing it would destroy the " + ((String) inputs[i]).substring(2)
                            + "; give " + outputs[o] + " another path");
                }
            }
            for (int other = o + 2; other < outputs.length; other += 2) {
                Path second = (Path) outputs[other + 1];
                if (second != null && same(out, second)) {
                    throw new IllegalArgumentException(outputs[o] + " and " + outputs[other] + " are the same file "
                            + out + ": give each output its own path");
                }
            }
        }
    }

    private static boolean same(Path a, Path b) throws IOException {
        return Files.exists(a) && Files.exists(b) ? Files.isSameFile(a, b)
                : a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
