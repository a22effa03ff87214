package org.deconv3d.bench;

/**
 * One benchmark result: the median time of all measured iterations and what it means in GFLOP/s.
 *
 * @param shape   {@link Shape#label()}
 * @param backend a deconv3d backend or a peer
 * @param threads threads the backend was given
 * @param millis  median milliseconds per run
 * @param error   JMH's 99.9% error on the mean, in milliseconds (NaN with one iteration)
 */
public record Measurement(String shape, String backend, int threads, double millis, double error) {

    /** Useful GFLOP/s: the shape's FLOPs over the median time. */
    public double gflops() {
        return Shape.of(shape).problem().flops() / (millis * 1e6);
    }
}
