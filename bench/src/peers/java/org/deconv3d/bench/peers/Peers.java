package org.deconv3d.bench.peers;

import org.deconv3d.Deconv3dProblem;

/** Creates peers by name. */
public final class Peers {

    /** Every peer this build knows. */
    public static final String[] NAMES = {"tensorflow", "nd4j"};

    private Peers() {
    }

    /** A peer computing {@code problem} (TensorFlow convention) with {@code filter} on {@code threads} threads. */
    public static Peer create(String name, Deconv3dProblem problem, float[] filter, int threads) {
        switch (name) {
            case "tensorflow": return new TensorFlowPeer(problem, filter, threads);
            case "nd4j": return new Nd4jPeer(problem, filter, threads);
            default: throw new IllegalArgumentException("no peer '" + name + "': use tensorflow or nd4j");
        }
    }

    /** NCDHW to NDHWC, or back with {@code toLast} false. */
    static void transpose(float[] from, float[] to, int n, int channels, int volume, boolean toLast) {
        for (int b = 0; b < n; b++)
            for (int c = 0; c < channels; c++)
                for (int v = 0; v < volume; v++) {
                    int first = (b * channels + c) * volume + v;
                    int last = (b * volume + v) * channels + c;
                    if (toLast) {
                        to[last] = from[first];
                    } else {
                        to[first] = from[last];
                    }
                }
    }
}
