package org.deconv3d.bench.peers;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The seed question put to TensorFlow itself: input [10,1,1,1,10], filter [5,5,5,20,10], strides 4, VALID,
 * output_shape [10,4,4,4,20]. Prints what TensorFlow does; run in a child JVM with TF_ENABLE_ONEDNN_OPTS=0 to see
 * its plain kernel instead of the default oneDNN one.
 */
public final class TfSeedCase {

    public static void main(String[] args) {
        System.out.println(outcome());
    }

    static String outcome() {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            float[] x = new float[10 * 10];
            Arrays.fill(x, 0.1f);
            float[] w = new float[5 * 5 * 5 * 20 * 10];
            Arrays.fill(w, 0.1f);
            Operand<TFloat32> xo = tf.constant(Shape.of(10, 1, 1, 1, 10), DataBuffers.of(x, true, false));
            Operand<TFloat32> wo = tf.constant(Shape.of(5, 5, 5, 20, 10), DataBuffers.of(w, true, false));
            Operand<TFloat32> y = tf.nn.conv3dBackpropInput(tf.constant(new int[] {10, 4, 4, 4, 20}), wo, xo,
                    List.of(1L, 4L, 4L, 4L, 1L), "VALID");
            try (Result r = s.runner().fetch(y).run()) {
                TFloat32 t = (TFloat32) r.get(0);
                return "accepted: output shape " + t.shape() + ", first value " + t.getFloat(0, 0, 0, 0, 0);
            }
        } catch (RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            int nl = m.indexOf('\n');
            return "rejected: " + e.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
        }
    }
}
