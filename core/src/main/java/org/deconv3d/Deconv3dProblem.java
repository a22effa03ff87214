package org.deconv3d;

import java.util.Arrays;
import java.util.Optional;

/**
 * One 3D transposed convolution, fully described and validated: shapes, strides, dilations, padding, groups,
 * layouts and the fused activation. Immutable and thread-safe.
 *
 * <p>Built from TensorFlow's arguments ({@link #tensorflow}) or PyTorch's ({@link #pytorch}); both end in the same
 * description, so every backend supports both. Per spatial axis, input position {@code i} and tap {@code t} write
 * output position {@code o = i*stride + t*dilation - padBefore}, kept when {@code 0 <= o < outputSize}.
 *
 * <p>Construction rejects every invalid combination with an {@link IllegalArgumentException} whose message names
 * the dimension, the value given, the valid values and how to fix it.
 *
 * <pre>{@code
 * // The seed question: VALID cannot produce depth 4 from depth 1 with kernel 5, stride 4; SAME can.
 * Deconv3dProblem p = Deconv3dProblem.tensorflow(new int[] {10, 1, 1, 1, 10}, new int[] {5, 5, 5, 20, 10})
 *         .strides(4).padding(Padding.SAME).outputShape(10, 4, 4, 4, 20).build();
 * float[] y = new float[p.outputLength()];
 * try (Deconv3dPlan plan = Backends.select().plan(p, filter, null)) {
 *     plan.run(x, y);
 * }
 * }</pre>
 */
public final class Deconv3dProblem {

    static final String TF_INPUT_AXES = "[batch,depth,height,width,channels]";
    static final String TF_INPUT_AXES_NCDHW = "[batch,channels,depth,height,width]";
    static final String TF_FILTER_AXES = "[kd,kh,kw,Cout/groups,Cin]";
    static final String TORCH_INPUT_AXES = "[batch,channels,depth,height,width]";
    static final String TORCH_WEIGHT_AXES = "[Cin,Cout/groups,kd,kh,kw]";

    private final Convention convention;
    private final Layout layout;
    private final FilterLayout filterLayout;
    private final int batch;
    private final int inChannels;
    private final int outChannels;
    private final int groups;
    private final int[] inputSize;
    private final int[] outputSize;
    private final int[] kernel;
    private final int[] stride;
    private final int[] dilation;
    private final int[] padBefore;
    private final int[] padAfter;
    private final Padding tfPadding;
    private final int[] outputPadding;
    private final Activation activation;
    /** ONNX's auto_pad for an ONNX problem, else null. */
    private final AutoPad autoPad;
    private final int inputLength;
    private final int outputLength;
    private final int filterLength;

    private Deconv3dProblem(Convention convention, Layout layout, FilterLayout filterLayout, int batch,
            int inChannels, int outChannels, int groups, int[] inputSize, int[] outputSize, int[] kernel,
            int[] stride, int[] dilation, int[] padBefore, int[] padAfter, Padding tfPadding, int[] outputPadding,
            Activation activation, AutoPad autoPad) {
        this.convention = convention;
        this.layout = layout;
        this.filterLayout = filterLayout;
        this.batch = batch;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.kernel = kernel;
        this.stride = stride;
        this.dilation = dilation;
        this.padBefore = padBefore;
        this.padAfter = padAfter;
        this.tfPadding = tfPadding;
        this.outputPadding = outputPadding;
        this.activation = activation;
        this.autoPad = autoPad;
        this.inputLength = Args.elements("input", batch, inChannels, inputSize[0], inputSize[1], inputSize[2]);
        this.outputLength = Args.elements("output", batch, outChannels, outputSize[0], outputSize[1], outputSize[2]);
        this.filterLength = Args.elements("filter", inChannels, outChannels / groups, kernel[0], kernel[1], kernel[2]);
    }

    /**
     * Starts a problem in TensorFlow's convention ({@code tf.nn.conv3d_transpose}).
     *
     * @param inputShape  {@code [batch, depth, height, width, Cin]} (or NCDHW with {@code dataFormat})
     * @param filterShape {@code [kd, kh, kw, Cout/groups, Cin]}
     */
    public static TensorFlowBuilder tensorflow(int[] inputShape, int[] filterShape) {
        return new TensorFlowBuilder(inputShape, filterShape);
    }

    /**
     * Starts a problem in PyTorch's convention ({@code torch.nn.ConvTranspose3d}).
     *
     * @param inputShape  {@code [batch, Cin, depth, height, width]}
     * @param weightShape {@code [Cin, Cout/groups, kd, kh, kw]}
     */
    public static PyTorchBuilder pytorch(int[] inputShape, int[] weightShape) {
        return new PyTorchBuilder(inputShape, weightShape);
    }

    /**
     * Starts a problem in ONNX's convention ({@code ConvTranspose}, opset 11+), with ONNX's own padding rules:
     * explicit {@code pads} (begin and end per axis), or {@code auto_pad}, or pads computed from
     * {@code output_shape} (then explicit pads are ignored, as the spec says).
     *
     * <pre>{@code
     * Deconv3dProblem p = Deconv3dProblem.onnx(new int[] {1, 8, 4, 4, 4}, new int[] {8, 4, 3, 3, 3})
     *         .strides(2).autoPad(AutoPad.SAME_UPPER).build();   // output [1, 4, 8, 8, 8], pads [0,0,0,1,1,1]
     * }</pre>
     *
     * @param inputShape  {@code [batch, Cin, depth, height, width]}
     * @param weightShape {@code [Cin, Cout/group, kd, kh, kw]}
     */
    public static OnnxBuilder onnx(int[] inputShape, int[] weightShape) {
        return new OnnxBuilder(inputShape, weightShape);
    }

