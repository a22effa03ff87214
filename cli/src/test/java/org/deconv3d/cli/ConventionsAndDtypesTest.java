package org.deconv3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deconv3d.AutoPad;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.reference.ReferenceKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The onnx convention on the command line, and .npy files of other dtypes converted to float32. */
class ConventionsAndDtypesTest {

    @TempDir
    Path dir;

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    @Test
    void shapeResolvesOnnxPads() {
        CliRun r = cli("shape", "--convention", "onnx", "--input", "1,8,4,4,4", "--filter", "8,4,3,3,3",
                "--strides", "2", "--auto-pad", "SAME_LOWER");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("output shape: [1, 4, 8, 8, 8]"), r.out());
        assertTrue(r.out().contains("pads=[1, 1, 1, 0, 0, 0]"), r.out());
        assertTrue(r.out().contains("memory: input"), r.out());
        r = cli("shape", "--convention", "onnx", "--input", "1,8,4,4,4", "--filter", "8,4,3,3,3", "--strides", "2",
                "--pads", "1,0,0,0,0,2", "--output-padding", "1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("output shape: [1, 4, 9, 10, 8]"), r.out());
        r = cli("shape", "--convention", "onnx", "--input", "1,8,4,4,4", "--filter", "8,4,3,3,3", "--strides", "2",
                "--output-shape", "1,4,10,10,10");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("output depth 10 is more than 2*(4-1) + 0 + 3 = 9"), r.err());
        r = cli("shape", "--input", "1,4,4,4,8", "--filter", "3,3,3,4,8", "--pads", "1");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--pads is an onnx argument"), r.err());
    }

    @Test
    void runOnnxMatchesTheReference() throws IOException {
        Deconv3dProblem p = Deconv3dProblem.onnx(new int[] {2, 3, 3, 4, 2}, new int[] {3, 2, 3, 2, 3}).strides(2, 1, 3)
                .autoPad(AutoPad.SAME_UPPER).build();
        float[] x = new float[p.inputLength()];
        float[] w = new float[p.filterLength()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 5 - 2;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = i % 3 - 1;
        }
        Npy.write(dir.resolve("x.npy"), p.inputShape(), x);
        Npy.write(dir.resolve("w.npy"), p.filterShape(), w);
        CliRun r = cli("run", "--convention", "onnx", "--input", dir.resolve("x.npy").toString(), "--filter",
                dir.resolve("w.npy").toString(), "--strides", "2,1,3", "--auto-pad", "SAME_UPPER", "--out",
                dir.resolve("y.npy").toString());
        assertEquals(0, r.exit(), r.err());
        float[] expected = new float[p.outputLength()];
        ReferenceKernel.compute(p, x, w, null, expected);
        Npy.Array y = Npy.read(dir.resolve("y.npy"));
        assertArrayEquals(p.outputShape(), y.shape());
        assertArrayEquals(expected, y.data());
    }

    @Test
    void otherDtypesAreConvertedWithANote() throws IOException {
        float[] values = {1.5f, -2f, 0f, 3f, 65504f, -0.25f};
        assertArrayEquals(values, read("<f8", 8, values, (b, v) -> b.putDouble(v)).data());
        assertArrayEquals(values, read(">f4", 4, values, (b, v) -> b.putFloat(v)).data());
        float[] halves = read("<f2", 2, values, (b, v) -> b.putShort(half(v))).data();
        assertArrayEquals(values, halves);
        float[] ints = {1, -2, 0, 3, 7, -9};
        assertArrayEquals(ints, read("<i4", 4, ints, (b, v) -> b.putInt((int) v)).data());
        assertArrayEquals(ints, read("<i8", 8, ints, (b, v) -> b.putLong((long) v)).data());
        float[] bytes = {1, 255, 0, 3, 7, 9};
        assertArrayEquals(bytes, read("|u1", 1, bytes, (b, v) -> b.put((byte) (int) v)).data());
        assertEquals("<f8", read("<f8", 8, values, (b, v) -> b.putDouble(v)).converted());

        // The CLI says it converted, once per file.
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 1, 1, 2, 3}, new int[] {1, 1, 1, 2, 3}).build();
        writeRaw(dir.resolve("x.npy"), "<f8", 8, new int[] {1, 1, 1, 2, 3}, values, (b, v) -> b.putDouble(v));
        Npy.write(dir.resolve("w.npy"), p.filterShape(), values);
        CliRun r = cli("run", "--input", dir.resolve("x.npy").toString(), "--filter", dir.resolve("w.npy").toString(),
                "--out", dir.resolve("y.npy").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("holds dtype '<f8', converted to float32"), r.out());
    }

    private interface Put {
        void put(ByteBuffer b, float v);
    }

    private Npy.Array read(String descr, int size, float[] values, Put put) throws IOException {
        Path f = dir.resolve("a.npy");
        writeRaw(f, descr, size, new int[] {values.length}, values, put);
        return Npy.read(f);
    }

    private static void writeRaw(Path f, String descr, int size, int[] shape, float[] values, Put put)
            throws IOException {
        String dims = java.util.Arrays.toString(shape).replace('[', '(').replace(']', shape.length == 1 ? ',' : ' ')
                .trim();
        StringBuilder h = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': "
                + dims + (shape.length == 1 ? ")" : ")") + ", }");
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + size * values.length)
                .order(descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        b.order(ByteOrder.LITTLE_ENDIAN).putShort((short) h.length());
        b.order(descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        b.put(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (float v : values) {
            put.put(b, v);
        }
        Files.write(f, b.array());
    }

    /** float to binary16 for the values above (all exactly representable). */
    private static short half(float v) {
        if (v == 0f) {
            return 0;
        }
        int bits = Float.floatToIntBits(v);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 112;
        int mant = (bits >>> 13) & 0x3ff;
        return (short) (sign | (exp << 10) | mant);
    }
}
