package org.deconv3d.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileSummaryTest {

    @Test
    void samplesAreSummedByOurInnermostMethodAndTheLeaf() {
        String head = "java/lang/Thread.run;org/deconv3d/bench/GradientBenchmark.run;org/deconv3d/simd/ParallelRunner.work;";
        Map<String, Long> counts = ProfileSummary.summarize(List.of(
                head + "org/deconv3d/simd/SimdKernel.r8c2_[j];jdk/incubator/vector/FloatVector.intoArray_[i] 7",
                head + "org/deconv3d/simd/SimdKernel.r8c2_[j];jdk/incubator/vector/FloatVector.intoArray_[i] 5",
                head + "org/deconv3d/simd/GradientPrep.row;jint_disjoint_arraycopy 20",
                head + "org/deconv3d/simd/SimdKernel.r8c2 3",
                "java/lang/Thread.run;C2Compiler::compile 4",
                "not a stack line"));
        assertEquals(List.of("GradientPrep.row > jint_disjoint_arraycopy", "SimdKernel.r8c2 > FloatVector.intoArray",
                "(outside the library) C2Compiler::compile", "SimdKernel.r8c2"), List.copyOf(counts.keySet()));
        assertEquals(12L, counts.get("SimdKernel.r8c2 > FloatVector.intoArray"));
        Map<String, Long> methods = ProfileSummary.byMethod(counts);
        assertEquals(List.of("GradientPrep.row", "SimdKernel.r8c2", "(outside the library) C2Compiler::compile"),
                List.copyOf(methods.keySet()));
        assertEquals(15L, methods.get("SimdKernel.r8c2"));
    }

    @Test
    void theTableGivesSharesOfAllSamplesAndFoldsTheRest() {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        for (int i = 0; i < ProfileSummary.ROWS + 2; i++) {
            counts.put("m" + i, i < ProfileSummary.ROWS ? 10L : 5L);
        }
        String table = ProfileSummary.table(counts, "where");
        long total = ProfileSummary.ROWS * 10L + 10;
        assertTrue(table.contains(String.format(java.util.Locale.ROOT, "| %.1f%% | m0 |", 1000.0 / total)), table);
        assertTrue(table.contains(String.format(java.util.Locale.ROOT, "| %.1f%% | (2 other) |", 1000.0 / total)), table);
        assertTrue(table.contains(total + " samples."), table);
    }
}
