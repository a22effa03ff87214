package org.deconv3d.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files of little-endian float32 in C order: the only kind the CLI reads and writes. Anything
 * else (another dtype, Fortran order, a truncated file) is rejected with a message saying how to convert it.
 */
final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final String CONVERT = "convert it with numpy: np.save(path, np.ascontiguousarray(a, dtype='<f4'))";

    /** A float32 array with its shape. */
    record Array(int[] shape, float[] data) {
    }

    private Npy() {
    }

    static Array read(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        String name = path.toString();
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IllegalArgumentException(name + " is not a .npy file (no \\x93NUMPY magic): " + CONVERT);
        }
        int major = bytes[6];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(b.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new IllegalArgumentException(name + " is truncated inside its header: " + CONVERT);
            }
            headerLength = b.getInt(8);
            headerStart = 12;
        } else {
            throw new IllegalArgumentException(name + " has .npy format version " + major + ", expected 1, 2 or 3: "
                    + CONVERT);
        }
        if (headerLength < 0 || headerStart + headerLength > bytes.length) {
            throw new IllegalArgumentException(name + " is truncated inside its header: " + CONVERT);
        }
        String header = new String(bytes, headerStart, headerLength, StandardCharsets.ISO_8859_1);
        String descr = find(DESCR, header, name, "descr");
        if (!descr.equals("<f4") && !descr.equals("=f4")) {
            throw new IllegalArgumentException(name + " holds dtype '" + descr + "', expected little-endian float32"
                    + " ('<f4'): " + CONVERT);
        }
        if (find(ORDER, header, name, "fortran_order").equals("True")) {
            throw new IllegalArgumentException(name + " is in Fortran order, expected C order: " + CONVERT);
        }
        int[] shape = parseShape(find(SHAPE, header, name, "shape"), name);
        long count = 1;
        for (int d : shape) {
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + " has shape " + Arrays.toString(shape)
                        + ", more elements than a Java array holds");
            }
        }
        int dataStart = headerStart + headerLength;
        long expectedBytes = count * 4;
        if (bytes.length - dataStart != expectedBytes) {
            throw new IllegalArgumentException(name + " should hold " + expectedBytes + " bytes of data for shape "
                    + Arrays.toString(shape) + " but holds " + (bytes.length - dataStart) + ": the file is truncated"
                    + " or has trailing bytes");
        }
        float[] data = new float[(int) count];
        b.position(dataStart);
        b.asFloatBuffer().get(data);
        return new Array(shape, data);
    }

    static void write(Path path, int[] shape, float[] data) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (int d : shape) {
            dims.append(d).append(", ");
        }
        String s = shape.length == 1 ? dims.toString().trim() : dims.substring(0, Math.max(0, dims.length() - 2));
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (" + s + "), }");
        // Total header (magic + version + length + text + newline) is a multiple of 64 bytes, as numpy writes it.
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        b.asFloatBuffer().put(data);
        Files.write(path, b.array());
    }

    private static String find(Pattern p, String header, String name, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException(name + " has a .npy header without '" + key + "': " + CONVERT);
        }
        return m.group(1);
    }

    private static int[] parseShape(String text, String name) {
        List<Integer> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String t = part.trim();
            if (!t.isEmpty()) {
                try {
                    dims.add(Integer.parseInt(t.endsWith("L") ? t.substring(0, t.length() - 1) : t));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(name + " has an unreadable shape (" + text + ")");
                }
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }
}
