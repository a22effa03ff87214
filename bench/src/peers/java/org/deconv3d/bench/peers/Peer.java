package org.deconv3d.bench.peers;

/** Another library computing the same transposed convolution, for benchmarks and conformance tests. */
public interface Peer extends AutoCloseable {

    /** The peer's name in tables, e.g. {@code tensorflow}. */
    String name();

    /** Computes the problem on {@code input} (in the problem's layout); returns the output in the problem's layout. */
    float[] run(float[] input);

    @Override
    void close();
}
