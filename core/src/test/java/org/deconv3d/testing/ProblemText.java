package org.deconv3d.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deconv3d.Activation;
import org.deconv3d.AutoPad;
import org.deconv3d.Deconv3dProblem;
import org.deconv3d.Layout;
import org.deconv3d.Padding;

/**
 * Rebuilds a problem from its {@link Deconv3dProblem#describe()} line, so that a replay line printed by a failing
 * test gives back exactly the failing problem. {@code ProblemTextTest} checks the round trip on random problems.
 */
public final class ProblemText {

    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\[[^\\]]*\\]|\\S+)");

    private ProblemText() {
    }

    public static Deconv3dProblem parse(String line) {
        Map<String, String> f = new HashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            f.put(m.group(1), m.group(2));
        }
        Activation act = f.containsKey("activation") ? Activation.parse(f.get("activation")) : Activation.NONE;
        int groups = f.containsKey("groups") ? Integer.parseInt(f.get("groups")) : 1;
        if (line.startsWith("tensorflow ")) {
            return Deconv3dProblem.tensorflow(ints(f.get("input")), ints(f.get("filter")))
                    .strides(ints(f.get("strides"))).dilations(ints(f.get("dilations")))
                    .padding(Padding.parse(f.get("padding"))).outputShape(ints(f.get("output_shape")))
                    .dataFormat(f.containsKey("data_format") ? Layout.valueOf(f.get("data_format")) : Layout.NDHWC)
                    .groups(groups).activation(act).build();
        }
        if (line.startsWith("pytorch ")) {
            return Deconv3dProblem.pytorch(ints(f.get("input")), ints(f.get("weight")))
                    .stride(ints(f.get("stride"))).padding(ints(f.get("padding")))
                    .outputPadding(ints(f.get("output_padding"))).dilation(ints(f.get("dilation")))
                    .groups(groups).activation(act).build();
        }
        if (line.startsWith("onnx ")) {
            AutoPad mode = AutoPad.parse(f.get("auto_pad"));
            Deconv3dProblem.OnnxBuilder b = Deconv3dProblem.onnx(ints(f.get("input")), ints(f.get("weight")))
                    .strides(ints(f.get("strides"))).dilations(ints(f.get("dilations")))
                    .outputPadding(ints(f.get("output_padding"))).autoPad(mode).group(groups).activation(act);
            if (mode == AutoPad.NOTSET) {
                b.pads(ints(f.get("pads")));
            } else if (f.containsKey("output_shape")) {
                b.outputShape(ints(f.get("output_shape")));
            }
            return b.build();
        }
        throw new IllegalArgumentException("not a problem description: " + line);
    }

    private static int[] ints(String list) {
        String body = list.replace("[", "").replace("]", "").trim();
        String[] parts = body.split(",");
        int[] v = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Integer.parseInt(parts[i].trim());
        }
        return v;
    }
}
