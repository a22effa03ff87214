package org.deconv3d.bench.peers;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A one-node ONNX model ({@code ConvTranspose}, optionally followed by an activation node), written as ONNX's
 * protobuf bytes in code, so no binary model file is kept in git. Only the fields ONNX Runtime needs are written;
 * the field numbers are those of {@code onnx.proto} (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto, TypeProto).
 *
 * <pre>{@code
 * byte[] model = new OnnxModel(new long[] {1, 8, 4, 4, 4})
 *         .weights(w, new long[] {8, 4, 3, 3, 3}).ints("strides", 2, 2, 2).string("auto_pad", "SAME_UPPER")
 *         .activation("Relu", null).bytes();
 * }</pre>
 */
final class OnnxModel {

    /** ONNX's opset whose ConvTranspose (version 11) ONNX Runtime implements; IR version 8 goes with it. */
    private static final int OPSET = 17;
    private static final int IR_VERSION = 8;
    private static final int FLOAT = 1;
    private static final int ATTRIBUTE_FLOAT = 1;
    private static final int ATTRIBUTE_INT = 2;
    private static final int ATTRIBUTE_STRING = 3;
    private static final int ATTRIBUTE_INTS = 7;

    private final long[] inputShape;
    private final List<byte[]> attributes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
    private final List<String> convInputs = new ArrayList<>(List.of("x", "w"));
    private byte[] activationNode;

    OnnxModel(long[] inputShape) {
        this.inputShape = inputShape.clone();
    }

    OnnxModel weights(float[] values, long[] shape) {
        initializers.add(tensor("w", values, shape));
        return this;
    }

    OnnxModel bias(float[] values) {
        initializers.add(tensor("b", values, new long[] {values.length}));
        convInputs.add("b");
        return this;
    }

    OnnxModel ints(String name, long... values) {
        attributes.add(message(o -> {
            o.writeString(1, name);
            for (long v : values) {
                o.writeInt64(8, v);
            }
            o.writeEnum(20, ATTRIBUTE_INTS);
        }));
        return this;
    }

    OnnxModel ints(String name, int... values) {
        long[] l = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            l[i] = values[i];
        }
        return ints(name, l);
    }

    OnnxModel integer(String name, long value) {
        attributes.add(message(o -> {
            o.writeString(1, name);
            o.writeInt64(3, value);
            o.writeEnum(20, ATTRIBUTE_INT);
        }));
        return this;
    }

    OnnxModel string(String name, String value) {
        attributes.add(message(o -> {
            o.writeString(1, name);
            o.writeBytes(4, ByteString.copyFromUtf8(value));
            o.writeEnum(20, ATTRIBUTE_STRING);
        }));
        return this;
    }

    /** An activation node after the convolution ({@code Relu}, {@code LeakyRelu}, {@code Sigmoid}, {@code Tanh}). */
    OnnxModel activation(String opType, Float alpha) {
        activationNode = message(o -> {
            o.writeString(1, "conv");
            o.writeString(2, "y");
            o.writeString(3, "act");
            o.writeString(4, opType);
            if (alpha != null) {
                o.writeByteArray(5, message(a -> {
                    a.writeString(1, "alpha");
                    a.writeFloat(2, alpha);
                    a.writeEnum(20, ATTRIBUTE_FLOAT);
                }));
            }
        });
        return this;
    }

    /** The model's bytes, for {@code OrtEnvironment.createSession(byte[], ...)}. */
    byte[] bytes() {
        String convOutput = activationNode == null ? "y" : "conv";
        byte[] conv = message(o -> {
            for (String in : convInputs) {
                o.writeString(1, in);
            }
            o.writeString(2, convOutput);
            o.writeString(3, "deconv");
            o.writeString(4, "ConvTranspose");
            for (byte[] a : attributes) {
                o.writeByteArray(5, a);
            }
        });
        byte[] graph = message(o -> {
            o.writeByteArray(1, conv);
            if (activationNode != null) {
                o.writeByteArray(1, activationNode);
            }
            o.writeString(2, "deconv3d-peer");
            for (byte[] t : initializers) {
                o.writeByteArray(5, t);
            }
            o.writeByteArray(11, valueInfo("x", inputShape));
            o.writeByteArray(12, valueInfo("y", null));
        });
        return message(o -> {
            o.writeInt64(1, IR_VERSION);
            o.writeString(2, "deconv3d");
            o.writeByteArray(7, graph);
            o.writeByteArray(8, message(op -> op.writeInt64(2, OPSET)));
        });
    }

    private static byte[] tensor(String name, float[] values, long[] shape) {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return message(o -> {
            for (long d : shape) {
                o.writeInt64(1, d);
            }
            o.writeInt32(2, FLOAT);
            o.writeString(8, name);
            o.writeBytes(9, ByteString.copyFrom(raw.array()));
        });
    }

    /** A float tensor's ValueInfoProto; {@code shape} null leaves the shape to ONNX Runtime's inference. */
    private static byte[] valueInfo(String name, long[] shape) {
        byte[] tensorType = message(t -> {
            t.writeInt32(1, FLOAT);
            if (shape != null) {
                t.writeByteArray(2, message(s -> {
                    for (long d : shape) {
                        s.writeByteArray(1, message(dim -> dim.writeInt64(1, d)));
                    }
                }));
            }
        });
        return message(o -> {
            o.writeString(1, name);
            o.writeByteArray(2, message(type -> type.writeByteArray(1, tensorType)));
        });
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Fields fields) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            fields.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
