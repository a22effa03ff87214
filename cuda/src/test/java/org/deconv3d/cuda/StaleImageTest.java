package org.deconv3d.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** The build's image check: current when built from the committed source, stale when the source changes. */
class StaleImageTest {

    private static final Path SCRIPT = Paths.get("src", "main", "cuda", "build-image.sh").toAbsolutePath();
    private static final Path CU = Paths.get("src", "main", "cuda", "deconv3d.cu").toAbsolutePath();

    private static boolean nvcc() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Paths.get(dir, "nvcc"))) {
                return true;
            }
        }
        return false;
    }

    private static String[] run(Path cu, Path out) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
        pb.environment().put("DECONV3D_CU", cu.toString());
        pb.environment().put("DECONV3D_OUT", out.toString());
        pb.environment().put("DECONV3D_VERBOSE", "1");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new String[] {Integer.toString(p.waitFor()), log};
    }

    @Test
    void committedImageIsCurrentAndAChangedKernelIsCaught() throws Exception {
        assumeTrue(nvcc(), "nvcc is not on PATH: the kernel image cannot be rebuilt here");
        Path dir = Files.createTempDirectory("deconv3d-stale");
        String[] current = run(CU, dir.resolve("current"));
        assertEquals("0", current[0], current[1]);
        assertTrue(current[1].contains("committed kernel image is current"), current[1]);

        Path changed = dir.resolve("deconv3d.cu");
        Files.writeString(changed, Files.readString(CU) + "\nextern \"C\" __global__ void changed_kernel() {}\n");
        String[] stale = run(changed, dir.resolve("changed"));
        assertEquals("1", stale[0], stale[1]);
        assertTrue(stale[1].contains("the committed kernel image is stale"), stale[1]);
    }
}
