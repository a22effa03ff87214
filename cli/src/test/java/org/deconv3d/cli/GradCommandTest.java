package org.deconv3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.deconv3d.Activation;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.reference.ReferenceDeconv3d;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code deconv3d grad}: the gradients the library computes, written as asked; bad requests are one line. */
class GradCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesTheGradientsTheLibraryComputes() throws Exception {
        // PyTorch's convention with a fused relu: the weight gradient keeps the weight's layout [Cin,Cout,k...].
        Deconv3dProblem p = Deconv3dProblem.pytorch(new int[] {2, 4, 3, 3, 3}, new int[] {4, 5, 3, 3, 3})
                .stride(2).padding(1).outputPadding(1).activation(Activation.RELU).build();
        Random r = new Random(3);
        float[] x = values(r, p.inputLength());
        float[] w = values(r, p.filterLength());
        float[] y = new float[p.outputLength()];
        float[] dy = values(r, p.outputLength());
        float[] dx = new float[p.inputLength()];
        float[] dw = new float[p.filterLength()];
        float[] db = new float[p.outChannels()];
        try (Deconv3dPlan plan = new ReferenceDeconv3d().plan(p, w, null)) {
            plan.run(x, y);
            plan.backwardInput(dy, y, dx);
            plan.backwardWeights(x, dy, y, dw, db);
        }
        Npy.write(dir.resolve("x.npy"), p.inputShape(), x);
        Npy.write(dir.resolve("w.npy"), p.filterShape(), w);
        Npy.write(dir.resolve("y.npy"), p.outputShape(), y);
        Npy.write(dir.resolve("dy.npy"), p.outputShape(), dy);
        CliRun run = CliRun.of("grad", "--convention", "torch", "--input", path("x.npy"), "--filter", path("w.npy"),
                "--grad-output", path("dy.npy"), "--output", path("y.npy"), "--strides", "2", "--padding", "1",
                "--output-padding", "1", "--activation", "relu", "--out-input", path("dx.npy"), "--out-filter",
                path("dw.npy"), "--out-bias", path("db.npy"), "--backend", "reference");
        assertEquals(0, run.exit(), run.err());
        assertArrayEquals(dx, Npy.read(dir.resolve("dx.npy")).data());
        assertArrayEquals(p.inputShape(), Npy.read(dir.resolve("dx.npy")).shape());
        assertArrayEquals(dw, Npy.read(dir.resolve("dw.npy")).data());
        assertArrayEquals(p.filterShape(), Npy.read(dir.resolve("dw.npy")).shape());
        assertArrayEquals(db, Npy.read(dir.resolve("db.npy")).data());

        // Only what is asked for is written.
        CliRun onlyFilter = CliRun.of("grad", "--convention", "torch", "--input", path("x.npy"), "--filter",
                path("w.npy"), "--grad-output", path("dy.npy"), "--output", path("y.npy"), "--strides", "2",
                "--padding", "1", "--output-padding", "1", "--activation", "relu", "--out-filter", path("dw2.npy"));
        assertEquals(0, onlyFilter.exit(), onlyFilter.err());
        assertTrue(Files.exists(dir.resolve("dw2.npy")));
        assertTrue(onlyFilter.out().contains("filter gradient"), onlyFilter.out());
        assertFalse(onlyFilter.out().contains("input gradient"), onlyFilter.out());
    }

    @Test
    void badRequestsAreOneLineAndWriteNothing() throws Exception {
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 2, 2, 2, 3}, new int[] {2, 2, 2, 4, 3})
                .strides(2).build();
        Random r = new Random(4);
        Npy.write(dir.resolve("x.npy"), p.inputShape(), values(r, p.inputLength()));
        Npy.write(dir.resolve("w.npy"), p.filterShape(), values(r, p.filterLength()));
        Npy.write(dir.resolve("dy.npy"), p.outputShape(), values(r, p.outputLength()));
        Npy.write(dir.resolve("wrong.npy"), new int[] {1, 2, 2, 2, 4}, values(r, 32));
        byte[] filterBytes = Files.readAllBytes(dir.resolve("w.npy"));
        String[] base = {"grad", "--input", path("x.npy"), "--filter", path("w.npy"), "--strides", "2"};

        expectError(join(base, "--grad-output", path("dy.npy")), "no gradient asked for");
        expectError(join(base, "--grad-output", path("dy.npy"), "--activation", "tanh", "--out-input",
                path("dx.npy")), "--output is not given");
        expectError(join(base, "--grad-output", path("wrong.npy"), "--out-input", path("dx.npy")),
                "has shape [1, 2, 2, 2, 4] but the problem's output has shape [1, 4, 4, 4, 4]");
        expectError(join(base, "--grad-output", path("dy.npy"), "--out-filter", path("w.npy")),
                "--out-filter " + path("w.npy") + " is the same file as --filter");
        expectError(join(base, "--grad-output", path("dy.npy"), "--out-input", path("d.npy"), "--out-bias",
                path("d.npy")), "--out-input and --out-bias are the same file");
        assertArrayEquals(filterBytes, Files.readAllBytes(dir.resolve("w.npy")), "the filter is untouched");
        assertFalse(Files.exists(dir.resolve("dx.npy")));
        assertFalse(Files.exists(dir.resolve("d.npy")));
    }

    private static void expectError(String[] args, String fragment) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(fragment), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    private static String[] join(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private String path(String name) {
        return dir.resolve(name).toString();
    }

    private static float[] values(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }
}
