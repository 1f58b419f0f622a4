package align4j.tensor;

import static align4j.tensor.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RopeTest {
    /** HF rotate_half in double: the first ropeHeads heads of each row, angle pos·theta^(−2i/D). */
    static double[] reference(double[] x, int[] pos, int rowStride, int ropeHeads, int d, double theta) {
        double[] y = x.clone();
        int half = d / 2;
        for (int r = 0; r < pos.length; r++) {
            for (int h = 0; h < ropeHeads; h++) {
                int o = r * rowStride + h * d;
                for (int i = 0; i < half; i++) {
                    double a = pos[r] * Math.pow(theta, -2.0 * i / d), c = Math.cos(a), s = Math.sin(a);
                    y[o + i] = x[o + i] * c - x[o + i + half] * s;
                    y[o + i + half] = x[o + i + half] * c + x[o + i] * s;
                }
            }
        }
        return y;
    }

    @ParameterizedTest(name = "D={0} ropeHeads={1}")
    @CsvSource({"2, 1", "8, 3", "36, 2", "64, 3"})
    void forwardMatchesDoubleReferenceAndBackwardMatchesFiniteDifferences(int d, int ropeHeads) {
        Random rnd = new Random(d * 10 + ropeHeads);
        int rowStride = (ropeHeads + 1) * d + 3, rows = 5;
        int[] pos = {0, 1, 7, 100, 3};
        float[] x = randn(rnd, rows * rowStride, 1), g = randn(rnd, rows * rowStride, 1);
        Rope rope = new Rope(d, 10000f, null);
        float[] y = x.clone();
        rope.forward(y, pos, rows, rowStride, ropeHeads);
        double[] xd = toDouble(x);
        assertClose("rotated", reference(xd, pos, rowStride, ropeHeads, d, 10000), y, 2e-5);

        // Backward maps ∂L/∂y to ∂L/∂x in place; L = Σ g·y
        float[] dx = g.clone();
        rope.backward(dx, pos, rows, rowStride, ropeHeads);
        assertClose("dx", numeric(v -> dot(g, reference(v, pos, rowStride, ropeHeads, d, 10000)), xd), dx, 2e-5);
    }

    @Test
    void rotationPreservesNormsAndBackwardUndoesForward() {
        int d = 64, rows = 4;
        Random rnd = new Random(1);
        float[] x = randn(rnd, rows * 2 * d, 1), y = x.clone();
        int[] pos = {0, 5, 1000, 4095};
        Rope rope = new Rope(d, 500000f, null);
        rope.forward(y, pos, rows, 2 * d, 2);
        for (int h = 0; h < rows * 2; h++) {
            double nx = 0, ny = 0;
            for (int i = 0; i < d; i++) {
                nx += x[h * d + i] * x[h * d + i];
                ny += y[h * d + i] * y[h * d + i];
            }
            assertEquals(nx, ny, 1e-5 * nx, "norm of head " + h);
        }
        rope.backward(y, pos, rows, 2 * d, 2);
        assertArrayEquals(x, y, 1e-5f);
    }

    @Test
    void scoreDependsOnlyOnRelativePosition() {
        int d = 32;
        Random rnd = new Random(2);
        float[] q = randn(rnd, d, 1), k = randn(rnd, d, 1);
        Rope rope = new Rope(d, 10000f, null);
        double base = rotatedDot(rope, q, k, 7, 3);
        for (int shift : new int[] {1, 50, 700}) {
            assertEquals(base, rotatedDot(rope, q, k, 7 + shift, 3 + shift), 2e-4, "shift " + shift);
        }
        // and it does depend on the offset
        assertNotEquals(base, rotatedDot(rope, q, k, 8, 3), 1e-2);
    }

    /** q rotated at position m dotted with k rotated at n: one row [q | k], q as a head, k as a head. */
    private static double rotatedDot(Rope rope, float[] q, float[] k, int m, int n) {
        int d = q.length;
        float[] rows = new float[2 * d];
        System.arraycopy(q, 0, rows, 0, d);
        System.arraycopy(k, 0, rows, d, d);
        rope.forward(rows, new int[] {m, n}, 2, d, 1);
        double s = 0;
        for (int i = 0; i < d; i++) s += rows[i] * rows[d + i];
        return s;
    }

    @Test
    void tablesGrowForLargerPositionsWithUnchangedValues() {
        int d = 16;
        float[] x = randn(new Random(3), d, 1);
        Rope grown = new Rope(d, 10000f, null), fresh = new Rope(d, 10000f, null);
        float[] a = x.clone(), b = x.clone();
        grown.forward(a.clone(), new int[] {3}, 1, d, 1);
        grown.forward(a, new int[] {20000}, 1, d, 1);
        fresh.forward(b, new int[] {20000}, 1, d, 1);
        assertArrayEquals(b, a);
        assertClose("pos 20000", reference(toDouble(x), new int[] {20000}, d, 1, d, 10000), a, 2e-3);
    }

    /** Numbers from src/test/python/rope_inv_freq.py (HF modeling_rope_utils formulas run in PyTorch). */
    @Test
    void inverseFrequenciesMatchHuggingFace() {
        float[] hf = {1.000000000e+00f, 3.162277639e-01f, 1.000000015e-01f, 3.162277862e-02f,
            9.999999776e-03f, 3.162277862e-03f, 1.000000047e-03f, 3.162277862e-04f};
        float[] inv = new Rope(16, 10000f, null).invFreq();
        for (int i = 0; i < hf.length; i++) assertEquals(hf[i], inv[i], 2 * Math.ulp(hf[i]), "index " + i);
        float[] linear = new Rope(16, 10000f, new RopeScaling("linear", 4f, 0f, 0f, 0)).invFreq();
        assertEquals(7.905694097e-02f, linear[1], 2 * Math.ulp(7.905694097e-02f));
        assertEquals(7.905694656e-05f, linear[7], 2 * Math.ulp(7.905694656e-05f));
    }

    @Test
    void llama3ScalingKeepsHighDividesLowAndBlendsMediumFrequencies() {
        // Llama 3.2: D 64, theta 500000, factor 32, low 1, high 4, original 8192 positions.
        float[] inv = new Rope(64, 500000f, new RopeScaling("llama3", 32f, 1f, 4f, 8192)).invFreq();
        float[] plain = new Rope(64, 500000f, null).invFreq();
        // High band (wavelength 2π/f < 8192/4 = 2048): unchanged; index 14 has wavelength 1956.5.
        assertEquals(3.211446106e-03f, inv[14], 2 * Math.ulp(3.211446106e-03f));
        assertEquals(plain[14], inv[14], 0f);
        // Medium band (2048 ≤ wavelength ≤ 8192), indices 15–17: s = (8192/λ − 1)/3, f·((1 − s)/32 + s).
        assertEquals(1.290548011e-03f, inv[15], 2 * Math.ulp(1.290548011e-03f));
        assertEquals(4.295567051e-04f, inv[16], 2 * Math.ulp(4.295567051e-04f));
        assertEquals(9.708286234e-05f, inv[17], 2 * Math.ulp(9.708286234e-05f));
        for (int i = 15; i <= 17; i++) {
            double f = plain[i], s = (8192 / (2 * Math.PI / f) - 1) / 3;
            assertEquals(f * ((1 - s) / 32 + s), inv[i], 1e-6 * f, "hand formula at " + i);
        }
        // Low band (wavelength > 8192): divided by 32; index 18 has wavelength 10089.
        assertEquals(1.946163866e-05f, inv[18], 2 * Math.ulp(1.946163866e-05f));
        for (int i = 18; i < 32; i++) assertEquals(plain[i] / 32f, inv[i], 0f, "index " + i);
    }
}
