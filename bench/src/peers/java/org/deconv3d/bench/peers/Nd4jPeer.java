package org.deconv3d.bench.peers;

import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DeConv3D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv3DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's ND4J ({@code deconv3d} op of libnd4j, CPU backend with AVX-512) in its native layouts: weights
 * {@code [kd,kh,kw,Cout,Cin]} as in TensorFlow, data NDHWC or NCDHW. SAME padding only, which is what the
 * benchmark shapes use. Each run copies the input into an off-heap array, runs the op, and copies the result out.
 */
final class Nd4jPeer implements Peer {

    private final Deconv3dProblem p;
    private final INDArray weights;
    private final INDArray input;
    private final INDArray output;
    private final DeConv3D op;
    private final float[] out;

    Nd4jPeer(Deconv3dProblem p, float[] filter, int threads) {
        if (p.groups() != 1 || p.tfPadding().isEmpty()) {
            throw new IllegalArgumentException("the ND4J peer computes TensorFlow-convention problems with groups = 1");
        }
        this.p = p;
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        int[] k = p.kernel();
        int[] s = p.stride();
        int[] d = p.dilation();
        weights = Nd4j.create(filter, new long[] {k[0], k[1], k[2], p.outChannels(), p.inChannels()}, DataType.FLOAT);
        input = Nd4j.create(DataType.FLOAT, toLong(p.inputShape()));
        output = Nd4j.create(DataType.FLOAT, toLong(p.outputShape()));
        boolean same = p.tfPadding().get() == org.deconv3d.Padding.SAME;
        DeConv3DConfig config = DeConv3DConfig.builder().kD(k[0]).kH(k[1]).kW(k[2]).sD(s[0]).sH(s[1]).sW(s[2])
                .pD(0).pH(0).pW(0).dD(d[0]).dH(d[1]).dW(d[2]).isSameMode(same)
                .dataFormat(p.layout() == Layout.NCDHW ? "NCDHW" : "NDHWC").build();
        op = new DeConv3D(input, weights, null, output, config);
        out = new float[p.outputLength()];
    }

    private static long[] toLong(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = v[i];
        }
        return l;
    }

    @Override
    public String name() {
        return "nd4j";
    }

    @Override
    public float[] run(float[] x) {
        input.data().setData(x);
        Nd4j.exec(op);
        float[] result = output.data().asFloat();
        System.arraycopy(result, 0, out, 0, out.length);
        return out;
    }

    @Override
    public void close() {
        weights.close();
        input.close();
        output.close();
    }
}
