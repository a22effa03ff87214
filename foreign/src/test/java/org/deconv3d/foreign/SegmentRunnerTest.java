package org.deconv3d.foreign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dPlan;
import org.deconv3d.Deconv3dProvider;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Padding;
import org.deconv3d.reference.ReferenceKernel;
import org.deconv3d.testing.Case;
import org.deconv3d.testing.RandomProblems;
import org.deconv3d.testing.SlicesCheck;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Segments on every available backend against the reference: heap ({@code float[]}-backed, computed in place) and
 * native ones, slices at odd offsets, batches other than the problem's, staging smaller than the batch (many
 * chunks), and every bad argument before anything is written.
 */
class SegmentRunnerTest {

    private static final float GUARD = -777.25f;

    @Test
    void agreesWithTheReferenceOnRandomProblems() {
        long base = TestSeeds.base("SegmentRunnerTest");
        int backends = 0;
        for (Deconv3dProvider provider : Backends.providers()) {
            if (!provider.availability().available()) {
                continue;
            }
            backends++;
            Deconv3d backend = provider.create();
            for (int i = 0; i < 40; i++) {
                long seed = base + i;
                Case c = RandomProblems.draw(seed);
                check(backend, c, new Random(seed));
            }
        }
        assertTrue(backends >= 2, "the reference and simd at least (simd is a test dependency): " + backends);
    }

