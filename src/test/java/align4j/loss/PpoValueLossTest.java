package align4j.loss;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PpoValueLossTest {
    /**
     * ε_v = 0.2.
     * <pre>
     *   V    V_old  R    V_c   (V−R)²  (V_c−R)²  ℓ = ½max   ∂ℓ/∂V
     *   1.0  0.5   0.0  0.7   1.00    0.49      0.500      V − R = 1.0
     *   1.0  0.5   2.0  0.7   1.00    1.69      0.845      0 (V clipped, clipped square wins)
     *   0.6  0.5   2.0  0.6   1.96    1.96      0.980      V − R = −1.4
     * </pre>
     * mean ℓ = 2.325/3 = 0.775; clip fraction 1/3.
     */
    @Test
    void clippedValueLossMatchesHandValues() {
        float[] v = {1.0f, 1.0f, 0.6f}, old = {0.5f, 0.5f, 0.5f}, r = {0f, 2f, 2f}, d = new float[3];
        PpoValueLoss.Stats s = PpoValueLoss.compute(v, old, r, 3, 0.2, 1.0 / 3, d);
        assertEquals(0.775, s.loss(), 1e-6);
        assertEquals(1.0 / 3, s.clipFrac(), 1e-12);
        assertArrayEquals(new float[] {1.0f / 3, 0f, -1.4f / 3}, d, 1e-6f);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        float[] old = {0.5f}, r = {2f};
        for (float v0 : new float[] {0.1f, 0.45f, 0.62f, 0.9f, 3.0f}) {
            float[] d = new float[1];
            PpoValueLoss.compute(new float[] {v0}, old, r, 1, 0.2, 1.0, d);
            float h = 1e-3f;
            double up = PpoValueLoss.compute(new float[] {v0 + h}, old, r, 1, 0.2, 1.0, null).loss();
            double down = PpoValueLoss.compute(new float[] {v0 - h}, old, r, 1, 0.2, 1.0, null).loss();
            assertEquals((up - down) / ((double) (v0 + h) - (v0 - h)), d[0], 1e-3, "V = " + v0);
        }
    }
}