    /** Arguments of {@code tf.nn.conv3d_transpose}; {@link #build()} validates them all. */
    public static final class TensorFlowBuilder {
        private final int[] inputShape;
        private final int[] filterShape;
        private int[] strides = {1};
        private int[] dilations = {1};
        private Padding padding = Padding.SAME;
        private int[] outputShape;
        private int groups = 1;
        private Layout dataFormat = Layout.NDHWC;
        private Activation activation = Activation.NONE;

        private TensorFlowBuilder(int[] inputShape, int[] filterShape) {
            this.inputShape = inputShape == null ? null : inputShape.clone();
            this.filterShape = filterShape == null ? null : filterShape.clone();
        }

        /** One stride for all axes, or three (d,h,w). Default 1. */
        public TensorFlowBuilder strides(int... strides) {
            this.strides = strides == null ? null : strides.clone();
            return this;
        }

        /** One dilation for all axes, or three (d,h,w). Default 1. */
        public TensorFlowBuilder dilations(int... dilations) {
            this.dilations = dilations == null ? null : dilations.clone();
            return this;
        }

        /** SAME (the default, as in TensorFlow) or VALID. */
        public TensorFlowBuilder padding(Padding padding) {
            this.padding = padding;
            return this;
        }

        /** {@code [batch, depth, height, width, Cout]} (NCDHW order with that data format); default: Keras' size. */
        public TensorFlowBuilder outputShape(int... outputShape) {
            this.outputShape = outputShape == null ? null : outputShape.clone();
            return this;
        }

        /** Channel groups; the filter is then {@code [kd,kh,kw,Cout/groups,Cin]}. Default 1. */
        public TensorFlowBuilder groups(int groups) {
            this.groups = groups;
            return this;
        }

        /** NDHWC (default) or NCDHW, TensorFlow's {@code data_format}. */
        public TensorFlowBuilder dataFormat(Layout dataFormat) {
            this.dataFormat = dataFormat;
            return this;
        }

        /** Activation fused into the output write. Default none. */
        public TensorFlowBuilder activation(Activation activation) {
            this.activation = activation;
            return this;
        }

        /** Validates everything and returns the problem. */
        public Deconv3dProblem build() {
            if (dataFormat == null) {
                throw new IllegalArgumentException("data format is null: use NDHWC or NCDHW");
            }
            boolean cLast = dataFormat == Layout.NDHWC;
            String inAxes = cLast ? TF_INPUT_AXES : TF_INPUT_AXES_NCDHW;
            int[] in = Args.shape("input shape", inputShape, inAxes);
            int[] f = Args.shape("filter shape", filterShape, TF_FILTER_AXES);
            int[] s = Args.spatial("strides", strides, 1);
            int[] d = Args.spatial("dilations", dilations, 1);
            if (padding == null) {
                throw new IllegalArgumentException("padding is null: use Padding.SAME or Padding.VALID");
            }
            requireActivation(activation);
            Args.positive("groups", groups);
            int n = in[0];
            int cin = cLast ? in[4] : in[1];
            int[] x = cLast ? new int[] {in[1], in[2], in[3]} : new int[] {in[2], in[3], in[4]};
            int[] k = {f[0], f[1], f[2]};
            if (f[4] != cin) {
                throw new IllegalArgumentException("input channels " + cin + " (input shape " + Arrays.toString(in)
                        + ") do not match the filter's Cin " + f[4] + " (filter shape " + Arrays.toString(f) + " is "
                        + TF_FILTER_AXES + "): make the filter's last dimension " + cin
                        + ", or check that the filter is not in PyTorch's order " + TORCH_WEIGHT_AXES);
            }
            requireGroups(groups, cin);
            int cout = outChannels(f[3], groups, "filter", 3);
            requireSpans(x, k, s, d);
            int[] o = new int[3];
            if (outputShape == null) {
                for (int a = 0; a < 3; a++) {
                    long size = ShapeRules.tfDefaultOutputSize(padding, x[a], k[a], s[a], d[a]);
                    if (size > ShapeRules.MAX_SIZE) {
                        String w = Axis.of(a).word();
                        throw new IllegalArgumentException("the default output " + w + " (Keras' size for " + padding
                                + ") would be " + size + ", more than " + ShapeRules.MAX_SIZE + " (the most an int"
                                + " index holds): pass an output_shape with a " + w + " in "
                                + ShapeRules.tfValidOutputSizes(padding, x[a], k[a], s[a], d[a])
                                + ", or use a smaller stride along " + w);
                    }
                    o[a] = (int) size;
                }
            } else {
                int[] os = Args.shape("output shape", outputShape, inAxes.replace("channels", "Cout"));
                if (os[0] != n) {
                    throw new IllegalArgumentException("output shape " + Arrays.toString(os) + " has batch " + os[0]
                            + " but the input has batch " + n + ": the batch must be the same, use " + n);
                }
                int oc = cLast ? os[4] : os[1];
                if (oc != cout) {
                    throw new IllegalArgumentException("output shape " + Arrays.toString(os) + " has " + oc
                            + " channels but the filter " + Arrays.toString(f) + " gives Cout = " + f[3]
                            + (groups == 1 ? "" : " * groups " + groups) + " = " + cout + ": use " + cout
                            + " output channels, or a filter " + TF_FILTER_AXES + " with Cout/groups = "
                            + (oc % groups == 0 ? Integer.toString(oc / groups) : oc + "/" + groups));
                }
                o = cLast ? new int[] {os[1], os[2], os[3]} : new int[] {os[2], os[3], os[4]};
                // Every invalid axis is reported, not just the first, so one correction fixes the whole shape.
                StringBuilder invalid = new StringBuilder();
                for (int a = 0; a < 3; a++) {
                    ShapeRules.explainTfOutputSize(Axis.of(a), padding, x[a], o[a], k[a], s[a], d[a])
                            .ifPresent(why -> invalid.append(invalid.length() == 0 ? "" : "\n").append(why));
                }
                if (invalid.length() > 0) {
                    throw new IllegalArgumentException(invalid.toString());
                }
            }
            int[] before = new int[3];
            int[] after = new int[3];
            for (int a = 0; a < 3; a++) {
                AxisPadding p = ShapeRules.tfPadding(padding, x[a], o[a], k[a], s[a], d[a]);
                before[a] = p.before();
                after[a] = p.after();
            }
            return new Deconv3dProblem(Convention.TENSORFLOW, dataFormat, FilterLayout.TF_DHW_OUT_IN, n, cin, cout,
                    groups, x, o, k, s, d, before, after, padding, new int[3], activation, null);
        }
    }