    private static void check(Deconv3d backend, Case c, Random r) {
        Deconv3dProblem p = c.problem();
        int perIn = p.inputLengthPerSample();
        int perOut = p.outputLengthPerSample();
        int batch = 1 + r.nextInt(5);
        float[] in = new float[batch * perIn];
        for (int i = 0; i < in.length; i++) {
            in[i] = r.nextInt(7) - 3;
        }
        float[] expected = SlicesCheck.expected(c, in, 0, batch);
        String what = backend.name() + " batch " + batch + " on " + c.replay();
        // Staging of about one and a half samples: several chunks, the last one short.
        long staging = 4L * (perIn + perOut) * 3 / 2;
        try (Deconv3dPlan plan = backend.plan(p, c.filter(), c.bias());
                Arena arena = Arena.ofConfined()) {
            SegmentRunner runner = new SegmentRunner(plan, staging);
            // Native memory, sliced at an offset of 3 floats inside guards.
            MemorySegment nativeIn = arena.allocate(4L * (in.length + 5));
            MemorySegment x = nativeIn.asSlice(12, 4L * in.length);
            MemorySegment.copy(in, 0, x, ValueLayout.JAVA_FLOAT, 0, in.length);
            MemorySegment nativeOut = arena.allocate(4L * (batch * perOut + 6));
            nativeOut.fill((byte) 0);
            for (long i = 0; i < nativeOut.byteSize() / 4; i++) {
                nativeOut.setAtIndex(ValueLayout.JAVA_FLOAT, i, GUARD);
            }
            MemorySegment y = nativeOut.asSlice(8, 4L * batch * perOut + 4); // one float more than needed
            assertEquals(batch, runner.run(x, y));
            float[] got = new float[batch * perOut];
            MemorySegment.copy(y, ValueLayout.JAVA_FLOAT, 0, got, 0, got.length);
            SlicesCheck.compare(c, expected, got, what + " (native)");
            float[] all = nativeOut.toArray(ValueLayout.JAVA_FLOAT);
            for (int i = 0; i < all.length; i++) {
                if ((i < 2 || i >= 2 + got.length) && all[i] != GUARD) {
                    fail("wrote outside the output samples at float " + i + ": " + what);
                }
            }

            // float[]-backed segments: computed in place, at offsets.
            float[] heapIn = new float[in.length + 3];
            System.arraycopy(in, 0, heapIn, 3, in.length);
            float[] heapOut = new float[got.length + 4];
            Arrays.fill(heapOut, GUARD);
            runner.run(MemorySegment.ofArray(heapIn).asSlice(12), MemorySegment.ofArray(heapOut).asSlice(4));
            SlicesCheck.compare(c, expected, Arrays.copyOfRange(heapOut, 1, 1 + got.length), what + " (heap)");
            assertEquals(GUARD, heapOut[0]);
            assertEquals(GUARD, heapOut[heapOut.length - 1]);

            // A read-only heap input (staged) into native output.
            MemorySegment y2 = arena.allocate(4L * got.length);
            runner.run(MemorySegment.ofArray(in).asReadOnly(), y2);
            SlicesCheck.compare(c, expected, y2.toArray(ValueLayout.JAVA_FLOAT), what + " (read-only input)");
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsWritten() {
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {2, 3, 3, 3, 4}, new int[] {2, 2, 2, 5, 4})
                .strides(2).padding(Padding.VALID).build();
        float[] w = new float[p.filterLength()];
        Arrays.fill(w, 1);
        int perIn = p.inputLengthPerSample();
        int perOut = p.outputLengthPerSample();
        try (Deconv3dPlan plan = Backends.select(p).plan(p, w, null); Arena arena = Arena.ofConfined()) {
            SegmentRunner runner = new SegmentRunner(plan);
            MemorySegment x = arena.allocate(4L * perIn * 2);
            MemorySegment y = arena.allocate(4L * perOut * 2);
            y.fill((byte) 7);
            expect("not a whole number of samples", () -> runner.run(x.asSlice(0, 4L * perIn + 4), y));
            expect("need " + 8L * perOut, () -> runner.run(x, y.asSlice(4)));
            expect("read-only", () -> runner.run(x, y.asReadOnly()));
            expect("segment is null", () -> runner.run(null, y));
            MemorySegment both = arena.allocate(4L * (perIn + perOut));
            expect("overlaps", () -> runner.run(both.asSlice(0, 4L * perIn), both.asSlice(4L * perIn - 4)));
            for (byte b : y.toArray(ValueLayout.JAVA_BYTE)) {
                assertEquals(7, b, "output untouched");
            }
            expect("stagingBytes is -1", () -> new SegmentRunner(plan, -1));
            expect("plan is null", () -> new SegmentRunner(null));
            plan.close();
            assertThrows(IllegalStateException.class, () -> runner.run(x, y));
        }
    }

    @Test
    void concurrentRunsOnOneRunnerEachGetTheirOwnStaging() throws Exception {
        Case c = Case.of(Deconv3dProblem.tensorflow(new int[] {3, 5, 4, 6, 7}, new int[] {3, 3, 3, 9, 7})
                .strides(2).build(), 11L, true, true);
        Deconv3dProblem p = c.problem();
        float[] expected = org.deconv3d.testing.CrossCheck.reference(c);
        int threads = 4;
        try (Deconv3dPlan plan = Backends.select(p).plan(p, c.filter(), c.bias())) {
            // Staging of one sample: every run goes through several chunks, so runs interleave on the staging pool.
            SegmentRunner runner = new SegmentRunner(plan, 0);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
            java.util.List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    int runs = 0;
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment x = arena.allocate(4L * p.inputLength());
                        MemorySegment.copy(c.input(), 0, x, ValueLayout.JAVA_FLOAT, 0, p.inputLength());
                        MemorySegment y = arena.allocate(4L * p.outputLength());
                        for (; runs < 25; runs++) {
                            y.fill((byte) 0);
                            runner.run(x, y);
                            SlicesCheck.compare(c, expected, y.toArray(ValueLayout.JAVA_FLOAT), "run " + runs
                                    + " on " + Thread.currentThread().getName() + " of " + c.replay());
                        }
                    }
                    return runs;
                }));
            }
            for (java.util.concurrent.Future<Integer> f : done) {
                assertEquals(25, f.get());
            }
            pool.shutdown();
        }
    }

    /**
     * More than 2<sup>31</sup> output floats (8 GiB off-heap) through long indexing, checked against the reference
     * at the first samples, around float index 2<sup>31</sup> and at the end. Needs about 10 GB of free memory and
     * a minute, so it runs only when asked: {@code ./mvnw -pl foreign -am verify -Ddeconv3d.bigSegment=true
     * -Dtest=SegmentRunnerTest -Dsurefire.failIfNoSpecifiedTests=false}.
     */
    @Test
    @EnabledIfSystemProperty(named = "deconv3d.bigSegment", matches = "true")
    void aTensorOfMoreThanTwoToThe31FloatsIsComputed() {
        Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {1, 8, 8, 8, 4}, new int[] {2, 2, 2, 4, 4})
                .strides(2).padding(Padding.VALID).build();
        int perIn = p.inputLengthPerSample();
        int perOut = p.outputLengthPerSample();
        long batch = (1L << 31) / perOut + 3;
        Random r = new Random(31);
        float[] w = RandomProblems.smallIntegers(r, p.filterLength());
        float[] pattern = RandomProblems.smallIntegers(r, 7 * perIn);
        try (Deconv3dPlan plan = Backends.select(p).plan(p, w, null); Arena arena = Arena.ofShared()) {
            MemorySegment x = arena.allocate(4L * perIn * batch);
            MemorySegment y = arena.allocate(4L * perOut * batch);
            for (long n = 0; n < batch; n++) { // sample n holds pattern sample n % 7
                MemorySegment.copy(pattern, (int) (n % 7) * perIn, x, ValueLayout.JAVA_FLOAT, 4L * n * perIn, perIn);
            }
            assertEquals(batch, new SegmentRunner(plan).run(x, y));
            assertTrue(y.byteSize() / 4 > Integer.MAX_VALUE);
            long across = (1L << 31) / perOut;
            for (long n : new long[] {0, 1, across - 1, across, across + 1, batch - 1}) {
                float[] one = Arrays.copyOfRange(pattern, (int) (n % 7) * perIn, (int) (n % 7 + 1) * perIn);
                float[] expected = new float[perOut];
                ReferenceKernel.compute(p, one, w, null, expected);
                float[] got = new float[perOut];
                MemorySegment.copy(y, ValueLayout.JAVA_FLOAT, 4L * n * perOut, got, 0, perOut);
                assertTrue(Arrays.equals(expected, got), "sample " + n + " (floats from " + n * perOut + ")");
            }
        }
    }

    private static void expect(String fragment, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
