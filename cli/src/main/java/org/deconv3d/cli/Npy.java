package org.deconv3d.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files in C order: written as little-endian float32; read as float32, or converted to it from
 * float16/64, integers and bools. Anything else (complex, Fortran order, a truncated file) is rejected with a
 * message saying how to convert it. Shared by the command line and the Spark job.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final String CONVERT = "convert it with numpy: np.save(path, np.ascontiguousarray(a, dtype='<f4'))";

    /**
     * A float32 array with its shape.
     *
     * @param converted null for float32 data, else the file's dtype, which was converted to float32
     */
    public record Array(int[] shape, float[] data, String converted) {
    }

    private Npy() {
    }

    /** Bytes moved per read or write call: large files stream through this, never through a second full copy. */
    private static final int CHUNK = 1 << 20;

    /** Reads a .npy file, streaming it (no second copy of the data). */
    public static Array read(Path path) throws IOException {
        String name = path.toString();
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(name + " is a directory, not a .npy file: pass the path of a .npy file");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return parse(new Source() {
                @Override
                public long size() throws IOException {
                    return ch.size();
                }

                @Override
                public void read(ByteBuffer into, long position) throws IOException {
                    readFully(ch, into, position);
                }
            }, name);
        }
    }

    /** A .npy file held in memory (e.g. handed over by Spark's binary-file source), named for messages. */
    public static Array decode(byte[] bytes, String name) {
        try {
            return parse(new Source() {
                @Override
                public long size() {
                    return bytes.length;
                }

                @Override
                public void read(ByteBuffer into, long position) {
                    int n = (int) Math.min(into.remaining(), Math.max(0, bytes.length - position));
                    into.put(bytes, (int) position, n);
                }
            }, name);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // no I/O on an array
        }
    }

    /** Random access to a .npy file's bytes: a file channel or an array. */
    private interface Source {
        long size() throws IOException;

        /** Fills {@code into} from {@code position} on, or up to the end. */
        void read(ByteBuffer into, long position) throws IOException;
    }

    private static Array parse(Source ch, String name) throws IOException {
        long size = ch.size();
        ByteBuffer start = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(start, 0);
        byte[] magic = new byte[6];
        start.get(0, magic);
        if (start.position() < 10 || !Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException(name + " is not a .npy file (no \\x93NUMPY magic): " + CONVERT);
        }
        int major = start.get(6);
        long headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(start.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (start.position() < 12) {
                throw new IllegalArgumentException(name + " is truncated inside its header: " + CONVERT);
            }
            headerLength = Integer.toUnsignedLong(start.getInt(8));
            headerStart = 12;
        } else {
            throw new IllegalArgumentException(name + " has .npy format version " + major
                    + ", expected 1, 2 or 3: " + CONVERT);
        }
        if (headerLength > 1 << 20 || headerStart + headerLength > size) {
            throw new IllegalArgumentException(name + " is truncated inside its header: " + CONVERT);
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLength);
        ch.read(hb, headerStart);
        String header = new String(hb.array(), 0, hb.position(), StandardCharsets.ISO_8859_1);
        String descr = find(DESCR, header, name, "descr");
        Dtype dtype = Dtype.of(descr, name);
        if (find(ORDER, header, name, "fortran_order").equals("True")) {
            throw new IllegalArgumentException(name + " is in Fortran order, expected C order: " + CONVERT);
        }
        int[] shape = parseShape(find(SHAPE, header, name, "shape"), name);
        long count = 1;
        for (int d : shape) {
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + " has shape " + Arrays.toString(shape) + ", more than "
                        + Integer.MAX_VALUE + " elements, more than a Java array holds: split it into smaller"
                        + " volumes (e.g. along the batch)");
            }
        }
        long dataStart = headerStart + headerLength;
        long expectedBytes = count * dtype.size;
        if (size - dataStart != expectedBytes) {
            throw new IllegalArgumentException(name + " should hold " + expectedBytes + " bytes of data for shape "
                    + Arrays.toString(shape) + " (" + descr + ") but holds " + (size - dataStart) + ": the file is"
                    + " truncated or has trailing bytes; save it again with numpy");
        }
        float[] data = Memory.allocateFloats(count, "the data of " + name);
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(dtype.order);
        long at = dataStart;
        int perChunk = CHUNK / dtype.size;
        for (int done = 0; done < count; ) {
            int n = (int) Math.min(perChunk, count - done);
            chunk.clear().limit(n * dtype.size);
            ch.read(chunk, at);
            chunk.flip();
            dtype.convert(chunk, data, done, n);
            done += n;
            at += (long) dtype.size * n;
        }
        return new Array(shape, data, dtype.isFloat32() ? null : descr);
    }

    /** The dtypes the CLI reads: float32 as is; float16/64 and integers (and bool) converted to float32. */
    private static final class Dtype {
        final char kind;
        final int size;
        final ByteOrder order;

        private Dtype(char kind, int size, ByteOrder order) {
            this.kind = kind;
            this.size = size;
            this.order = order;
        }

        static Dtype of(String descr, String name) {
            if (descr.length() >= 3) {
                char byteOrder = descr.charAt(0);
                char kind = descr.charAt(1);
                String bits = descr.substring(2);
                ByteOrder order = byteOrder == '>' ? ByteOrder.BIG_ENDIAN
                        : byteOrder == '<' || byteOrder == '|' || byteOrder == '=' ? ByteOrder.LITTLE_ENDIAN : null;
                boolean known = order != null && (kind == 'f' && (bits.equals("2") || bits.equals("4")
                        || bits.equals("8")) || (kind == 'i' || kind == 'u') && (bits.equals("1") || bits.equals("2")
                        || bits.equals("4") || bits.equals("8")) || kind == 'b' && bits.equals("1"));
                if (known) {
                    return new Dtype(kind, Integer.parseInt(bits), order);
                }
            }
            throw new IllegalArgumentException(name + " holds dtype '" + descr + "', which cannot be converted to"
                    + " float32 (floats, integers and bools can): " + CONVERT);
        }

        boolean isFloat32() {
            return kind == 'f' && size == 4;
        }

        void convert(ByteBuffer b, float[] to, int at, int n) {
            if (isFloat32()) {
                b.asFloatBuffer().get(to, at, n);
                return;
            }
            for (int i = 0; i < n; i++) {
                to[at + i] = next(b);
            }
        }

        private float next(ByteBuffer b) {
            switch (kind) {
                case 'f':
                    return size == 8 ? (float) b.getDouble() : halfToFloat(b.getShort());
                case 'b':
                    return b.get() != 0 ? 1f : 0f;
                case 'i':
                    return size == 1 ? b.get() : size == 2 ? b.getShort() : size == 4 ? (float) b.getInt() : (float) b.getLong();
                default: // unsigned
                    return size == 1 ? Byte.toUnsignedInt(b.get()) : size == 2 ? Short.toUnsignedInt(b.getShort())
                            : size == 4 ? (float) Integer.toUnsignedLong(b.getInt()) : unsignedLong(b.getLong());
            }
        }

        private static float unsignedLong(long v) {
            return v >= 0 ? (float) v : (float) ((v >>> 1) | (v & 1)) * 2f;
        }

        /** IEEE 754 binary16 to float, exactly (Float.float16ToFloat exists only from JDK 20). */
        static float halfToFloat(short h) {
            int bits = h & 0xffff;
            int sign = (bits & 0x8000) << 16;
            int exp = (bits >>> 10) & 0x1f;
            int mant = bits & 0x3ff;
            if (exp == 0x1f) {
                return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
            }
            if (exp == 0) {
                float v = mant * 0x1p-24f; // subnormal (or zero)
                return sign == 0 ? v : -v;
            }
            return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = ch.read(into, at);
            if (n < 0) {
                return;
            }
            at += n;
        }
    }

    /**
     * Writes atomically: into a temporary file beside {@code path}, flushed to disk, then moved over {@code path}.
     * If anything fails (disk full, killed), the file at {@code path} is either the old one or the new one, never
     * a mix, and the temporary file is removed.
     */
    public static void write(Path path, int[] shape, float[] data) throws IOException {
        byte[] header = header(shape);
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".partial");
        } catch (IOException e) {
            throw new IOException("cannot write " + path + ": " + reason(e) + " (check that the directory "
                    + dir + " exists and is writable)", e);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            b.put(header);
            for (int done = 0; done < data.length; ) {
                int n = Math.min(b.remaining() / 4, data.length - done);
                b.asFloatBuffer().put(data, done, n);
                b.position(b.position() + 4 * n);
                done += n;
                b.flip();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                b.clear();
            }
            b.flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot write " + path + ": " + reason(e) + "; "
                    + (Files.exists(path) ? "the existing " + path + " is unchanged" : "nothing was written"), e);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot write " + path + ": " + reason(e), e);
        }
    }

    /** The .npy bytes {@link #write} would write, in memory. */
    public static byte[] encode(int[] shape, float[] data) {
        byte[] header = header(shape);
        ByteBuffer b = ByteBuffer.allocate(header.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header);
        b.asFloatBuffer().put(data);
        return b.array();
    }

    /** Magic, version, header length and the header text, padded as numpy pads it. */
    private static byte[] header(int[] shape) {
        StringBuilder dims = new StringBuilder();
        for (int d : shape) {
            dims.append(d).append(", ");
        }
        String s = shape.length == 1 ? dims.toString().trim() : dims.substring(0, Math.max(0, dims.length() - 2));
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (" + s + "), }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    /** An I/O failure in words: the system's reason without the exception's class name. */
    static String reason(Exception e) {
        if (e instanceof java.nio.file.FileSystemException) {
            String r = ((java.nio.file.FileSystemException) e).getReason();
            return r != null ? r : e.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
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
                    throw new IllegalArgumentException(name + " has an unreadable shape (" + text + "): the header is"
                            + " damaged or the array is too large; " + CONVERT);
                }
                if (dims.get(dims.size() - 1) < 0) {
                    throw new IllegalArgumentException(name + " has a negative dimension in its shape (" + text
                            + "): the header is damaged; " + CONVERT);
                }
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }
}
