package org.deconv3d.bench.peers;

import org.deconv3d.Deconv3dProblem;

/** Creates peers by name. */
public final class Peers {

    /** Every peer this build knows. */
    public static final String[] NAMES = {"tensorflow", "onnxruntime", "nd4j"};

    private Peers() {
    }

    /** A peer computing {@code problem} with {@code filter} on {@code threads} threads. */
    public static Peer create(String name, Deconv3dProblem problem, float[] filter, int threads) {
        switch (name) {
            case "tensorflow": return new TensorFlowPeer(problem, filter, threads);
            case "onnxruntime": return new OnnxRuntimePeer(problem, filter, threads);
            case "nd4j": return new Nd4jPeer(problem, filter, threads);
            default: throw new IllegalArgumentException("no peer '" + name + "': use "
                    + String.join(", ", NAMES));
        }
    }
}
