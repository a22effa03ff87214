package org.deconv3d.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deconv3d.Availability;
import org.deconv3d.Backends;
import org.deconv3d.Deconv3d;
import org.deconv3d.Deconv3dProvider;
import org.deconv3d.testing.CrossCheck;
import org.deconv3d.testing.RandomProblems;
import org.deconv3d.testing.TestSeeds;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Without a GPU (CI, most machines) the provider is unavailable with a reason and selection falls back without
 * an exception; with one, it is selected and agrees with the reference.
 */
class CudaAvailabilityTest {

    private final CudaProvider provider = new CudaProvider();

    @Test
    void probeNeverThrowsAndExplainsItself() {
        Availability a = provider.availability();
        System.out.println("cuda backend here: " + a);
        assertEquals("cuda", provider.name());
        assertTrue(provider.priority() > 100, "cuda is preferred over simd");
        assertTrue(Backends.providers().stream().anyMatch(p -> p.name().equals("cuda")), "found by ServiceLoader");
        assertEquals(a.available(), a.reason().isBlank(), "a reason exactly when unavailable: " + a);
    }

    /** Where there is no usable GPU (CI, this project's machines): the reason, the refusal, the fallback. */
    @Test
    void withoutAGpuItRefusesWithItsReasonAndSelectionFallsBack() {
        Availability a = provider.availability();
        Assumptions.assumeFalse(a.available(), "a GPU is usable here");
        IllegalStateException e = assertThrows(IllegalStateException.class, provider::create);
        assertTrue(e.getMessage().contains(a.reason()), e.getMessage());
        assertNotEquals("cuda", Backends.select().name(), "selection falls back");
        IllegalArgumentException forced = assertThrows(IllegalArgumentException.class, () -> Backends.named("cuda"));
        assertTrue(forced.getMessage().contains("not available here"), forced.getMessage());
    }

    @Test
    void withoutTheDriverTheReasonSaysWhatToInstall() {
        Availability a = provider.availability();
        Assumptions.assumeFalse(a.available(), "a GPU is usable here");
        Assumptions.assumeTrue(a.reason().contains("libcuda"), "the driver library loads here; the reason is: "
                + a.reason());
        assertTrue(a.reason().contains("install the NVIDIA driver 580 or newer"), a.reason());
    }

    @Test
    void onAGpuItAgreesWithTheReference() {
        Assumptions.assumeTrue(provider.availability().available(),
                "no usable GPU here: " + provider.availability().reason());
        Deconv3d cuda = provider.create();
        long base = TestSeeds.base("CudaAvailabilityTest.gpu");
        for (int i = 0; i < 200; i++) {
            CrossCheck.check(cuda, RandomProblems.draw(base + i));
        }
        for (Deconv3dProvider p : Backends.providers()) {
            System.out.println(p.name() + ": " + p.availability());
        }
    }
}
