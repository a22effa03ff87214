package org.deconv3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LayoutTest {

    @Test
    void channelsFirstToLastAndBack() {
        // n=2, c=3, volume=4: element (b, c, v) holds 100b + 10c + v.
        float[] first = new float[2 * 3 * 4];
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 3; c++)
                for (int v = 0; v < 4; v++)
                    first[(b * 3 + c) * 4 + v] = 100 * b + 10 * c + v;
        float[] last = new float[first.length];
        Layout.channelsFirstToLast(first, last, 2, 3, 4);
        assertEquals(100 + 20 + 3, last[(1 * 4 + 3) * 3 + 2]);
        float[] back = new float[first.length];
        Layout.channelsLastToFirst(last, back, 2, 3, 4);
        assertArrayEquals(first, back);
    }
}
