package org.deconv3d.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deconv3d.Activation;
import org.junit.jupiter.api.Test;

/**
 * Pins what {@code deconv3d.cu} and {@link CudaGeometry} must agree on, since the .cu cannot read the Java: the
 * geometry and phase-table indices, the activation codes, the block shapes, and the kernel names the context
 * looks up. (The emulated kernel test would catch most slips too, but only as wrong numbers.)
 */
class KernelSourceContractTest {

    private static final String CU = read();

    private static String read() {
        try {
            return Files.readString(Paths.get("src", "main", "cuda", "deconv3d.cu"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The names of the .cu enum that starts with {@code first}, in order. */
    private static List<String> enumNames(String first) {
        Matcher m = Pattern.compile("enum\\s*\\{([^}]*\\b" + first + "\\b[^}]*)}").matcher(CU);
        assertTrue(m.find(), "no enum with " + first + " in deconv3d.cu");
        List<String> names = new ArrayList<>();
        for (String part : m.group(1).split(",")) {
            names.add(part.replaceAll("=.*", "").trim());
        }
        return names;
    }

    private static int define(String name) {
        Matcher m = Pattern.compile("#define " + name + " (\\d+)").matcher(CU);
        assertTrue(m.find(), "no #define " + name + " in deconv3d.cu");
        return Integer.parseInt(m.group(1));
    }

    private static int javaConstant(String name) throws ReflectiveOperationException {
        return CudaGeometry.class.getDeclaredField(name).getInt(null);
    }

    @Test
    void geometryAndPhaseIndicesMatch() throws ReflectiveOperationException {
        List<String> g = enumNames("G_N");
        for (int i = 0; i < g.size(); i++) {
            assertEquals(i, javaConstant(g.get(i)), g.get(i));
        }
        List<String> phase = enumNames("P_CD");
        for (int i = 0; i < phase.size(); i++) {
            assertEquals(i, javaConstant(phase.get(i)), phase.get(i));
        }
    }

    @Test
    void activationCodesAreTheKindOrdinals() {
        List<String> codes = enumNames("ACT_NONE");
        Activation.Kind[] kinds = Activation.Kind.values();
        assertEquals(kinds.length, codes.size());
        for (Activation.Kind k : kinds) {
            assertEquals("ACT_" + k.name(), codes.get(k.ordinal()));
        }
    }

    @Test
    void blockShapesMatch() throws ReflectiveOperationException {
        for (String name : List.of("THREADS_X", "THREADS_Y", "BIAS_CHANNELS", "BIAS_ROWS")) {
            assertEquals(define(name), javaConstant(name), name);
        }
        assertEquals(define("LINEAR_THREADS"), CudaGeometry.LINEAR_THREADS);
        assertEquals(define("CHUNK"), CudaGeometry.CHUNK);
    }

    @Test
    void everyKernelTheContextLooksUpIsDefined() {
        for (String name : KernelImage.FUNCTIONS) {
            assertTrue(Pattern.compile("(?m)(^" + name + "\\(|_KERNEL\\(" + name + ", )").matcher(CU).find(),
                    name + " is not defined in deconv3d.cu");
        }
        // The tile kernels' shapes: c channels per tile are 16 x CJ, and every shape keeps 16 outputs per thread.
        for (int c : CudaGeometry.TILE_CHANNELS) {
            for (String kernel : List.of(CudaGeometry.FORWARD + c, CudaGeometry.GRAD_INPUT + c)) {
                Matcher m = Pattern.compile("_KERNEL\\(" + kernel + ", (\\d+), (\\d+)\\)").matcher(CU);
                assertTrue(m.find(), kernel);
                int pi = Integer.parseInt(m.group(1)), cj = Integer.parseInt(m.group(2));
                assertEquals(c, CudaGeometry.THREADS_X * cj, kernel + ": channels per tile");
                assertEquals(CudaGeometry.tilePositions(c), CudaGeometry.THREADS_Y * pi, kernel + ": positions");
            }
            for (int o : CudaGeometry.TILE_CHANNELS) {
                String kernel = CudaGeometry.GRAD_FILTER + "_i" + c + "_o" + o;
                Matcher m = Pattern.compile("_KERNEL\\(" + kernel + ", (\\d+), (\\d+)\\)").matcher(CU);
                assertTrue(m.find(), kernel);
                assertEquals(c, CudaGeometry.THREADS_Y * Integer.parseInt(m.group(1)), kernel + ": input channels");
                assertEquals(o, CudaGeometry.THREADS_X * Integer.parseInt(m.group(2)), kernel + ": output channels");
            }
        }
    }
}
