package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deconv3d.reference.ReferenceDeconv3d;
import org.deconv3d.reference.ReferenceProvider;
import org.junit.jupiter.api.Test;

class BackendsTest {

    /** A provider for selection tests that computes with the reference but answers to its own name. */
    private static Deconv3dProvider fake(String name, int priority, Availability availability) {
        return new Deconv3dProvider() {
            @Override public String name() { return name; }
            @Override public int priority() { return priority; }
            @Override public Availability availability() { return availability; }
            @Override public Deconv3d create() {
                if (!availability.available()) {
                    throw new IllegalStateException(availability.reason());
                }
                return new Deconv3d() {
                    @Override public String name() { return name; }
                    @Override public Deconv3dPlan plan(Deconv3dProblem p, float[] f, float[] b) {
                        return new ReferenceDeconv3d().plan(p, f, b);
                    }
                };
            }
        };
    }

    /** A backend that declines problems with more than one input channel. */
    private static Deconv3dProvider picky(int priority) {
        return new Deconv3dProvider() {
            @Override public String name() { return "picky"; }
            @Override public int priority() { return priority; }
            @Override public Availability availability() { return Availability.yes(); }
            @Override public Deconv3d create() {
                return new Deconv3d() {
                    @Override public String name() { return "picky"; }
                    @Override public Availability supports(Deconv3dProblem p) {
                        return p.inChannels() == 1 ? Availability.yes()
                                : Availability.no("only one input channel, not " + p.inChannels());
                    }
                    @Override public Deconv3dPlan plan(Deconv3dProblem p, float[] f, float[] b) {
                        requirePlanArgumentsAndSupport(p, f, b);
                        return new ReferenceDeconv3d().plan(p, f, b);
                    }
                };
            }
        };
    }

    @Test
    void aBackendThatDeclinesAProblemIsSkippedForIt() {
        List<Deconv3dProvider> list = List.of(new ReferenceProvider(), picky(300), fake("fast", 100,
                Availability.yes()));
        Deconv3dProblem one = Deconv3dProblem.tensorflow(new int[] {1, 2, 2, 2, 1}, new int[] {2, 2, 2, 1, 1}).build();
        Deconv3dProblem two = Deconv3dProblem.tensorflow(new int[] {1, 2, 2, 2, 2}, new int[] {2, 2, 2, 1, 2}).build();
        assertEquals("picky", Backends.select(list, null, one).name());
        assertEquals("fast", Backends.select(list, null, two).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.select(list, "picky", two));
        assertTrue(e.getMessage().contains("declines this problem: only one input channel, not 2"), e.getMessage());
        Deconv3d picky = Backends.select(list, "picky");
        e = assertThrows(IllegalArgumentException.class,
                () -> picky.plan(two, new float[two.filterLength()], null));
        assertTrue(e.getMessage().contains("Backends.select(problem) picks a backend that takes it"), e.getMessage());
    }

    private final List<Deconv3dProvider> providers = List.of(
            new ReferenceProvider(),
            fake("fast", 100, Availability.yes()),
            fake("gpu", 200, Availability.no("no NVIDIA driver: install one (libcuda.so.1 not found)")));

    @Test
    void picksTheAvailableOneWithTheHighestPriority() {
        assertEquals("fast", Backends.select(providers, null).name());
    }

    @Test
    void overrideByName() {
        assertEquals("reference", Backends.select(providers, "reference").name());
        assertEquals("reference", Backends.select(providers, " Reference ").name());
    }

    @Test
    void unknownNameListsTheAvailableOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.select(providers, "tpu"));
        assertTrue(e.getMessage().contains("backend 'tpu' is not known"), e.getMessage());
        assertTrue(e.getMessage().contains("available here: reference, fast"), e.getMessage());
    }

    @Test
    void unavailableNameGivesTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.select(providers, "gpu"));
        assertTrue(e.getMessage().contains("backend 'gpu' is not available here: no NVIDIA driver"), e.getMessage());
        assertTrue(e.getMessage().contains("Available backends: reference, fast"), e.getMessage());
    }

    @Test
    void serviceLoaderFindsTheReference() {
        assertTrue(Backends.providers().stream().anyMatch(p -> p.name().equals("reference")));
        assertEquals("reference", Backends.named("reference").name());
    }

    @Test
    void systemPropertyForcesTheBackend() {
        String old = System.getProperty(Backends.PROPERTY);
        try {
            System.setProperty(Backends.PROPERTY, "reference");
            assertEquals("reference", Backends.forcedName());
            assertEquals("reference", Backends.select().name());
            System.setProperty(Backends.PROPERTY, "nonesuch");
            assertThrows(IllegalArgumentException.class, Backends::select);
        } finally {
            if (old == null) {
                System.clearProperty(Backends.PROPERTY);
            } else {
                System.setProperty(Backends.PROPERTY, old);
            }
        }
    }
}
