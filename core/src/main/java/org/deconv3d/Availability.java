package org.deconv3d;

/**
 * Whether a backend can run on this machine and, if not, exactly why and what to do about it.
 *
 * @param available true when the backend can be used here
 * @param reason    empty when available; otherwise what is missing and how to fix it
 */
public record Availability(boolean available, String reason) {

    public Availability {
        if (reason == null) {
            reason = "";
        }
    }

    /** The backend can be used. */
    public static Availability yes() {
        return new Availability(true, "");
    }

    /** The backend cannot be used, for the given reason (say what to do). */
    public static Availability no(String reason) {
        return new Availability(false, reason);
    }

    @Override
    public String toString() {
        return available ? "available" : "unavailable: " + reason;
    }
}
