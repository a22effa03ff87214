package org.deconv3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Padding;
import org.deconv3d.reference.ReferenceKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    @TempDir
    Path dir;

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    @Test
    void shapeShowsRangesAndDefault() {
        CliRun r = cli("shape", "--input", "10,1,1,1,10", "--filter", "5,5,5,20,10", "--strides", "4",
                "--padding", "VALID");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("default output shape (Keras): [10, 5, 5, 5, 20]"), r.out());
        assertTrue(r.out().matches("(?s).*depth\\s+\\(input 1\\)\\s+5\\.\\.8\\s+1\\.\\.4.*"), r.out());
        assertTrue(r.out().contains("depth  0 before, 0 after"), r.out());
    }

    @Test
    void shapeExplainsTheSeedQuestion() {
        CliRun r = cli("shape", "--input", "10,1,1,1,10", "--filter", "5,5,5,20,10", "--strides", "4",
                "--padding", "VALID", "--output-shape", "10,4,4,4,20");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("output depth 4 is not valid for VALID padding"), r.err());
        assertTrue(r.err().contains("SAME padding (valid depths 1..4), which accepts 4"), r.err());
        CliRun same = cli("shape", "--input", "10,1,1,1,10", "--filter", "5,5,5,20,10", "--strides", "4",
                "--padding", "SAME", "--output-shape", "10,4,4,4,20");
        assertEquals(0, same.exit(), same.err());
        assertTrue(same.out().contains("output shape [10, 4, 4, 4, 20] is valid"), same.out());
        assertTrue(same.out().contains("depth  0 before, 1 after"), same.out());
    }

    @Test
    void shapeWithThreeStridesAndTorch() {
        CliRun r = cli("shape", "--input", "1,3,4,5,2", "--filter", "2,3,4,6,2", "--strides", "1,2,3",
                "--dilations", "1,1,2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("[1, 3, 8, 15, 6]"), r.out());
        CliRun t = cli("shape", "--convention", "torch", "--input", "1,16,8,8,8", "--filter", "16,4,3,3,3",
                "--strides", "2", "--padding", "1", "--output-padding", "1", "--groups", "2");
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().contains("output shape: [1, 8, 16, 16, 16]"), t.out());
        assertTrue(t.out().contains("(8-1)*2 - 2*1 + (3-1)*1 + 1 + 1 = 16"), t.out());
        CliRun bad = cli("shape", "--convention", "torch", "--input", "1,16,8,8,8", "--filter", "16,4,3,3,3",
                "--strides", "2", "--output-padding", "2");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("output_padding along depth is 2"), bad.err());
    }

    @Test
    void backendsListsEveryProvider() {
        CliRun r = cli("backends");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("reference  priority   0  available"), r.out());
        assertTrue(r.out().contains("simd"), r.out());
        assertTrue(r.out().contains("<- selected"), r.out());
    }

    @Test
    void demoAnswersTheSeedQuestion() {
        CliRun r = cli("demo");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("rejected: output depth 4 is not valid for VALID padding"), r.out());
        assertTrue(r.out().contains("reference  output [10, 4, 4, 4, 20], values 0.1000000..0.1000000 ok"), r.out());
        assertTrue(r.out().contains("simd       output [10, 4, 4, 4, 20], values 0.1000000..0.1000000 ok"), r.out());
    }

    @Test
    void npyRoundTrip() throws IOException {
        float[] data = {1.5f, -2f, Float.NaN, 3e-8f, 0f, 7f};
        Path f = dir.resolve("a.npy");
        Npy.write(f, new int[] {2, 3}, data);
        Npy.Array a = Npy.read(f);
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(data, a.data());
        assertEquals(0, Files.size(f) % 4);
        assertEquals(0, (Files.size(f) - data.length * 4) % 64, "numpy aligns the header to 64 bytes");
        Npy.write(f, new int[] {6}, data);
        assertArrayEquals(new int[] {6}, Npy.read(f).shape());
        String header = new String(Files.readAllBytes(f), 10, 60, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'shape': (6,)"), header);
    }

    @Test
    void runComputesTensorflowAndTorchAndMatchesTheReference() throws IOException {
        Random r = new Random(11);
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {2, 3, 4, 3, 5}, new int[] {3, 2, 3, 6, 5})
                .strides(2, 1, 2).padding(Padding.SAME).build();
        float[] x = values(r, p.inputLength());
        float[] w = values(r, p.filterLength());
        float[] b = values(r, p.outChannels());
        Npy.write(dir.resolve("x.npy"), p.inputShape(), x);
        Npy.write(dir.resolve("w.npy"), p.filterShape(), w);
        Npy.write(dir.resolve("b.npy"), new int[] {p.outChannels()}, b);
        for (String backend : new String[] {"reference", "simd"}) {
            CliRun res = cli("run", "--input", dir.resolve("x.npy").toString(), "--filter", dir.resolve("w.npy").toString(),
                    "--bias", dir.resolve("b.npy").toString(), "--strides", "2,1,2", "--padding", "SAME",
                    "--activation", "relu", "--backend", backend, "--out", dir.resolve("y.npy").toString());
            assertEquals(0, res.exit(), res.err());
            assertTrue(res.out().contains("backend: " + backend), res.out());
            Npy.Array y = Npy.read(dir.resolve("y.npy"));
            assertArrayEquals(p.outputShape(), y.shape());
            Deconv3dProblem relu = Deconv3dProblem.tensorflow(new int[] {2, 3, 4, 3, 5}, new int[] {3, 2, 3, 6, 5})
                    .strides(2, 1, 2).padding(Padding.SAME).activation(org.deconv3d.Activation.RELU).build();
            float[] expected = new float[p.outputLength()];
            ReferenceKernel.compute(relu, x, w, b, expected);
            assertArrayEquals(expected, y.data(), 1e-5f);
        }
        Deconv3dProblem t = Deconv3dProblem.pytorch(new int[] {1, 4, 3, 3, 3}, new int[] {4, 3, 2, 2, 2})
                .stride(2).padding(1).outputPadding(1).groups(2).build();
        float[] tx = values(r, t.inputLength());
        float[] tw = values(r, t.filterLength());
        Npy.write(dir.resolve("tx.npy"), t.inputShape(), tx);
        Npy.write(dir.resolve("tw.npy"), t.filterShape(), tw);
        CliRun res = cli("run", "--convention", "torch", "--input", dir.resolve("tx.npy").toString(), "--filter",
                dir.resolve("tw.npy").toString(), "--strides", "2", "--padding", "1", "--output-padding", "1",
                "--groups", "2", "--out", dir.resolve("ty.npy").toString());
        assertEquals(0, res.exit(), res.err());
        float[] expected = new float[t.outputLength()];
        ReferenceKernel.compute(t, tx, tw, null, expected);
        Npy.Array ty = Npy.read(dir.resolve("ty.npy"));
        assertArrayEquals(t.outputShape(), ty.shape());
        assertArrayEquals(expected, ty.data(), 1e-5f);
    }

    @Test
    void runRejectsMalformedNpyAndBadShapes() throws IOException {
        Path x = dir.resolve("x.npy");
        Path w = dir.resolve("w.npy");
        Path y = dir.resolve("y.npy");
        Npy.write(w, new int[] {2, 2, 2, 3, 4}, new float[2 * 2 * 2 * 3 * 4]);

        Files.write(x, "not numpy at all".getBytes());
        assertError(cli("run", "--input", x.toString(), "--filter", w.toString(), "--out", y.toString()),
                "is not a .npy file");

        Npy.write(x, new int[] {1, 2, 2, 2, 4}, new float[32]);
        byte[] bytes = Files.readAllBytes(x);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("<f4", "<c8");
        Files.write(x, text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertError(cli("run", "--input", x.toString(), "--filter", w.toString(), "--out", y.toString()),
                "holds dtype '<c8', which cannot be converted to float32");

        text = text.replace("<c8", "<f4").replace("'fortran_order': False", "'fortran_order': True ");
        Files.write(x, text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertError(cli("run", "--input", x.toString(), "--filter", w.toString(), "--out", y.toString()),
                "Fortran order");

        Npy.write(x, new int[] {1, 2, 2, 2, 4}, new float[32]);
        Files.write(x, Arrays.copyOf(Files.readAllBytes(x), (int) Files.size(x) - 3));
        assertError(cli("run", "--input", x.toString(), "--filter", w.toString(), "--out", y.toString()),
                "truncated");

        Npy.write(x, new int[] {1, 2, 2, 2, 5}, new float[40]);
        assertError(cli("run", "--input", x.toString(), "--filter", w.toString(), "--out", y.toString()),
                "input channels 5");
        assertTrue(Files.notExists(y), "no output is written when the call is rejected");

        assertError(cli("run", "--input", dir.resolve("missing.npy").toString(), "--filter", w.toString(),
                "--out", y.toString()), "no such file");
        Npy.write(x, new int[] {1, 2, 2, 2, 4}, new float[32]);
        assertError(cli("run", "--input", x.toString(), "--filter", w.toString(), "--backend", "tpu",
                "--out", y.toString()), "backend 'tpu' is not known");
    }

    private static void assertError(CliRun r, String fragment) {
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains(fragment), r.err());
    }

    private static float[] values(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }
}
