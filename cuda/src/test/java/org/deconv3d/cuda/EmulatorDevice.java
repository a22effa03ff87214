package org.deconv3d.cuda;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Device} whose kernels run in the CPU emulator ({@code emulator.cpp} with {@code cuda_shim.h}): buffers
 * live here (new ones filled with NaN, so an element no kernel writes cannot pass for a result), launches queue up,
 * and a download first runs the queued launches in the emulator on every buffer. A {@link CudaPlan} on this device
 * runs exactly the host code and launches it runs on a GPU.
 */
final class EmulatorDevice implements Device {

    private final Path emulator;
    private final Path dir;
    private final List<Mem> buffers = new ArrayList<>();
    private final List<Bound> pending = new ArrayList<>();
    /** Emulator runs so far (each download after launches is one). */
    int runs;

    private static final class Mem implements Buffer {
        int[] words;

        Mem(long bytes) {
            words = new int[(int) Math.max(1, bytes / 4)];
            java.util.Arrays.fill(words, Float.floatToRawIntBits(Float.NaN));
        }
    }

    private record Bound(CudaGeometry.Call call, Buffer[] buffers) implements Prepared {
    }

    EmulatorDevice(Path emulator, Path dir) {
        this.emulator = emulator;
        this.dir = dir;
    }

    @Override
    public Buffer allocate(long bytes, String what) {
        Mem m = new Mem(bytes);
        buffers.add(m);
        return m;
    }

    @Override
    public void upload(Buffer to, int[] from, String what) {
        System.arraycopy(from, 0, ((Mem) to).words, 0, from.length);
    }

    @Override
    public void upload(Buffer to, float[] from, String what) {
        int[] words = ((Mem) to).words;
        for (int i = 0; i < from.length; i++) {
            words[i] = Float.floatToRawIntBits(from[i]);
        }
    }

    @Override
    public void download(float[] to, Buffer from, String what) {
        if (!pending.isEmpty()) {
            runPending();
        }
        int[] words = ((Mem) from).words;
        for (int i = 0; i < to.length; i++) {
            to[i] = Float.intBitsToFloat(words[i]);
        }
    }

    @Override
    public Prepared prepare(CudaGeometry.Call call, Buffer... args) {
        return new Bound(call, args.clone());
    }

    @Override
    public void launch(Prepared kernel) {
        pending.add((Bound) kernel);
    }

    @Override
    public void startTimer() {
    }

    @Override
    public float stopTimer() {
        return 0f;
    }

    @Override
    public void free(Buffer buffer) {
        buffers.remove(buffer);
    }

    @Override
    public void release() {
    }

    private void runPending() {
        Path job = dir.resolve("job.bin");
        Path result = dir.resolve("result.bin");
        try {
            try (OutputStream file = Files.newOutputStream(job);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(file, 1 << 16))) {
                write(out, 0x4A334344);
                write(out, buffers.size());
                for (Mem m : buffers) {
                    write(out, m.words.length);
                    for (int w : m.words) {
                        write(out, w);
                    }
                }
                write(out, pending.size());
                for (Bound b : pending) {
                    CudaGeometry.Call c = b.call();
                    byte[] name = c.kernel().getBytes(StandardCharsets.US_ASCII);
                    write(out, name.length);
                    for (byte ch : name) {
                        write(out, ch);
                    }
                    for (int v : new int[] {c.gridX(), c.gridY(), c.gridZ(), c.blockX(), c.blockY()}) {
                        write(out, v);
                    }
                    write(out, b.buffers().length);
                    for (Buffer arg : b.buffers()) {
                        int index = buffers.indexOf(arg);
                        if (index < 0) {
                            throw new IllegalStateException(c.kernel() + " was bound to a freed buffer");
                        }
                        write(out, index);
                    }
                    write(out, c.ints().length);
                    for (int v : c.ints()) {
                        write(out, v);
                    }
                }
            }
            pending.clear();
            Process proc = new ProcessBuilder(emulator.toAbsolutePath().toString(), job.toString(), result.toString())
                    .redirectErrorStream(true).start();
            String log = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!proc.waitFor(120, TimeUnit.SECONDS)) {
                proc.destroyForcibly();
                throw new CudaException("the emulated kernels did not finish in 120 s", 702);
            }
            if (proc.exitValue() != 0) {
                throw new CudaException("the emulated kernels failed (exit " + proc.exitValue() + "):\n" + log, 719);
            }
            runs++;
            ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(result)).order(ByteOrder.LITTLE_ENDIAN);
            for (Mem m : buffers) {
                int n = in.getInt();
                if (n != m.words.length) {
                    throw new IllegalStateException("the emulator returned " + n + " words for a buffer of "
                            + m.words.length);
                }
                in.asIntBuffer().get(m.words);
                in.position(in.position() + 4 * n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the emulator ran", e);
        }
    }

    private static void write(DataOutputStream out, int v) throws IOException {
        out.writeInt(Integer.reverseBytes(v));
    }
}
