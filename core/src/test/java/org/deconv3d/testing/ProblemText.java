package org.deconv3d.testing;

import org.deconv3d.Deconv3dProblem;

/** Replay lines rebuild problems with {@link Deconv3dProblem#parse}; kept so printed replay lines stay valid. */
public final class ProblemText {

    private ProblemText() {
    }

    public static Deconv3dProblem parse(String line) {
        return Deconv3dProblem.parse(line);
    }
}
