package org.deconv3d;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds backends with {@link ServiceLoader} and picks one.
 *
 * <p>{@link #select()} returns the available backend with the highest priority, unless a name is forced with the
 * system property {@value #PROPERTY} or, failing that, the environment variable {@value #ENVIRONMENT}. A forced
 * name that is unknown or unavailable here is an error that lists the available backends: never a silent
 * substitute.
 *
 * <pre>{@code
 * Deconv3d best = Backends.select();            // e.g. "simd" on a CPU with the Vector API
 * Deconv3d ref = Backends.named("reference");   // always available
 * for (Deconv3dProvider p : Backends.providers()) {
 *     System.out.println(p.name() + ": " + p.availability());
 * }
 * }</pre>
 */
public final class Backends {

    /** System property that forces a backend by name. */
    public static final String PROPERTY = "deconv3d.backend";
    /** Environment variable that forces a backend by name (the system property wins). */
    public static final String ENVIRONMENT = "DECONV3D_BACKEND";

    private static final System.Logger LOG = System.getLogger(Backends.class.getName());

    private Backends() {
    }

    private static final class Holder {
        static final List<Deconv3dProvider> PROVIDERS = load();
    }

    /** Every provider found, available or not, highest priority first. */
    public static List<Deconv3dProvider> providers() {
        return Holder.PROVIDERS;
    }

    /** The best available backend, or the one forced by {@value #PROPERTY} / {@value #ENVIRONMENT}. */
    public static Deconv3d select() {
        return select(providers(), forcedName());
    }

    /**
     * The best available backend that takes {@code problem} ({@link Deconv3d#supports}): backends that decline it
     * are skipped, down to the reference, which takes every problem. A name forced by {@value #PROPERTY} /
     * {@value #ENVIRONMENT} is used as is, and its refusal is an error with its reason.
     */
    public static Deconv3d select(Deconv3dProblem problem) {
        return select(providers(), forcedName(), problem);
    }

    /**
     * Selection for one problem over an explicit list of providers: the named one when {@code name} is not null
     * (an error if it declines), otherwise the available one with the highest priority that takes the problem.
     */
    public static Deconv3d select(List<Deconv3dProvider> providers, String name, Deconv3dProblem problem) {
        if (problem == null) {
            throw new IllegalArgumentException("problem is null: build one with Deconv3dProblem.tensorflow(...) or"
                    + " .pytorch(...)");
        }
        if (name != null) {
            Deconv3d forced = select(providers, name);
            Availability support = forced.supports(problem);
            if (!support.available()) {
                throw new IllegalArgumentException("backend '" + forced.name() + "' (forced by name) declines this"
                        + " problem: " + support.reason() + ". Unset " + PROPERTY + " / " + ENVIRONMENT
                        + " to let another backend take it");
            }
            return forced;
        }
        List<String> declined = new ArrayList<>();
        List<Deconv3dProvider> byPriority = new ArrayList<>(providers);
        byPriority.sort(Comparator.comparingInt(Deconv3dProvider::priority).reversed());
        for (Deconv3dProvider p : byPriority) {
            if (!p.availability().available()) {
                continue;
            }
            Deconv3d backend = p.create();
            Availability support = backend.supports(problem);
            if (support.available()) {
                if (!declined.isEmpty()) {
                    LOG.log(System.Logger.Level.DEBUG, "deconv3d: using " + backend.name() + " for "
                            + problem.describe() + "; declined: " + String.join("; ", declined));
                }
                return backend;
            }
            declined.add(p.name() + ": " + support.reason());
        }
        throw new IllegalStateException("no available deconv3d backend takes " + problem.describe() + " ("
                + String.join("; ", declined) + "): is deconv3d-core (the reference backend) on the class path?");
    }

    /**
     * The backend with this name.
     *
     * @throws IllegalArgumentException if no provider has that name, or it is unavailable here (with its reason)
     */
    public static Deconv3d named(String name) {
        return select(providers(), name);
    }

    /** The name forced by {@value #PROPERTY} or {@value #ENVIRONMENT}, or null when neither is set. */
    public static String forcedName() {
        String name = System.getProperty(PROPERTY);
        if (name == null || name.isBlank()) {
            name = System.getenv(ENVIRONMENT);
        }
        return name == null || name.isBlank() ? null : name.trim();
    }

    /**
     * Selection over an explicit list of providers: the named one when {@code name} is not null, otherwise the
     * available one with the highest priority.
     */
    public static Deconv3d select(List<Deconv3dProvider> providers, String name) {
        if (name != null) {
            String wanted = name.trim().toLowerCase(Locale.ROOT);
            for (Deconv3dProvider p : providers) {
                if (p.name().equals(wanted)) {
                    Availability a = p.availability();
                    if (!a.available()) {
                        throw new IllegalArgumentException("backend '" + wanted + "' is not available here: "
                                + a.reason() + ". Available backends: " + availableNames(providers));
                    }
                    return p.create();
                }
            }
            throw new IllegalArgumentException("backend '" + name + "' is not known (set by " + PROPERTY + " or "
                    + ENVIRONMENT + ", or passed by name). Known backends: "
                    + providers.stream().map(Deconv3dProvider::name).collect(Collectors.joining(", "))
                    + "; available here: " + availableNames(providers));
        }
        return providers.stream()
                .filter(p -> p.availability().available())
                .max(Comparator.comparingInt(Deconv3dProvider::priority))
                .orElseThrow(() -> new IllegalStateException("no deconv3d backend is available: is deconv3d-core"
                        + " (which holds the reference backend) on the class path?"))
                .create();
    }

    private static String availableNames(List<Deconv3dProvider> providers) {
        String names = providers.stream().filter(p -> p.availability().available()).map(Deconv3dProvider::name)
                .collect(Collectors.joining(", "));
        return names.isEmpty() ? "none" : names;
    }

    private static List<Deconv3dProvider> load() {
        List<Deconv3dProvider> found = new ArrayList<>();
        Iterator<Deconv3dProvider> it = ServiceLoader.load(Deconv3dProvider.class, Backends.class.getClassLoader())
                .iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                Deconv3dProvider p = it.next();
                if (found.stream().noneMatch(q -> q.name().equals(p.name()))) {
                    found.add(p);
                }
            } catch (ServiceConfigurationError | LinkageError e) {
                // A backend whose classes cannot load must not take the others down with it.
                LOG.log(System.Logger.Level.WARNING, "deconv3d: a backend provider could not be loaded and is"
                        + " skipped: " + e);
            }
        }
        found.sort(Comparator.comparingInt(Deconv3dProvider::priority).reversed()
                .thenComparing(Deconv3dProvider::name));
        return List.copyOf(found);
    }
}
