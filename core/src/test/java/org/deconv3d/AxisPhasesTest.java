package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The range form of the input-to-output map agrees with the map itself, position by position. */
class AxisPhasesTest {

    @Test
    void reachingRangeIsExactlyTheInputsThatReachTheOutput() {
        int cases = 0;
        for (int stride = 1; stride <= 5; stride++) {
            for (int dilation = 1; dilation <= 3; dilation++) {
                for (int pad = -4; pad <= 6; pad++) {
                    for (int in = 1; in <= 7; in++) {
                        for (int out = 1; out <= 12; out++) {
                            for (int t = 0; t < 5; t++) {
                                int first = AxisPhases.firstReaching(t, stride, dilation, pad, out, in);
                                int end = AxisPhases.endReaching(t, stride, dilation, pad, out, in);
                                String where = "t=" + t + " stride=" + stride + " dilation=" + dilation + " pad="
                                        + pad + " in=" + in + " out=" + out;
                                for (int i = 0; i < in; i++) {
                                    boolean inside = AxisPhases.reached(i, t, stride, dilation, pad, out) >= 0;
                                    assertEquals(inside, i >= first && i < end, where + " i=" + i);
                                }
                                cases++;
                            }
                        }
                    }
                }
            }
        }
        assertEquals(5 * 3 * 11 * 7 * 12 * 5, cases);
    }
}