    /** Arguments of {@code torch.nn.ConvTranspose3d}; {@link #build()} validates them all. */
    public static final class PyTorchBuilder {
        private final int[] inputShape;
        private final int[] weightShape;
        private int[] stride = {1};
        private int[] padding = {0};
        private int[] outputPadding = {0};
        private int[] dilation = {1};
        private int groups = 1;
        private Activation activation = Activation.NONE;

        private PyTorchBuilder(int[] inputShape, int[] weightShape) {
            this.inputShape = inputShape == null ? null : inputShape.clone();
            this.weightShape = weightShape == null ? null : weightShape.clone();
        }

        /** One stride for all axes, or three (d,h,w). Default 1. */
        public PyTorchBuilder stride(int... stride) {
            this.stride = stride == null ? null : stride.clone();
            return this;
        }

        /** Implicit zero padding {@code p}, cropped from both ends of the output. Default 0. */
        public PyTorchBuilder padding(int... padding) {
            this.padding = padding == null ? null : padding.clone();
            return this;
        }

        /** Extra size added at the end of each axis; must be smaller than max(stride, dilation). Default 0. */
        public PyTorchBuilder outputPadding(int... outputPadding) {
            this.outputPadding = outputPadding == null ? null : outputPadding.clone();
            return this;
        }

        /** One dilation for all axes, or three (d,h,w). Default 1. */
        public PyTorchBuilder dilation(int... dilation) {
            this.dilation = dilation == null ? null : dilation.clone();
            return this;
        }

        /** Channel groups; the weight is then {@code [Cin,Cout/groups,kd,kh,kw]}. Default 1. */
        public PyTorchBuilder groups(int groups) {
            this.groups = groups;
            return this;
        }

        /** Activation fused into the output write. Default none. */
        public PyTorchBuilder activation(Activation activation) {
            this.activation = activation;
            return this;
        }

        /** Validates everything and returns the problem. */
        public Deconv3dProblem build() {
            int[] in = Args.shape("input shape", inputShape, TORCH_INPUT_AXES);
            int[] w = Args.shape("weight shape", weightShape, TORCH_WEIGHT_AXES);
            int[] s = Args.spatial("stride", stride, 1);
            int[] p = Args.spatial("padding", padding, 0);
            int[] op = Args.spatial("output_padding", outputPadding, 0);
            int[] d = Args.spatial("dilation", dilation, 1);
            requireActivation(activation);
            Args.positive("groups", groups);
            int cin = in[1];
            if (w[0] != cin) {
                throw new IllegalArgumentException("input channels " + cin + " (input shape " + Arrays.toString(in)
                        + ") do not match the weight's Cin " + w[0] + " (weight shape " + Arrays.toString(w)
                        + " is " + TORCH_WEIGHT_AXES + "): make the weight's first dimension " + cin
                        + ", or check that it is not in TensorFlow's order " + TF_FILTER_AXES);
            }
            requireGroups(groups, cin);
            int cout = outChannels(w[1], groups, "weight", 1);
            int[] x = {in[2], in[3], in[4]};
            int[] k = {w[2], w[3], w[4]};
            requireSpans(x, k, s, d);
            int[] o = new int[3];
            int[] after = new int[3];
            for (int a = 0; a < 3; a++) {
                String axis = Axis.of(a).word();
                int limit = Math.max(s[a], d[a]);
                if (op[a] >= limit) {
                    throw new IllegalArgumentException("output_padding along " + axis + " is " + op[a]
                            + " but must be smaller than max(stride " + s[a] + ", dilation " + d[a] + ") = " + limit
                            + ": use 0.." + (limit - 1));
                }
                long size = ShapeRules.torchOutputSize(x[a], k[a], s[a], p[a], op[a], d[a]);
                if (size < 1) {
                    throw new IllegalArgumentException("output " + axis + " would be (" + x[a] + "-1)*" + s[a]
                            + " - 2*" + p[a] + " + (" + k[a] + "-1)*" + d[a] + " + " + op[a] + " + 1 = " + size
                            + ", not positive: reduce padding along " + axis + " to at most "
                            + maxTorchPadding(x[a], k[a], s[a], op[a], d[a]));
                }
                if (size > ShapeRules.MAX_SIZE) {
                    throw new IllegalArgumentException("output " + axis + " would be (" + x[a] + "-1)*" + s[a]
                            + " - 2*" + p[a] + " + (" + k[a] + "-1)*" + d[a] + " + " + op[a] + " + 1 = " + size
                            + ", more than " + ShapeRules.MAX_SIZE + " (the most an int index holds): raise padding"
                            + " along " + axis + " to at least " + ((size - ShapeRules.MAX_SIZE + 1) / 2 + p[a])
                            + ", or lower output_padding, stride or dilation along " + axis);
                }
                o[a] = (int) size;
                after[a] = ShapeRules.torchPadding(p[a], op[a]).after();
            }
            return new Deconv3dProblem(Convention.PYTORCH, Layout.NCDHW, FilterLayout.TORCH_IN_OUT_DHW, in[0], cin,
                    cout, groups, x, o, k, s, d, p, after, null, op, activation, null);
        }

