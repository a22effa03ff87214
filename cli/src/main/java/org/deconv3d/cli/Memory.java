package org.deconv3d.cli;

/**
 * Large allocations of the command line, checked against the heap first: when memory is really short the user
 * gets one line with the figure and the flag to raise, not an {@link OutOfMemoryError} stack trace.
 */
final class Memory {

    private Memory() {
    }

    /** A {@code float[count]}, or an {@link IllegalStateException} saying how much memory {@code what} needs. */
    static float[] allocateFloats(long count, String what) {
        try {
            return new float[Math.toIntExact(count)];
        } catch (OutOfMemoryError e) {
            throw shortOf(4 * count, what);
        }
    }

    /** The error for a command that needs {@code bytes} more for {@code what} than the heap has left. */
    static IllegalStateException shortOf(long bytes, String what) {
        Runtime rt = Runtime.getRuntime();
        return new IllegalStateException("not enough memory: " + what + " needs " + mib(bytes) + " MiB and the Java"
                + " heap (at most " + mib(rt.maxMemory()) + " MiB) cannot hold it: raise the limit, e.g. "
                + "JAVA_TOOL_OPTIONS=-Xmx" + Math.max(1, (rt.maxMemory() + 2 * bytes) / (1L << 30) + 1)
                + "g ./deconv3d ...");
    }

    static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
