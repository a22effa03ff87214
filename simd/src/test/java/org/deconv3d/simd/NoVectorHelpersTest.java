package org.deconv3d.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pins a rule of the simd sources: no method of ours takes or returns a vector. C2 inlines our methods only where
 * the profile at compile time says the call is frequent (the Vector API's own methods are always inlined); a vector
 * that crosses a call C2 did not inline is a heap object, allocated on every iteration. That happened: r8c2's
 * accumulator loads went through a helper, were rarely taken while C2 profiled, and about one JVM launch in 15 ran
 * the input gradient 25x slower, allocating 400 MB per call. A timing test cannot catch it; this can.
 */
class NoVectorHelpersTest {

    /** A method declaration whose return type or a parameter is a vector or mask. */
    private static final Pattern VECTOR_SIGNATURE = Pattern.compile(
            "^\\s*(?:(?:private|static|final|public|protected)\\s+)*"
                    + "(?:(?:FloatVector|VectorMask<Float>)\\s+\\w+\\s*\\(|\\w[\\w<>\\[\\]]*\\s+\\w+\\s*\\([^)]*"
                    + "(?:FloatVector|VectorMask<Float>)\\s+\\w+[^)]*\\)\\s*\\{)",
            Pattern.MULTILINE);

    @Test
    void noMethodTakesOrReturnsAVector() throws IOException {
        Path sources = Path.of("src/main/java/org/deconv3d/simd");
        assertTrue(Files.isDirectory(sources), "run from the simd module: " + sources.toAbsolutePath());
        List<String> found = new ArrayList<>();
        int files = 0;
        try (Stream<Path> list = Files.list(sources)) {
            for (Path p : (Iterable<Path>) list.filter(f -> f.toString().endsWith(".java"))::iterator) {
                files++;
                String text = Files.readString(p);
                Matcher m = VECTOR_SIGNATURE.matcher(text);
                while (m.find()) {
                    found.add(p.getFileName() + ": " + m.group().trim());
                }
            }
        }
        assertTrue(files > 10, "read the simd sources: " + files);
        assertEquals(List.of(), found, "write the vector code inline at the call site instead");
    }

    @Test
    void thePatternFindsWhatItIsFor() {
        String helper = "    private static FloatVector load(float[] a, int offset) {\n";
        String taking = "    private void add(FloatVector v, float[] y, int at) {\n";
        String fine = "    static void m8n2(float[] x, int xi) {\n        FloatVector v = FloatVector.zero(S);\n";
        assertTrue(VECTOR_SIGNATURE.matcher(helper).find());
        assertTrue(VECTOR_SIGNATURE.matcher(taking).find());
        assertTrue(!VECTOR_SIGNATURE.matcher(fine).find());
    }
}