        private static long maxTorchPadding(int x, int k, int s, int op, int d) {
            return Math.max(0, ((long) (x - 1) * s + (long) (k - 1) * d + op) / 2);
        }
    }

    /** Attributes of ONNX {@code ConvTranspose}; {@link #build()} validates them all with ONNX's rules. */
    public static final class OnnxBuilder {
        private final int[] inputShape;
        private final int[] weightShape;
        private int[] strides = {1};
        private int[] dilations = {1};
        private int[] pads = {0};
        private int[] outputPadding = {0};
        private int[] outputShape;
        private AutoPad autoPad = AutoPad.NOTSET;
        private int group = 1;
        private Activation activation = Activation.NONE;

        private OnnxBuilder(int[] inputShape, int[] weightShape) {
            this.inputShape = inputShape == null ? null : inputShape.clone();
            this.weightShape = weightShape == null ? null : weightShape.clone();
        }

        /** One stride for all axes, or three (d,h,w). Default 1. */
        public OnnxBuilder strides(int... strides) {
            this.strides = strides == null ? null : strides.clone();
            return this;
        }

        /** One dilation for all axes, or three (d,h,w). Default 1. */
        public OnnxBuilder dilations(int... dilations) {
            this.dilations = dilations == null ? null : dilations.clone();
            return this;
        }

        /** {@code [d_begin, h_begin, w_begin, d_end, h_end, w_end]} (ONNX's order), or one value for all. Default 0. */
        public OnnxBuilder pads(int... pads) {
            this.pads = pads == null ? null : pads.clone();
            return this;
        }

        /** Extra size at the end of each axis, smaller than max(stride, dilation). Default 0. */
        public OnnxBuilder outputPadding(int... outputPadding) {
            this.outputPadding = outputPadding == null ? null : outputPadding.clone();
            return this;
        }

        /** The three spatial output sizes, or the full NCDHW output shape; pads are then computed. */
        public OnnxBuilder outputShape(int... outputShape) {
            this.outputShape = outputShape == null ? null : outputShape.clone();
            return this;
        }

        /** NOTSET (default), SAME_UPPER, SAME_LOWER or VALID. */
        public OnnxBuilder autoPad(AutoPad autoPad) {
            this.autoPad = autoPad;
            return this;
        }

        /** Channel groups ({@code group}). Default 1. */
        public OnnxBuilder group(int group) {
            this.group = group;
            return this;
        }

        /** Activation fused into the output write. Default none. */
        public OnnxBuilder activation(Activation activation) {
            this.activation = activation;
            return this;
        }

        /** Validates everything with ONNX's rules and returns the problem. */
        public Deconv3dProblem build() {
            int[] in = Args.shape("input shape", inputShape, TORCH_INPUT_AXES);
            int[] w = Args.shape("weight shape", weightShape, TORCH_WEIGHT_AXES);
            int[] s = Args.spatial("strides", strides, 1);
            int[] d = Args.spatial("dilations", dilations, 1);
            int[] op = Args.spatial("output_padding", outputPadding, 0);
            int[] p = onnxPads(pads);
            if (autoPad == null) {
                throw new IllegalArgumentException("auto_pad is null: use AutoPad.NOTSET, SAME_UPPER, SAME_LOWER or"
                        + " VALID");
            }
            requireActivation(activation);
            Args.positive("group", group);
            int cin = in[1];
            if (w[0] != cin) {
                throw new IllegalArgumentException("input channels " + cin + " (input shape " + Arrays.toString(in)
                        + ") do not match the weight's Cin " + w[0] + " (weight shape " + Arrays.toString(w)
                        + " is " + TORCH_WEIGHT_AXES + "): make the weight's first dimension " + cin
                        + ", or check that it is not in TensorFlow's order " + TF_FILTER_AXES);
            }
            requireGroups(group, cin);
            int cout = outChannels(w[1], group, "weight", 1);
            int[] x = {in[2], in[3], in[4]};
            int[] k = {w[2], w[3], w[4]};
            requireSpans(x, k, s, d);
            int[] requested = requestedOutput(in, cout);
            int[] o = new int[3];
            int[] before = new int[3];
            int[] after = new int[3];
            StringBuilder invalid = new StringBuilder();
            for (int a = 0; a < 3; a++) {
                String axis = Axis.of(a).word();
                int limit = Math.max(s[a], d[a]);
                if (op[a] >= limit) {
                    throw new IllegalArgumentException("output_padding along " + axis + " is " + op[a]
                            + " but must be smaller than max(stride " + s[a] + ", dilation " + d[a] + ") = " + limit
                            + ": use 0.." + (limit - 1));
                }
                long full = ShapeRules.fullSize(x[a], k[a], s[a], d[a]);
                long size;
                AxisPadding split;
                if (autoPad == AutoPad.VALID) {
                    size = full + op[a];
                    split = new AxisPadding(0, 0);
                    if (requested != null && requested[a] != size) {
                        invalid.append(invalid.length() == 0 ? "" : "\n").append("output ").append(axis).append(' ')
                                .append(requested[a]).append(" is not what VALID gives: ").append(s[a]).append("*(")
                                .append(x[a]).append("-1) + ").append(op[a]).append(" + ").append(full - (long) s[a]
                                * (x[a] - 1)).append(" = ").append(size).append("; use ").append(size)
                                .append(", or auto_pad NOTSET to pad down to ").append(requested[a]);
                        continue;
                    }
                } else if (requested != null || autoPad != AutoPad.NOTSET) {
                    size = requested != null ? requested[a] : (long) x[a] * s[a];
                    long total = ShapeRules.onnxTotalPadding(x[a], (int) Math.min(size, Integer.MAX_VALUE), k[a],
                            s[a], d[a], op[a]);
                    if (requested != null && total < 0) {
                        invalid.append(invalid.length() == 0 ? "" : "\n").append("output ").append(axis).append(' ')
                                .append(size).append(" is more than ").append(s[a]).append("*(").append(x[a])
                                .append("-1) + ").append(op[a]).append(" + ").append(full - (long) s[a] * (x[a] - 1))
                                .append(" = ").append(full + op[a]).append(", which would need negative pads; use an")
                                .append(" output ").append(axis).append(" in 1..").append(full + op[a])
                                .append(", or raise output_padding or the stride");
                        continue;
                    }
                    split = ShapeRules.onnxSplit(autoPad, total);
                } else {
                    size = ShapeRules.onnxOutputSize(x[a], k[a], s[a], d[a], op[a], p[a], p[a + 3]);
                    split = new AxisPadding(p[a], p[a + 3]);
                    if (size < 1) {
                        invalid.append(invalid.length() == 0 ? "" : "\n").append("output ").append(axis)
                                .append(" would be ").append(s[a]).append("*(").append(x[a]).append("-1) + ")
                                .append(op[a]).append(" + ").append(full - (long) s[a] * (x[a] - 1)).append(" - ")
                                .append(p[a]).append(" - ").append(p[a + 3]).append(" = ").append(size)
                                .append(", not positive: reduce the ").append(axis).append(" pads to at most ")
                                .append(full + op[a] - 1).append(" together");
                        continue;
                    }
                }
                if (size > ShapeRules.MAX_SIZE) {
                    throw new IllegalArgumentException("output " + axis + " would be " + size + ", more than "
                            + ShapeRules.MAX_SIZE + " (the most an int index holds): use a smaller stride along "
                            + axis + " or an output_shape");
                }
                o[a] = (int) size;
                before[a] = split.before();
                after[a] = Math.toIntExact(full - size - split.before());
            }
            if (invalid.length() > 0) {
                throw new IllegalArgumentException(invalid.toString());
            }
            return new Deconv3dProblem(Convention.ONNX, Layout.NCDHW, FilterLayout.TORCH_IN_OUT_DHW, in[0], cin, cout,
                    group, x, o, k, s, d, before, after, null, op, activation, autoPad);
        }

