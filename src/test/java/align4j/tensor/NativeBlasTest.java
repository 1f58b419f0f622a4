package align4j.tensor;

import static align4j.tensor.GradCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The optional OpenBLAS path of {@link MatMul} against the Java {@link Gemm}: the three layouts, with
 * and without bias, accumulating into what is there, on shapes with tile edges. Skips (with the paths
 * tried) only where libopenblas is not installed.
 */
class NativeBlasTest {
    @AfterEach
    void off() {
        NativeBlas.enable(false);
    }

    /** |a − b| ≤ 4·k·u·Σ|terms| + tiny, elementwise: two float sums of k products in different orders. */
    private static void assertNear(float[] a, float[] b, double scale, String what) {
        for (int i = 0; i < a.length; i++) {
            final int at = i;
            assertTrue(Math.abs(a[i] - b[i]) <= scale, () -> what + "[" + at + "]: java " + a[at] + ", openblas " + b[at]);
        }
    }

    @Test
    void openBlasMatchesJavaGemmOnAllThreeLayouts() {
        assumeTrue(NativeBlas.available(), () -> "skipped: " + NativeBlas.describe());
        Random r = new Random(5);
        for (int[] s : new int[][] {{5, 17, 33}, {100, 200, 300}, {301, 65, 130}, {37, 800, 50}}) {
            int m = s[0], k = s[1], n = s[2];
            float[] x = random(r, m * k), w = random(r, n * k), bias = random(r, n), dy = random(r, m * n);
            float[] dx0 = random(r, m * k), dw0 = random(r, n * k);
            float[][] java = run(false, m, k, n, x, w, bias, dy, dx0, dw0), blas = run(true, m, k, n, x, w, bias, dy, dx0, dw0);
            // Σ|x·w| ≈ k·E|g·g'| = 2k/π for standard normals; 4·k·u times a generous 8·k
            double tol = 4 * 8.0 * k * k * 0x1p-24 + 1e-6;
            String shape = m + "x" + k + "x" + n;
            assertNear(java[0], blas[0], tol, "forward+bias " + shape);
            assertNear(java[1], blas[1], tol, "forward " + shape);
            assertNear(java[2], blas[2], 4 * 8.0 * n * n * 0x1p-24 + 1e-6, "backwardInput " + shape);
            assertNear(java[3], blas[3], 4 * 8.0 * m * m * 0x1p-24 + 1e-6, "backwardWeight " + shape);
        }
    }

    private static float[][] run(boolean blas, int m, int k, int n, float[] x, float[] w, float[] bias, float[] dy,
                                 float[] dx0, float[] dw0) {
        NativeBlas.enable(blas);
        float[] yb = new float[m * n], y = new float[m * n], dx = dx0.clone(), dw = dw0.clone();
        java.util.Arrays.fill(y, Float.NaN); // overwritten, not accumulated into
        MatMul.forward(yb, x, w, bias, m, k, n);
        MatMul.forward(y, x, w, null, m, k, n);
        MatMul.backwardInput(dx, dy, w, m, k, n);
        MatMul.backwardWeight(dw, null, dy, x, m, k, n);
        return new float[][] {yb, y, dx, dw};
    }

    @Test
    void enablingWithoutTheLibraryNamesWhatWasTried() {
        if (NativeBlas.available()) {
            NativeBlas.enable(true);
            assertTrue(NativeBlas.enabled());
            assertTrue(NativeBlas.describe().contains("openblas"), NativeBlas.describe());
        } else {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> NativeBlas.enable(true));
            assertTrue(e.getMessage().contains("libopenblas"), e.getMessage());
            assertFalse(NativeBlas.enabled());
        }
        NativeBlas.enable(false);
        assertEquals(false, NativeBlas.enabled());
    }
}