        /** The requested spatial output sizes, from 3 values or a full NCDHW shape (checked), or null. */
        private int[] requestedOutput(int[] in, int cout) {
            if (outputShape == null) {
                return null;
            }
            if (outputShape.length == 3) {
                for (int a = 0; a < 3; a++) {
                    if (outputShape[a] < 1) {
                        throw new IllegalArgumentException("output_shape " + Arrays.toString(outputShape) + " has "
                                + Axis.of(a).word() + " " + outputShape[a] + ": use sizes of at least 1");
                    }
                }
                return outputShape.clone();
            }
            int[] os = Args.shape("output_shape", outputShape, TORCH_INPUT_AXES.replace("channels", "Cout"));
            if (os[0] != in[0]) {
                throw new IllegalArgumentException("output_shape " + Arrays.toString(os) + " has batch " + os[0]
                        + " but the input has batch " + in[0] + ": the batch must be the same, use " + in[0]);
            }
            if (os[1] != cout) {
                throw new IllegalArgumentException("output_shape " + Arrays.toString(os) + " has " + os[1]
                        + " channels but the weight gives Cout = " + cout + ": use " + cout);
            }
            return new int[] {os[2], os[3], os[4]};
        }

        private static int[] onnxPads(int[] pads) {
            if (pads == null) {
                throw new IllegalArgumentException("pads is null: pass one value for all or six (d,h,w begins, then"
                        + " d,h,w ends)");
            }
            int[] p;
            if (pads.length == 1) {
                p = new int[] {pads[0], pads[0], pads[0], pads[0], pads[0], pads[0]};
            } else if (pads.length == 6) {
                p = pads.clone();
            } else {
                throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " has " + pads.length
                        + " values: give one for all, or six in ONNX's order d_begin,h_begin,w_begin,d_end,h_end,w_end");
            }
            for (int i = 0; i < 6; i++) {
                if (p[i] < 0) {
                    throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " has " + p[i] + " at "
                            + (i < 3 ? "the beginning" : "the end") + " of " + Axis.of(i % 3).word()
                            + ": ONNX pads are 0 or more; use 0 or more");
                }
            }
            return p;
        }
    }

    /** Cout = (Cout/groups) * groups, which must fit an int. */
    private static int outChannels(int perGroup, int groups, String what, int dim) {
        long cout = (long) perGroup * groups;
        if (cout > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("output channels " + perGroup + " per group * groups " + groups + " = "
                    + cout + ", more than " + Integer.MAX_VALUE + ": make the " + what + "'s dimension " + dim
                    + " (Cout/groups) at most " + Integer.MAX_VALUE / groups + ", or use fewer groups");
        }
        return (int) cout;
    }

    /** Every axis's full result must fit an int, so that all position arithmetic in every backend is exact. */
    private static void requireSpans(int[] x, int[] k, int[] s, int[] d) {
        for (int a = 0; a < 3; a++) {
            Optional<String> why = ShapeRules.explainSpan(Axis.of(a), x[a], k[a], s[a], d[a]);
            if (why.isPresent()) {
                throw new IllegalArgumentException(why.get());
            }
        }
    }

    private static void requireGroups(int groups, int cin) {
        if (cin % groups != 0) {
            throw new IllegalArgumentException("groups " + groups + " does not divide the input channels " + cin
                    + ": use a number of groups that divides " + cin + " (" + divisors(cin) + ")");
        }
    }

    private static void requireActivation(Activation activation) {
        if (activation == null) {
            throw new IllegalArgumentException("activation is null: use Activation.NONE for no activation");
        }
    }

    /** The smallest divisors of {@code n} (at most 8, then "..."), found in O(sqrt n) steps. */
    private static String divisors(int n) {
        java.util.TreeSet<Integer> found = new java.util.TreeSet<>();
        for (long i = 1; i * i <= n; i++) {
            if (n % i == 0) {
                found.add((int) i);
                found.add((int) (n / i));
            }
        }
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (int v : found) {
            if (shown == 8) {
                return b + ", ...";
            }
            b.append(shown++ == 0 ? "" : ", ").append(v);
        }
        return b.toString();
    }

    // ---- accessors -------------------------------------------------------------------------------------------

    public Convention convention() { return convention; }
    public Layout layout() { return layout; }
    public FilterLayout filterLayout() { return filterLayout; }
    public int batch() { return batch; }
    public int inChannels() { return inChannels; }
    public int outChannels() { return outChannels; }
    public int groups() { return groups; }
    /** Input channels per group. */
    public int inChannelsPerGroup() { return inChannels / groups; }
    /** Output channels per group. */
    public int outChannelsPerGroup() { return outChannels / groups; }
    /** Input spatial size {@code [D, H, W]}. */
    public int[] inputSize() { return inputSize.clone(); }
    /** Output spatial size {@code [D, H, W]}. */
    public int[] outputSize() { return outputSize.clone(); }
    /** Kernel size {@code [kd, kh, kw]}. */
    public int[] kernel() { return kernel.clone(); }
    public int[] stride() { return stride.clone(); }
    public int[] dilation() { return dilation.clone(); }
    /** Padding before each axis, as in {@code o = i*s + t*d - padBefore}. */
    public int[] padBefore() { return padBefore.clone(); }
    /** Padding after each axis; negative where the output extends past the last reachable position. */
    public int[] padAfter() { return padAfter.clone(); }
    /** TensorFlow's padding mode, or empty for a PyTorch problem. */
    public Optional<Padding> tfPadding() { return Optional.ofNullable(tfPadding); }
    /** ONNX's auto_pad, or empty for a TensorFlow or PyTorch problem. */
    public Optional<AutoPad> autoPad() { return Optional.ofNullable(autoPad); }
    /** PyTorch's and ONNX's output_padding (zeros for TensorFlow problems). */
    public int[] outputPadding() { return outputPadding.clone(); }
    public Activation activation() { return activation; }
    /** Floats of the input for the problem's batch. */
    public int inputLength() { return inputLength; }
    /** Floats of the output for the problem's batch. */
    public int outputLength() { return outputLength; }
    /** Floats of the filter. */
    public int filterLength() { return filterLength; }
    /** Floats of one sample's input: {@code Cin * D * H * W}. */
    public int inputLengthPerSample() { return inputLength / batch; }
    /** Floats of one sample's output: {@code Cout * OD * OH * OW}. */
    public int outputLengthPerSample() { return outputLength / batch; }
    /** Bytes of the input (float32) for the problem's batch. */
    public long inputBytes() { return 4L * inputLength; }
    /** Bytes of the output (float32) for the problem's batch. */
    public long outputBytes() { return 4L * outputLength; }
    /** Bytes of the filter (float32). */
    public long filterBytes() { return 4L * filterLength; }

    /**
     * This problem with another batch size: everything else the same. Plans take any batch at run time
     * ({@link Deconv3dPlan#run(float[], int, float[], int, int)}); this is for sizing arrays.
     *
     * @throws IllegalArgumentException if {@code batch < 1} or the tensors would not fit a Java array
     */
    public Deconv3dProblem withBatch(int batch) {
        Args.positive("batch", batch);
        return new Deconv3dProblem(convention, layout, filterLayout, batch, inChannels, outChannels, groups,
                inputSize, outputSize, kernel, stride, dilation, padBefore, padAfter, tfPadding, outputPadding,
                activation, autoPad);
    }

    /** Useful floating-point operations: {@code 2 * N * |X| * Cin * Cout/groups * kd*kh*kw}. */
    public long flops() {
        try {
            long taps = Math.multiplyExact(Math.multiplyExact((long) kernel[0], kernel[1]), (long) kernel[2]);
            return Math.multiplyExact(Math.multiplyExact(2L * inputLength, outChannels / groups), taps);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // more than any machine computes; only used for reports and heuristics
        }
    }

    /** The input shape in the problem's layout. */
    public int[] inputShape() { return shape(inChannels, inputSize); }

    /** The output shape in the problem's layout. */
    public int[] outputShape() { return shape(outChannels, outputSize); }

    /** The filter shape in the problem's filter layout. */
    public int[] filterShape() {
        int cog = outChannels / groups;
        return filterLayout == FilterLayout.TF_DHW_OUT_IN
                ? new int[] {kernel[0], kernel[1], kernel[2], cog, inChannels}
                : new int[] {inChannels, cog, kernel[0], kernel[1], kernel[2]};
    }

    private int[] shape(int channels, int[] size) {
        return layout == Layout.NDHWC
                ? new int[] {batch, size[0], size[1], size[2], channels}
                : new int[] {batch, channels, size[0], size[1], size[2]};
    }

    /** Index of input element {@code (n, c, d, h, w)} in the input array. */
    public int inputIndex(int n, int c, int d, int h, int w) {
        return index(inChannels, inputSize, n, c, d, h, w);
    }

    /** Index of output element {@code (n, c, d, h, w)} in the output array. */
    public int outputIndex(int n, int c, int d, int h, int w) {
        return index(outChannels, outputSize, n, c, d, h, w);
    }

    private int index(int channels, int[] size, int n, int c, int d, int h, int w) {
        return layout == Layout.NDHWC
                ? (((n * size[0] + d) * size[1] + h) * size[2] + w) * channels + c
                : (((n * channels + c) * size[0] + d) * size[1] + h) * size[2] + w;
    }

    /**
     * Index in the filter array of the weight joining input channel {@code ci} (global) to output channel
     * {@code coInGroup} of that channel's group, at tap {@code (td, th, tw)}.
     */
    public int filterIndex(int ci, int coInGroup, int td, int th, int tw) {
        int cog = outChannels / groups;
        return filterLayout == FilterLayout.TF_DHW_OUT_IN
                ? (((td * kernel[1] + th) * kernel[2] + tw) * cog + coInGroup) * inChannels + ci
                : (((ci * cog + coInGroup) * kernel[0] + td) * kernel[1] + th) * kernel[2] + tw;
    }

    // ---- argument checks shared by every backend ---------------------------------------------------------

    /** Checks that {@code input} holds this problem's input; call before writing anything. */
    public void requireInput(float[] input) {
        requireLength("input", input, inputLength, this, Tensor.INPUT, layout.name());
    }

    /** Checks that {@code output} can hold this problem's output; call before writing anything. */
    public void requireOutput(float[] output) {
        requireLength("output", output, outputLength, this, Tensor.OUTPUT, layout.name());
    }

    /**
     * The checks every {@code run} starts with: an input and an output of this problem's lengths, and two
     * different arrays (the output is written while the input is still being read).
     */
    public void requireRunArguments(float[] input, float[] output) {
        requireInput(input);
        requireOutput(output);
        if (input == output) {
            throw new IllegalArgumentException("output is the same array as input: a transposed convolution writes"
                    + " outputs while it still reads inputs, so it cannot work in place; pass a separate output"
                    + " array of " + outputLength + " floats");
        }
    }

    /**
     * The checks of a run on slices: {@code batch} samples of input from {@code input[inputOffset...]} and of
     * output into {@code output[outputOffset...]}, both inside their arrays, and not overlapping when they are the
     * same array.
     */
    public void requireRunArguments(float[] input, int inputOffset, float[] output, int outputOffset, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch is " + batch + ": it must be at least 1; use the number of"
                    + " samples in the slices");
        }
        long in = (long) batch * inputLengthPerSample();
        long out = (long) batch * outputLengthPerSample();
        requireSlice("input", input, inputOffset, in, batch, inputLengthPerSample());
        requireSlice("output", output, outputOffset, out, batch, outputLengthPerSample());
        if (input == output && inputOffset < outputOffset + out && outputOffset < inputOffset + in) {
            throw new IllegalArgumentException("the output slice [" + outputOffset + ", " + (outputOffset + out)
                    + ") overlaps the input slice [" + inputOffset + ", " + (inputOffset + in) + ") of the same"
                    + " array: outputs are written while inputs are still read; use disjoint slices or another"
                    + " array");
        }
    }

    private static void requireSlice(String what, float[] a, int offset, long length, int batch, int perSample) {
        if (a == null) {
            throw new IllegalArgumentException(what + " array is null: pass a float[] holding " + batch
                    + " samples of " + perSample + " floats");
        }
        if (offset < 0 || offset + length > a.length) {
            throw new IllegalArgumentException(what + " slice [" + offset + ", " + (offset + length) + ") of "
                    + batch + " samples x " + perSample + " floats does not fit the array of " + a.length
                    + " floats: use an offset in 0.." + Math.max(0, a.length - length) + " or a smaller batch (at most "
                    + (Math.max(0, a.length - Math.max(0, offset)) / perSample) + " from offset " + offset + ")");
        }
    }

    /** Checks that {@code filter} holds this problem's filter. */
    public void requireFilter(float[] filter) {
        requireLength("filter", filter, filterLength, this, Tensor.FILTER, filterLayout.description());
    }

    /** Checks that {@code bias} is null (no bias) or holds {@code Cout} values. */
    public void requireBias(float[] bias) {
        if (bias != null && bias.length != outChannels) {
            throw new IllegalArgumentException("bias has " + bias.length + " values but the problem has "
                    + outChannels + " output channels: pass " + outChannels + " values, or null for no bias");
        }
    }

    /** Checks that {@code a} is an array of {@code expected} floats, the tensor of {@code shape} ({@code axes}). */
    /** The tensors whose shapes the length checks name; a constant, so a passing check allocates nothing. */
    enum Tensor {
        INPUT, OUTPUT, FILTER;

        int[] shapeOf(Deconv3dProblem p) {
            return this == INPUT ? p.inputShape() : this == OUTPUT ? p.outputShape() : p.filterShape();
        }
    }

    static void requireLength(String what, float[] a, int expected, Deconv3dProblem p, Tensor tensor, String axes) {
        if (a != null && a.length == expected) {
            return;
        }
        int[] shape = tensor.shapeOf(p);
        if (a == null) {
            throw new IllegalArgumentException(what + " array is null: pass a float[" + expected + "] of shape "
                    + Arrays.toString(shape) + " " + axes);
        }
        if (a.length != expected) {
            throw new IllegalArgumentException(what + " array has " + a.length + " elements but shape "
                    + Arrays.toString(shape) + " " + axes + " needs " + expected + ": pass an array of exactly "
                    + expected);
        }
    }

    /** A one-line description that rebuilds this problem: shapes and every argument in its convention. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (convention == Convention.TENSORFLOW) {
            b.append("tensorflow input=").append(Arrays.toString(inputShape())).append(" filter=")
                    .append(Arrays.toString(filterShape())).append(" strides=").append(Arrays.toString(stride))
                    .append(" dilations=").append(Arrays.toString(dilation)).append(" padding=").append(tfPadding)
                    .append(" output_shape=").append(Arrays.toString(outputShape()));
            if (layout != Layout.NDHWC) {
                b.append(" data_format=").append(layout);
            }
        } else if (convention == Convention.ONNX) {
            int[] end = new int[3];
            for (int a = 0; a < 3; a++) {
                end[a] = padAfter[a] + outputPadding[a];
            }
            b.append("onnx input=").append(Arrays.toString(inputShape())).append(" weight=")
                    .append(Arrays.toString(filterShape())).append(" strides=").append(Arrays.toString(stride))
                    .append(" dilations=").append(Arrays.toString(dilation)).append(" output_padding=")
                    .append(Arrays.toString(outputPadding)).append(" auto_pad=").append(autoPad);
            if (autoPad == AutoPad.NOTSET) {
                b.append(" pads=").append(Arrays.toString(new int[] {padBefore[0], padBefore[1], padBefore[2],
                        end[0], end[1], end[2]})).append(" -> output=").append(Arrays.toString(outputShape()));
            } else {
                boolean sameDefault = autoPad != AutoPad.VALID && outputSize[0] == (long) inputSize[0] * stride[0]
                        && outputSize[1] == (long) inputSize[1] * stride[1]
                        && outputSize[2] == (long) inputSize[2] * stride[2];
                if (!sameDefault) {
                    b.append(" output_shape=").append(Arrays.toString(outputSize));
                }
                b.append(" -> output=").append(Arrays.toString(outputShape())).append(" pads=")
                        .append(Arrays.toString(new int[] {padBefore[0], padBefore[1], padBefore[2], end[0], end[1],
                                end[2]}));
            }
        } else {
            b.append("pytorch input=").append(Arrays.toString(inputShape())).append(" weight=")
                    .append(Arrays.toString(filterShape())).append(" stride=").append(Arrays.toString(stride))
                    .append(" padding=").append(Arrays.toString(padBefore)).append(" output_padding=")
                    .append(Arrays.toString(outputPadding)).append(" dilation=").append(Arrays.toString(dilation))
                    .append(" -> output=").append(Arrays.toString(outputShape()));
        }
        if (groups != 1) {
            b.append(" groups=").append(groups);
        }
        if (activation != Activation.NONE) {
            b.append(" activation=").append(activation);
        }
        return b.toString();
    }

    private static final java.util.regex.Pattern PARSE_FIELD =
            java.util.regex.Pattern.compile("(\\w+)=(\\[[^\\]]*\\]|\\S+)");

    /**
     * Rebuilds a problem from its {@link #describe()} line (the round trip is exact: {@code parse(p.describe())}
     * equals {@code p}), e.g. to send a problem to another JVM or to replay a failing case.
     *
     * @throws IllegalArgumentException if the line is not a description, or the problem it describes is invalid
     */
    public static Deconv3dProblem parse(String line) {
        if (line == null) {
            throw new IllegalArgumentException("description is null: pass a line made by Deconv3dProblem.describe()");
        }
        java.util.Map<String, String> f = new java.util.HashMap<>();
        java.util.regex.Matcher m = PARSE_FIELD.matcher(line);
        while (m.find()) {
            f.put(m.group(1), m.group(2));
        }
        Activation act = f.containsKey("activation") ? Activation.parse(f.get("activation")) : Activation.NONE;
        int groups = f.containsKey("groups") ? Integer.parseInt(f.get("groups")) : 1;
        if (line.startsWith("tensorflow ")) {
            return Deconv3dProblem.tensorflow(listOf(f.get("input")), listOf(f.get("filter")))
                    .strides(listOf(f.get("strides"))).dilations(listOf(f.get("dilations")))
                    .padding(Padding.parse(f.get("padding"))).outputShape(listOf(f.get("output_shape")))
                    .dataFormat(f.containsKey("data_format") ? Layout.valueOf(f.get("data_format")) : Layout.NDHWC)
                    .groups(groups).activation(act).build();
        }
        if (line.startsWith("pytorch ")) {
            return Deconv3dProblem.pytorch(listOf(f.get("input")), listOf(f.get("weight")))
                    .stride(listOf(f.get("stride"))).padding(listOf(f.get("padding")))
                    .outputPadding(listOf(f.get("output_padding"))).dilation(listOf(f.get("dilation")))
                    .groups(groups).activation(act).build();
        }
        if (line.startsWith("onnx ")) {
            AutoPad mode = AutoPad.parse(f.get("auto_pad"));
            Deconv3dProblem.OnnxBuilder b = Deconv3dProblem.onnx(listOf(f.get("input")), listOf(f.get("weight")))
                    .strides(listOf(f.get("strides"))).dilations(listOf(f.get("dilations")))
                    .outputPadding(listOf(f.get("output_padding"))).autoPad(mode).group(groups).activation(act);
            if (mode == AutoPad.NOTSET) {
                b.pads(listOf(f.get("pads")));
            } else if (f.containsKey("output_shape")) {
                b.outputShape(listOf(f.get("output_shape")));
            }
            return b.build();
        }
        throw new IllegalArgumentException("not a problem description: " + line + ": it must start with"
                + " 'tensorflow ', 'pytorch ' or 'onnx ' as Deconv3dProblem.describe() writes it");
    }

    private static int[] listOf(String list) {
        if (list == null) {
            throw new IllegalArgumentException("a problem description lacks a field: use Deconv3dProblem.describe()");
        }
        String body = list.replace("[", "").replace("]", "").trim();
        String[] parts = body.split(",");
        int[] v = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Integer.parseInt(parts[i].trim());
        }
        return v;
    }

    @Override
    public String toString() {
        return describe();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Deconv3dProblem && ((Deconv3dProblem) o).describe().equals(describe());
    }

    @Override
    public int hashCode() {
        return describe().hashCode();
    }
}
